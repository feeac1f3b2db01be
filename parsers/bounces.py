"""Which of our replies a bounce is about, to whom it failed and why, from the bounce alone."""
from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from typing import Iterator

from parsers.mail import decode_bytes, html_to_text
from parsers.model import ParsedMail

_DIAGNOSTIC_LIMIT = 300
# A Message-ID header line: at a line's start (after quoting marks), the id on it or on the next,
# folded line; the colon may be lost in an HTML table cell. References and In-Reply-To lines
# never match: they name mails the bounced one answered, such as the reply a reminder follows.
_MESSAGE_ID = re.compile(r"^[ \t>]*message-id[ \t]*[:：]?[ \t]*(?:\r?\n[ \t>]*[ \t])?"
                         r"<?([^\s<>]+@[^\s<>]+)", re.I | re.M)
_ADDRESS = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
# The failed recipient as providers' plain bounces label it, the quoted original's To: last.
_RECIPIENT_LABELS = (r"(?:失败的?)?收(?:件|信)人(?:地址)?|收件地址|(?:failed |final |original )?recipients?",
                     r"to")
# An SMTP reply with its enhanced status: "550 5.1.1", "550-5.1.1", "550 #5.1.10".
_SMTP_STATUS = re.compile(r"\b[245]\d\d[ -]#?([245]\.\d{1,3}\.\d{1,3})\b")
_REASON_LABEL = re.compile(r"^[ \t]*(?:退信原因|失败原因|错误原因|错误信息|原因|reason|diagnostic(?:-code)?|"
                           r"remote server returned)[ \t]*[:：]?[ \t]*(.*)$", re.I | re.M)
_SMTP_REPLY = re.compile(r"\b[45]\d\d[ -]\S.*")


@dataclass(frozen=True)
class BounceReport:
    # Message-IDs of the bounced original(s), "<...>" form, in order found, deduplicated.
    message_ids: tuple[str, ...]
    # The failed address, lower-cased; "" if unknown.
    recipient: str
    # The DSN status like "5.1.1"; "" if unknown.
    status: str
    # Diagnostic-Code or the provider's reason text, one line of at most 300 characters.
    diagnostic: str


@dataclass(frozen=True)
class _Pieces:
    """What a bounce's parts hold, sorted by where it may be believed."""

    # Header blocks of the original: attached mails, text/rfc822-headers parts.
    originals: tuple[str, ...]
    # Human-readable bodies (HTML as text), which may quote the original's headers.
    texts: tuple[str, ...]
    # Both of the above in the order the parts come, where ids are looked for.
    in_order: tuple[str, ...]
    # The first per-recipient block of a message/delivery-status, names lower-cased.
    fields: dict[str, str]


def read_bounce(data: bytes, mail: ParsedMail) -> BounceReport:
    """The original Message-IDs, failed recipient, status and reason a bounce reports.

    Ids come only from what describes the bounced original (an attached mail or its headers, a
    header block quoted in the text); the bounce's own Message-ID never counts.
    """
    message = email.message_from_bytes(data, policy=policy.default)
    pieces = _pieces(message)
    return BounceReport(
        message_ids=_message_ids(pieces.in_order, _bare(mail.message_id)),
        recipient=_recipient(pieces, message),
        status=_status(pieces),
        diagnostic=_diagnostic(pieces),
    )


def _pieces(message: Message) -> _Pieces:
    originals, texts, in_order, blocks = [], [], [], []
    for part in _leaves(message):
        kind = part.get_content_type()
        if kind == "message/rfc822" or _filename(part).endswith(".eml"):
            originals.append(_attached_headers(part))
            in_order.append(originals[-1])
        elif kind in ("text/rfc822-headers", "message/rfc822-headers"):
            originals.append(_text(part))
            in_order.append(originals[-1])
        elif kind == "message/delivery-status":
            blocks.extend(_status_blocks(part))
        elif kind in ("text/plain", "text/html"):
            text = _text(part)
            texts.append(html_to_text(text) if kind == "text/html" else text)
            in_order.append(texts[-1])
    recipients = [b for b in blocks if "final-recipient" in b or "original-recipient" in b]
    return _Pieces(tuple(originals), tuple(texts), tuple(in_order),
                   recipients[0] if recipients else {})


def _leaves(part: Message) -> Iterator[Message]:
    """Every part, multiparts opened; attached mails and status blocks are left whole."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.get_payload():
            yield from _leaves(child)
    else:
        yield part


def _filename(part: Message) -> str:
    return (part.get_filename() or "").lower()


def _attached_headers(part: Message) -> str:
    """The header block of an attached mail, as text."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        inner = payload[0]
    else:  # an .eml sent as a file, or a message/rfc822 part the parser left as text
        inner = email.message_from_bytes(_bytes(part), policy=policy.default)
    return "".join(f"{name}: {value}\n" for name, value in inner.raw_items())


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status part, one dict each."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [{k.lower(): str(v) for k, v in block.raw_items()} for block in payload]
    blocks = re.split(r"\r?\n[ \t]*\r?\n", _text(part))  # sent base64-encoded: read as text
    return [_fields(block) for block in blocks]


def _fields(block: str) -> dict[str, str]:
    unfolded = re.sub(r"\r?\n[ \t]+", " ", block)
    found = (line.partition(":") for line in unfolded.splitlines() if ":" in line)
    return {name.strip().lower(): value.strip() for name, _, value in found}


def _bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else str(part.get_payload()).encode("utf-8", "replace")


def _text(part: Message) -> str:
    """A text part decoded; GB labels read as GB18030, as the parsers do."""
    return decode_bytes(_bytes(part), part.get_content_charset())


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()


def _message_ids(texts: tuple[str, ...], own: str) -> tuple[str, ...]:
    found = (match.group(1) for text in texts for match in _MESSAGE_ID.finditer(text))
    return tuple(dict.fromkeys(f"<{i}>" for i in found if i != own))


def _recipient(pieces: _Pieces, message: Message) -> str:
    fields = pieces.fields
    typed = fields.get("final-recipient") or fields.get("original-recipient", "")
    # "rfc822; nobody@example.cn"; Exim names it in X-Failed-Recipients instead.
    for value in (typed.rpartition(";")[2], str(message.get("x-failed-recipients", ""))):
        if found := re.search(_ADDRESS, value):
            return found.group().lower()
    return _labelled_address((*pieces.texts, *pieces.originals))


def _labelled_address(texts: tuple[str, ...]) -> str:
    """The first address on a line labelled as the recipient; the original's To: last."""
    for label in _RECIPIENT_LABELS:
        pattern = re.compile(rf"^[ \t>]*(?:{label})[ \t]*[:：][^\n@]*?<?({_ADDRESS})", re.I | re.M)
        for text in texts:
            if found := pattern.search(text.replace("\u3000", "")):
                return found.group(1).lower()
    return ""


def _status(pieces: _Pieces) -> str:
    """The delivery-status Status ("5.1.1 (user unknown)" read as 5.1.1), else an SMTP reply's."""
    if found := re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})", pieces.fields.get("status", "")):
        return found.group(1)
    for text in pieces.texts:
        if found := _SMTP_STATUS.search(text):
            return found.group(1)
    return ""


def _diagnostic(pieces: _Pieces) -> str:
    """Diagnostic-Code without its type; else the text's labelled reason or SMTP reply line."""
    code = pieces.fields.get("diagnostic-code", "")
    if code:
        return _one_line(code.partition(";")[2] if ";" in code[:12] else code)
    for text in pieces.texts:
        if reason := _labelled_reason(text):
            return _one_line(reason)
    for text in pieces.texts:
        if found := _SMTP_REPLY.search(text):
            return _one_line(found.group())
    return ""


def _labelled_reason(text: str) -> str:
    """The rest of a 退信原因:/Reason: line, or the next non-empty line when it is blank."""
    for found in _REASON_LABEL.finditer(text):
        rest = found.group(1).strip()
        if rest:
            return rest
        following = [line.strip() for line in text[found.end():].splitlines() if line.strip()]
        if following:
            return following[0]
    return ""


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:_DIAGNOSTIC_LIMIT]
