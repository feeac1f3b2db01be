"""Replies to applicants: receipt, deficiency notice, late notice, built as EmailMessage."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid

from outbox.render import render
from parsers.types import ParsedMail
from rules.common import chinese_date
from rules.profile import Profile
from rules.types import Finding, Submission
from rules.vocabulary import KIND_NAMES

PREFIXES = {"receipt": "【已受理】", "deficiency": "【需补正】", "late": "【逾期】"}
UPDATED = "【已更新】"
LOOP_HEADER = "X-Intake-Loop"


@dataclass(frozen=True)
class ReplySettings:
    from_addr: str
    from_name: str
    domain: str
    secretariat_name: str
    secretariat_contact: str


@dataclass(frozen=True)
class Reply:
    kind: str
    to: str
    subject: str
    message_id: str
    raw: bytes


def one_line(text: str, limit: int = 200) -> str:
    """Applicant text made safe for a header: no CR, LF, NUL or line separators; bounded."""
    flat = re.sub(r"[\r\n\x00\u2028\u2029\x0b\x0c]+", " ", text).strip()
    return flat[:limit]


def reply_subject(kind: str, original: str, reference: str, updated: bool) -> str:
    from pipeline.classify import strip_prefixes  # subject grammar lives with classification

    base = one_line(strip_prefixes(one_line(original, 400)), 120) or "案例申报材料"
    label = "登记编号" if kind == "late" else "受理编号"
    return f"{UPDATED if updated else ''}{PREFIXES[kind]}{base}（{label}：{reference}）"


def _size(n: int) -> str:
    return f"{n / 1048576:.1f}MB" if n >= 1048576 else f"{max(1, n // 1024)}KB"


def _context(settings: ReplySettings, profile: Profile, submission: Submission,
             findings: list[Finding], reference: str, updated: bool) -> dict[str, object]:
    category = submission.fields.get("category")
    return {
        "issuer": profile.issuer, "campaign_title": profile.title, "reference": reference,
        "unit_name": submission.unit_name or "（未识别）",
        "case_name": submission.fields.get("case_name") or "（未识别）",
        "category": category[0] if isinstance(category, tuple) and len(category) == 1 else "",
        "documents": [{"name": d.name, "kind": KIND_NAMES.get(d.kind, d.kind), "size": _size(d.size)}
                      for d in submission.documents if d.kind != "archive"],
        "photo_count": len(submission.of_kind("photo")),
        "errors": [f for f in findings if f.severity == "error" and f.rule != "deadline_passed"],
        "warnings": [f for f in findings if f.severity == "warning"],
        "deadline": chinese_date(profile.deadline) if profile.deadline else "",
        "late_policy": profile.late_policy, "updated": updated,
        "secretariat_name": settings.secretariat_name,
        "secretariat_contact": settings.secretariat_contact,
    }


def build_reply(settings: ReplySettings, profile: Profile, mail: ParsedMail,
                submission: Submission, findings: list[Finding], kind: str, reference: str,
                updated: bool, now: datetime) -> Reply | None:
    """The reply for a verdict, its Message-ID fixed now; None when there is no one to answer."""
    to = (mail.return_path or mail.from_addr or "").strip().lower()
    if not to or "@" not in to or to == settings.from_addr.lower():
        return None
    context = _context(settings, profile, submission, findings, reference, updated)
    message = EmailMessage(policy=default_policy)
    message["From"] = Address(settings.from_name, addr_spec=settings.from_addr)
    message["To"] = to
    message["Subject"] = reply_subject(kind, mail.subject, reference, updated)
    message["Date"] = format_datetime(now)
    message_id = make_msgid(domain=settings.domain)
    message["Message-ID"] = message_id
    if mail.message_id:
        message["In-Reply-To"] = one_line(mail.message_id, 500)
        message["References"] = one_line(" ".join((*mail.references, mail.message_id)), 900)
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = settings.domain
    # Template blocks leave blank-line runs behind; a letter has single blank lines.
    message.set_content(re.sub(r"\n{3,}", "\n\n", render(f"{kind}.txt.j2", context)))
    message.add_alternative(render(f"{kind}.html.j2", context), subtype="html")
    return Reply(kind, to, str(message["Subject"]), message_id, message.as_bytes())
