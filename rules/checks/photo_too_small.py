"""photo_too_small: a photo is under the profile's byte bound."""
from __future__ import annotations

from datetime import datetime

from rules.checks.photo_size import size_findings
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "photo_too_small"
DESCRIPTION = "照片文件过小（清晰度不足）"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return size_findings(ID, submission, profile)
