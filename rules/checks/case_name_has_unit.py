"""case_name_has_unit: the case name contains the unit's name or its short form."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.text import nfkc
from rules.common import text_of
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "case_name_has_unit"
DESCRIPTION = "案例名称中含有企业名称"
SEVERITY = "error"
_SUFFIXES = r"(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司|分公司)$"
_REGION = r"^(中国|[\u4e00-\u9fff]{2,3}(省|市|自治区))"


def short_forms(unit: str) -> list[str]:
    """The unit's name, without its legal suffix, and without a leading region as well."""
    names = [unit]
    core = re.sub(_SUFFIXES, "", unit)
    names.append(core)
    names.append(re.sub(_REGION, "", core))
    return [n for n in dict.fromkeys(names) if len(n) >= 2]


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    case_name = nfkc(text_of(submission.fields.get("case_name")))
    unit = nfkc(submission.unit_name)
    if not profile.case_name_no_unit or not case_name or not unit:
        return []
    hit = next((n for n in short_forms(unit) if n in case_name), None)
    if hit is None:
        return []
    return [Finding(ID, "case_name", profile.severity_of(ID, SEVERITY),
                    f"案例名称“{case_name}”中出现了企业名称“{hit}”，通知要求案例名称中不要出现企业名称")]
