"""field_unreadable: a form field is filled in, but its answer could not be read with confidence.

Written instead of field_missing or choice_invalid for that field: the applicant is never told
that something they wrote is missing. The secretariat looks, and corrects it with `intake set`.
"""
from __future__ import annotations

from datetime import datetime

from rules.common import has_form
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import field_name

ID = "field_unreadable"
DESCRIPTION = "申报表某项已填写但未能准确识别（提醒秘书处人工核对）"
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if not has_form(submission):
        return []
    severity = profile.severity_of(ID, SEVERITY)
    keys = [spec.key for spec in profile.form.fields if spec.key in submission.unreadable]
    return [Finding(ID, key, severity,
                    f"申报表中“{field_name(key)}”一项未能自动准确识别（{submission.unreadable[key]}），"
                    "秘书处将人工核对，无需重新发送")
            for key in keys]
