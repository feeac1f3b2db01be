"""attachment_unreadable: a file cannot be opened."""
from __future__ import annotations

from datetime import datetime

from rules.model import Finding, Submission
from rules.profile import Profile

ID = "attachment_unreadable"
DESCRIPTION = "附件无法打开（损坏、加密或格式不支持）"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return [Finding(ID, doc.name, profile.severity_of(ID, SEVERITY),
                    f"附件“{doc.name}”无法打开：{doc.error}。请检查文件后重新发送")
            for doc in submission.documents if doc.error]
