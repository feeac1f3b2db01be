"""RFC 3834 loop safety: why no automatic reply may go to a mail, and where one would go."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from outbox.compose import LOOP_HEADER
from parsers.addresses import is_address
from parsers.automatic import automatic_kind, header_word, report_kind
from parsers.model import ParsedMail

# One sentence per reason, for the secretariat's views and the digest; in the order checked.
REASONS: dict[str, str] = {
    "our_own": "邮件来自本系统自身（我方的 Message-ID、循环标记头或征集邮箱地址），自动回复会造成邮件循环",
    "report": "邮件是退信或已读回执（投递或阅读报告），不自动回复",
    "auto_submitted": "邮件带有 Auto-Submitted 标记（自动发送），按 RFC 3834 不自动回复",
    "precedence": "邮件带有 Precedence: bulk/junk/list 标记（群发或邮件列表），不自动回复",
    "list": "邮件经由邮件列表转来（带有 List-Id 等 List-* 头），不向列表自动回复",
    "suppress": "发件方以 X-Auto-Response-Suppress 要求不要自动回复",
    "auto_reply": "邮件是自动回复（带有 X-Autoreply 等标记或“自动回复”类主题），不自动回复",
    "null_return_path": "邮件的退信地址（Return-Path）为空，按 RFC 3834 不自动回复",
    "daemon_sender": "发件地址是系统或不收信的地址（如 MAILER-DAEMON、postmaster、noreply），不自动回复",
    "not_addressed": "收件人和抄送中都没有征集邮箱（可能是密送或他人转来），不自动回复",
    "no_address": "找不到有效的回复地址（发件地址缺失或格式异常），不自动回复",
}

_SUPPRESSING = {"all", "oof", "autoreply"}
_DAEMON_LOCAL = re.compile(r"mailer-daemon|postmaster|no[-_]?reply|do[-_]?not[-_]?reply")


@dataclass(frozen=True)
class Ours:
    # Lower-cased addresses of the campaign mailboxes (RepliesConfig.addresses).
    addresses: frozenset[str]
    # The domain of our Message-IDs and the value of our loop header.
    domain: str


def reply_block(mail: ParsedMail, ours: Ours) -> str | None:
    """Why no automatic reply may go to this mail (a code of REASONS), or None."""
    for code, applies in CHECKS:
        if applies(mail, ours):
            return code
    return None


def reply_address(mail: ParsedMail) -> str | None:
    """Where a reply goes: the Return-Path, else the From address; lower-cased; None when that
    address is not a plain valid one.

    A Return-Path, when given, is where the sender asked answers to go, so an invalid one is not
    replaced by From. From counts only when its header shows that very address: a name like
    `alice@example.org <@evil.example>` must not become the recipient.
    """
    if mail.return_path:
        return _plain(mail.return_path)
    if mail.from_addr and _from_shows(mail):
        return _plain(mail.from_addr)
    return None


def _plain(address: str) -> str | None:
    address = address.strip().lower()
    return address if is_address(address) else None


def _from_shows(mail: ParsedMail) -> bool:
    """True when the raw From header names from_addr itself: inside its first <…>, or alone."""
    raw = mail.headers.get("from")
    if raw is None:  # a ParsedMail built without headers: the parser's reading is all there is
        return True
    raw = re.sub(r"\([^)]*\)", "", raw).strip()
    angle = re.search(r"<([^<>]*)>", raw)
    shown = angle.group(1) if angle else raw
    return shown.strip().lower() == mail.from_addr.lower()


def _local_part(address: str) -> str:
    """The local part without a +tag: 'noreply+x@example.com' is 'noreply'."""
    return address.rpartition("@")[0].split("+")[0].lower() if "@" in address else address.lower()


# --- The checks, one per reason ---------------------------------------------------------------

def _our_own(mail: ParsedMail, ours: Ours) -> bool:
    _, at, domain = mail.message_id.strip().rstrip(">").rpartition("@")
    domain = domain.strip().lower() if at else ""
    senders = {(mail.from_addr or "").lower(), (mail.return_path or "").lower()}
    return (domain == ours.domain.lower() or LOOP_HEADER.lower() in mail.headers
            or bool(senders & ours.addresses))


def _report(mail: ParsedMail, ours: Ours) -> bool:
    return report_kind(mail) is not None


def _auto_submitted(mail: ParsedMail, ours: Ours) -> bool:
    # Present but empty is no "no": a malformed marker is read as automatic.
    value = mail.headers.get("auto-submitted")
    return value is not None and header_word(value) != "no"


def _precedence(mail: ParsedMail, ours: Ours) -> bool:
    return header_word(mail.headers.get("precedence", "")) in ("bulk", "junk", "list",
                                                               "auto_reply")


def _list(mail: ParsedMail, ours: Ours) -> bool:
    return any(name.startswith("list-") for name in mail.headers)


def _suppress(mail: ParsedMail, ours: Ours) -> bool:
    value = mail.headers.get("x-auto-response-suppress", "")
    return bool({word.strip().lower() for word in value.split(",")} & _SUPPRESSING)


def _auto_reply(mail: ParsedMail, ours: Ours) -> bool:
    # Checked after the headers above, so what is left is X-Autoreply & co. or the subject.
    return automatic_kind(mail) == "auto_reply"


def _null_return_path(mail: ParsedMail, ours: Ours) -> bool:
    return mail.return_path == ""


def _daemon_sender(mail: ParsedMail, ours: Ours) -> bool:
    local = _local_part(mail.return_path if mail.return_path is not None else mail.from_addr)
    return (_DAEMON_LOCAL.fullmatch(local) is not None or local.endswith("-request")
            or local.startswith("owner-"))


def _not_addressed(mail: ParsedMail, ours: Ours) -> bool:
    return not ours.addresses & set(mail.to)


def _no_address(mail: ParsedMail, ours: Ours) -> bool:
    return reply_address(mail) is None


# First match wins, so the order decides which reason the secretariat reads. It runs from the
# gravest and surest to the weakest: our own mail coming back is the loop itself (our replies
# also carry Auto-Submitted, which would hide that); a report is a bounce or receipt whatever
# else it carries; then what the sender declared (Auto-Submitted, Precedence, List-*, Outlook's
# suppression, an auto-reply's own marks); then what the envelope implies (an empty Return-Path,
# a daemon's or list robot's address), which only guesses at what the headers above state; then
# whether the mail was addressed to us at all (Bcc, a colleague's forward); and last whether a
# reply could be addressed, a fault of the mail rather than a sign of automation.
CHECKS: tuple[tuple[str, Callable[[ParsedMail, Ours], bool]], ...] = (
    ("our_own", _our_own),
    ("report", _report),
    ("auto_submitted", _auto_submitted),
    ("precedence", _precedence),
    ("list", _list),
    ("suppress", _suppress),
    ("auto_reply", _auto_reply),
    ("null_return_path", _null_return_path),
    ("daemon_sender", _daemon_sender),
    ("not_addressed", _not_addressed),
    ("no_address", _no_address),
)
