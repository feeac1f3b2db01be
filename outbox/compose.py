"""Replies to applicants: receipt, deficiency notice, late notice, built as EmailMessage."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from outbox import echo
from outbox.render import render
from parsers.model import ParsedMail
from rules.common import byte_size, chinese_date
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import KIND_NAMES

# The reply that answers each verdict a submission can have.
REPLY_KINDS = {"complete": "receipt", "deficient": "deficiency", "late": "late",
               "rejected": "rejection"}
PREFIXES = {"receipt": "【已受理】", "deficiency": "【需补正】", "late": "【逾期】",
            "rejection": "【不予受理】"}
UPDATED = "【已更新】"
LOOP_HEADER = "X-Intake-Loop"


@dataclass(frozen=True)
class ReplySettings:
    from_addr: str
    from_name: str
    domain: str
    secretariat_name: str
    secretariat_contact: str
    # [replies] templates: a folder of template overrides (see outbox/render.py).
    templates: Path | None = None


@dataclass(frozen=True)
class Reply:
    kind: str
    to: str
    subject: str
    message_id: str
    raw: bytes


@dataclass(frozen=True)
class Answer:
    """What a reply says: its kind, the reference, the findings of the current version, and
    for a correction the findings of the version it replaces (None for a first reply)."""

    kind: str
    reference: str
    findings: tuple[Finding, ...]
    previous: tuple[Finding, ...] | None = None
    # A rejection's reason, in the secretariat's words (`intake reject --note`).
    note: str = ""

    @property
    def updated(self) -> bool:
        return self.previous is not None

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" and f.rule != "deadline_passed"]

    def resolved(self) -> list[Finding]:
        """The previous version's errors that the correction put right."""
        still = {(f.rule, f.field) for f in self.errors()}
        return [f for f in self.previous or () if f.severity == "error"
                and f.rule != "deadline_passed" and (f.rule, f.field) not in still]


_MESSAGE_ID = re.compile(r"<[^<>\s@]{1,250}@[^<>\s@]{1,250}>")


def one_line(text: str, limit: int = 200) -> str:
    """Applicant text made safe for a header: no CR, LF, NUL or line separators; bounded."""
    flat = re.sub(r"[\r\n\x00\u2028\u2029\x0b\x0c\x85]+", " ", text).strip()
    return flat[:limit]


def message_ids(text: str, keep: int = 10) -> list[str]:
    """The well-formed <id@domain> tokens of an applicant's header, the last `keep` of them."""
    return _MESSAGE_ID.findall(text or "")[-keep:]


# The part of a notice's subject convention that follows the unit: 【单位名称】绿盟案例征集.
_UNIT_SLOT = "【单位名称】"


def campaign_label(profile: Profile) -> str:
    """What a reply's subject calls the campaign: the notice's subject after 【单位名称】, else
    the notice's title."""
    example = profile.subject.example
    return example[len(_UNIT_SLOT):] if example.startswith(_UNIT_SLOT) else profile.title


def reply_subject(kind: str, profile: Profile, unit: str, reference: str, updated: bool) -> str:
    """【已受理】【示例单位】绿盟案例征集（受理编号：REF）: built from the notice and the unit's name
    as read (outbox/echo.py), never from the mail's own subject."""
    unit = echo.unit_name(unit)
    base = one_line(f"【{unit}】" if unit else "", 80) + campaign_label(profile)
    label = "登记编号" if kind == "late" else "受理编号"
    return f"{UPDATED if updated else ''}{PREFIXES[kind]}{base}（{label}：{reference}）"


def _context(settings: ReplySettings, profile: Profile, submission: Submission,
             answer: Answer) -> dict[str, object]:
    category = submission.fields.get("category")
    return {
        "issuer": profile.issuer, "campaign_title": profile.title, "reference": answer.reference,
        "unit_name": echo.unit_name(submission.unit_name) or "（未识别）",
        "case_name": echo.case_name(str(submission.fields.get("case_name") or "")) or "（未识别）",
        "category": category[0] if isinstance(category, tuple) and len(category) == 1 else "",
        "documents": [{"name": echo.defanged(d.name), "kind": KIND_NAMES.get(d.kind, d.kind),
                       "size": byte_size(d.size)}
                      for d in submission.documents if d.kind != "archive"],
        "photo_count": len(submission.of_kind("photo")),
        "errors": _defanged(answer.errors()), "resolved": _defanged(answer.resolved()),
        "warnings": _defanged([f for f in answer.findings if f.severity == "warning"]),
        "deadline": chinese_date(profile.deadline) if profile.deadline else "",
        "late_policy": profile.late_policy, "updated": answer.updated, "note": answer.note,
        "secretariat_name": settings.secretariat_name,
        "secretariat_contact": settings.secretariat_contact,
    }


def _defanged(findings: list[Finding]) -> list[Finding]:
    """Findings as a reply lists them: what they quote of the mail without its links."""
    return [replace(f, message=echo.defanged(f.message)) for f in findings]


@dataclass(frozen=True)
class Envelope:
    """The headers of one outgoing mail; every value here is already safe for a header."""

    to: str
    subject: str
    # auto-replied for answers to an applicant's mail, auto-generated for reminders and digests.
    auto_submitted: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def assemble(settings: ReplySettings, envelope: Envelope, text: str, html: str, now: datetime,
             files: tuple[tuple[str, bytes, str, str], ...] = ()) -> tuple[str, bytes]:
    """(Message-ID, bytes) of a mail with a plain and an HTML part saying the same thing, and
    the files (name, data, maintype, subtype) attached after them."""
    message = EmailMessage(policy=default_policy)
    message["From"] = Address(settings.from_name, addr_spec=settings.from_addr)
    if envelope.to:  # a digest written to a file for reading has no recipient
        message["To"] = envelope.to
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(now)
    message_id = make_msgid(domain=settings.domain)
    message["Message-ID"] = message_id
    if envelope.in_reply_to:
        message["In-Reply-To"] = envelope.in_reply_to
    if envelope.references:
        message["References"] = " ".join(envelope.references)
    message["Auto-Submitted"] = envelope.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = settings.domain
    # Template blocks leave blank-line runs behind; a letter has single blank lines.
    message.set_content(re.sub(r"\n{3,}", "\n\n", text))
    message.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in files:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message_id, message.as_bytes()


def build_reply(settings: ReplySettings, profile: Profile, mail: ParsedMail,
                submission: Submission, answer: Answer, to: str, now: datetime) -> Reply:
    """The reply to `to` (a checked address, see outbox/loops.py), its Message-ID fixed now."""
    context = _context(settings, profile, submission, answer)
    original = message_ids(mail.message_id, 1)
    envelope = Envelope(
        to=to, subject=reply_subject(answer.kind, profile, submission.unit_name, answer.reference,
                                     answer.updated),
        auto_submitted="auto-replied", in_reply_to=original[0] if original else "",
        references=tuple(message_ids(" ".join(mail.references)) + original))
    text = render(f"{answer.kind}.txt.j2", context, settings.templates, profile.id)
    html = render(f"{answer.kind}.html.j2", context, settings.templates, profile.id)
    message_id, raw = assemble(settings, envelope, text, html, now)
    return Reply(answer.kind, to, envelope.subject, message_id, raw)
