"""field_missing: a required field of the form, or a part of the write-up, is empty."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.text import nfkc
from rules.common import has_form, is_empty
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import field_name

ID = "field_missing"
DESCRIPTION = "申报表必填项或案例报告必备部分为空"
SEVERITY = "error"
# Choices and seals have rules of their own (choice_invalid, seal_missing).
_OWN_RULE = {"choice", "seal"}


def _form_findings(submission: Submission, profile: Profile) -> list[Finding]:
    severity = profile.severity_of(ID, SEVERITY)
    return [Finding(ID, spec.key, severity, f"申报表中“{field_name(spec.key)}”未填写")
            for spec in profile.form.fields
            if spec.required and spec.type not in _OWN_RULE
            and spec.key not in submission.unreadable  # field_unreadable says it instead
            and is_empty(submission.fields.get(spec.key))]


def _writeup_findings(submission: Submission, profile: Profile) -> list[Finding]:
    writeups = submission.of_kind("writeup")
    if profile.writeup is None or not writeups:
        return []
    doc, severity, findings = writeups[-1], profile.severity_of(ID, SEVERITY), []
    if not doc.title:
        findings.append(Finding(ID, "title", severity, "案例报告缺少主标题"))
    pattern = profile.writeup.subtitle_pattern
    if pattern and not re.search(pattern, nfkc(doc.subtitle)):
        found = f"现为“{doc.subtitle}”" if doc.subtitle else "未找到副标题"
        findings.append(Finding(ID, "subtitle", severity,
                                f"副标题应为“{profile.writeup.subtitle_example}”的格式，{found}"))
    present = {s.name for s in doc.sections if s.text.strip()}
    for section in profile.writeup.sections:
        if section.name not in present:
            findings.append(Finding(ID, f"section:{section.name}", severity,
                                    f"案例报告缺少“{section.name}”部分"))
    return findings


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    form = _form_findings(submission, profile) if has_form(submission) else []
    return form + _writeup_findings(submission, profile)
