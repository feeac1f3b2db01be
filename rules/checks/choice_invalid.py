"""choice_invalid: no option, or more than one, is marked for a single-choice field."""
from __future__ import annotations

from datetime import datetime

from rules.common import has_form
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import field_name

ID = "choice_invalid"
DESCRIPTION = "单选项未勾选或勾选了多项"
SEVERITY = "error"


def _marked(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if not has_form(submission):
        return []
    findings = []
    for spec in profile.form.fields:
        if spec.type != "choice" or not spec.required or spec.key in submission.unreadable:
            continue  # an unreadable mark is field_unreadable's
        marked = _marked(submission.fields.get(spec.key))
        if len(marked) == 1:
            continue
        options = "、".join(spec.choices)
        found = "未勾选任何一项" if not marked else f"勾选了{len(marked)}项（{'、'.join(marked)}）"
        findings.append(Finding(ID, spec.key, profile.severity_of(ID, SEVERITY),
                                f"“{field_name(spec.key)}”应在“{options}”中勾选一项，现{found}"))
    return findings
