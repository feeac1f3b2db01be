"""seal_missing: no seal was found where the notice requires one."""
from __future__ import annotations

from datetime import datetime

from rules.common import has_form
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "seal_missing"
DESCRIPTION = "未发现盖章（由秘书处人工确认）"
# Image analysis can only suggest a seal: a person confirms, unless the profile says error.
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    spec = profile.form.field("seal")
    if spec is None or not spec.required or not has_form(submission):
        return []
    scans = [d.seal for d in submission.of_kind("form_scan")]
    if submission.fields.get("seal") is True or True in scans:
        return []
    if submission.fields.get("seal") is None and None in scans:
        return []  # nobody can tell yet: no finding rather than a wrong one
    return [Finding(ID, "seal", profile.severity_of(ID, SEVERITY),
                    "申报表中未发现单位盖章，请确认已加盖公章")]
