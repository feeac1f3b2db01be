"""case_name_has_abbrev: the case name contains a Latin-letter abbreviation."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.text import nfkc
from rules.common import text_of
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "case_name_has_abbrev"
DESCRIPTION = "案例名称中含有字母缩写"
SEVERITY = "error"
# Letters after NFKC, so full-width ＩＤＣ is caught too; "5G" counts, as the notice asks for
# no letter abbreviations at all.
_LETTERS = re.compile(r"[0-9A-Za-z]*[A-Za-z][0-9A-Za-z]*")


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    case_name = nfkc(text_of(submission.fields.get("case_name")))
    if not profile.case_name_no_abbrev or not case_name:
        return []
    letters = _LETTERS.findall(case_name)
    if not letters:
        return []
    return [Finding(ID, "case_name", profile.severity_of(ID, SEVERITY),
                    f"案例名称“{case_name}”中含有字母缩写“{'、'.join(letters)}”，通知要求不要使用字母缩写")]
