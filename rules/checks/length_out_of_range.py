"""length_out_of_range: a field or section is outside an approximate (约) range."""
from __future__ import annotations

from datetime import datetime

from rules.checks.length_exceeded import measured
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import field_name

ID = "length_out_of_range"
DESCRIPTION = "字数不在通知建议的范围内（提醒）"
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    findings = []
    for key, chars, limit in measured(submission, profile):
        low, high = limit.min or 0, limit.max or chars
        if not limit.hard and not low <= chars <= high:
            findings.append(Finding(ID, key, profile.severity_of(ID, SEVERITY),
                                    f"{field_name(key)}为{chars}字，通知建议“{limit.describe()}”"))
    return findings
