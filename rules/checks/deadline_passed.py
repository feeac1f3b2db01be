"""deadline_passed: received after the deadline (the message's own arrival time)."""
from __future__ import annotations

from datetime import datetime

from rules.common import chinese_date
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "deadline_passed"
DESCRIPTION = "超过申报截止时间"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    deadline = profile.deadline_at()
    arrived = submission.arrived_at or now
    if deadline is None or arrived < deadline:
        return []
    local = arrived.astimezone(deadline.tzinfo)
    message = (f"本邮件于{chinese_date(local)} {local:%H:%M}收到，"
               f"已超过{chinese_date(profile.deadline)}的申报截止时间")
    return [Finding(ID, None, profile.severity_of(ID, SEVERITY), message)]
