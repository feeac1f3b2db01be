"""unit_mismatch: the unit in the subject and the unit in the form differ."""
from __future__ import annotations

from datetime import datetime

from parsers.text import squash
from rules.common import text_of
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "unit_mismatch"
DESCRIPTION = "邮件主题中的单位与申报表中的单位不一致（提醒）"
SEVERITY = "warning"
# The mee subject names the recommending province, not the unit in the form.
_PROVINCE_SUBJECTS = ("mee-lowcarbon-2023",)


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    subject_unit = squash(submission.subject_unit or "")
    form_unit = squash(text_of(submission.fields.get("unit_name")))
    if not subject_unit or not form_unit or profile.id in _PROVINCE_SUBJECTS:
        return []
    if subject_unit in form_unit or form_unit in subject_unit:
        return []
    return [Finding(ID, "unit_name", profile.severity_of(ID, SEVERITY),
                    f"邮件主题中的单位“{submission.subject_unit}”与申报表中的“"
                    f"{submission.fields.get('unit_name')}”不一致，请确认")]
