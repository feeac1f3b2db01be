"""body_contact_missing: the mail body lacks the contact the notice requires."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.text import nfkc
from rules.profile import Profile
from rules.types import Finding, Submission

ID = "body_contact_missing"
DESCRIPTION = "邮件正文未注明工作负责人姓名、联系电话或邮箱"
SEVERITY = "error"

_PATTERNS = {
    "name": re.compile(r"(负责人|联系人)(姓名)?\s*[:：]?\s*[\u4e00-\u9fff]{2,4}"),
    "phone": re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
}
_WHAT = {"name": "工作负责人姓名", "phone": "联系电话", "email": "邮箱"}


def found_contact(body: str) -> dict[str, bool]:
    """Which parts of a contact the body names (digits and @ read after NFKC)."""
    text = re.sub(r"[ \u00a0]", "", nfkc(body))
    return {part: bool(pattern.search(text)) for part, pattern in _PATTERNS.items()}


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    found = found_contact(submission.body)
    return [Finding(ID, part, profile.severity_of(ID, SEVERITY),
                    f"邮件正文未注明{_WHAT[part]}（通知要求在邮件内容中注明工作负责人姓名、联系电话和邮箱）")
            for part in profile.body_contact if not found.get(part, False)]
