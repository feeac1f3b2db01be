"""quota_exceeded: more than the notice allows from one recommender; a warning to the secretariat."""
from __future__ import annotations

from datetime import datetime

from rules.profile import Profile
from rules.types import Finding, Submission

ID = "quota_exceeded"
DESCRIPTION = "超过通知规定的推荐数量（提醒秘书处）"
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if profile.quota is None or submission.quota_count < profile.quota.max:
        return []
    total = submission.quota_count + 1
    return [Finding(ID, profile.quota.by[0], profile.severity_of(ID, SEVERITY),
                    f"同一推荐范围内已收到{total}个案例，超过“{profile.quota.description}”的要求")]
