"""photo_count: the number of photos is outside the profile's bounds."""
from __future__ import annotations

from datetime import datetime

from rules.checks.counts import count_finding
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "photo_count"
DESCRIPTION = "照片数量不符合要求"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return count_finding(ID, "photo", submission, profile)
