"""subject_format: the subject does not follow the convention the notice prescribes."""
from __future__ import annotations

from datetime import datetime

from rules.model import Finding, Submission
from rules.profile import Profile

ID = "subject_format"
DESCRIPTION = "邮件主题不符合通知规定的格式"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if not profile.subject.pattern or submission.subject_matched:
        return []
    # The subject itself is not quoted: the reply would carry whatever text a forger put in it.
    message = f"邮件主题不符合通知要求的格式“{profile.subject.example}”，请按此格式填写主题"
    return [Finding(ID, None, profile.severity_of(ID, SEVERITY), message)]
