"""photo_too_large: a photo is over the profile's byte bound."""
from __future__ import annotations

from datetime import datetime

from rules.photo_size import size_findings
from rules.profile import Profile
from rules.types import Finding, Submission

ID = "photo_too_large"
DESCRIPTION = "照片文件过大"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return size_findings(ID, submission, profile)
