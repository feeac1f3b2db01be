"""quota_exceeded: more than the notice allows from one recommender; a warning to the secretariat."""
from __future__ import annotations

from datetime import datetime

from parsers.regions import department_province, park_name, province_of
from parsers.text import squash
from rules.model import Finding, Submission
from rules.profile import Profile, QuotaSpec

ID = "quota_exceeded"
DESCRIPTION = "超过通知规定的推荐数量（提醒秘书处）"
SEVERITY = "warning"
# The quota counts recommenders (推荐单位): the finding names that field, whatever the group.
FIELD = "recommender"
# Between the parts of a group's name: 浙江省·社区.
SEPARATOR = "·"


def _text(value: object) -> str:
    """A field's value as one string: a single marked option is its text, else ""."""
    if isinstance(value, tuple):
        value = value[0] if len(value) == 1 else ""
    return value if isinstance(value, str) else ""


def _province(submission: Submission) -> str | None:
    """The recommending province, from the most to the least deliberate statement of it.

    The subject the notice prescribes (浙江省低碳发展典型案例申报材料); the form's 推荐单位 or
    the 推荐单位意见, which names the department that signs it; the environment department
    signing the mail's body; the applicant's 地址. Never the unit's own name alone: a community
    is not a province.
    """
    subject = submission.subject_unit if submission.subject_matched else None
    fields = submission.fields
    return (province_of(subject or "")
            or province_of(_text(fields.get("recommender")))
            or province_of(_text(fields.get("recommender_opinion")))
            or department_province(submission.body)
            or province_of(_text(fields.get("address"))))


def _recommender(quota: QuotaSpec, submission: Submission) -> str | None:
    if quota.recommender == "province":
        return _province(submission)
    written = _text(submission.fields.get("recommender"))
    if quota.recommender == "park":
        return park_name(written) or None
    return squash(written) or None


def _part(key: str, quota: QuotaSpec, submission: Submission) -> str | None:
    if key == "recommender":
        return _recommender(quota, submission)
    value = submission.unit_name if key == "unit_name" else _text(submission.fields.get(key))
    return squash(value) or None


def group_of(profile: Profile, submission: Submission) -> str | None:
    """The quota group the submission counts in ("浙江省·社区", "示例经济技术开发区"); None
    without a quota, or when a part of the group cannot be told (then nothing is counted)."""
    if profile.quota is None:
        return None
    parts = [_part(key, profile.quota, submission) for key in profile.quota.by]
    return None if None in parts else SEPARATOR.join(parts)


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if profile.quota is None or submission.quota_count < profile.quota.max:
        return []
    group = group_of(profile, submission)
    if group is None:
        return []
    total = submission.quota_count + 1
    return [Finding(ID, FIELD, profile.severity_of(ID, SEVERITY),
                    f"{group}：已收到{total}个案例，超过“{profile.quota.description}”的要求")]
