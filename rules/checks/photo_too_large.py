"""photo_too_large: a photo is over the profile's byte bound."""
from __future__ import annotations

from datetime import datetime

from rules.checks.photo_size import size_findings
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "photo_too_large"
DESCRIPTION = "照片文件过大"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return size_findings(ID, submission, profile)
