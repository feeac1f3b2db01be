"""Mails encoded the way Chinese mail clients write them (GB18030 subjects, GBK file names)."""
from __future__ import annotations

import base64
import hashlib
import io
from datetime import datetime, timedelta, timezone
from email import encoders
from email.generator import BytesGenerator
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr
from html import escape
from urllib.parse import quote

CAMPAIGN_MAILBOX = "cases@example.org"
CST = timezone(timedelta(hours=8), "CST")

_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword", "pdf": "application/pdf", "jpg": "image/jpeg",
    "jpeg": "image/jpeg", "png": "image/png", "zip": "application/x-zip-compressed",
    "mp4": "video/mp4",
}
# How each client spells the charset in an encoded word.
_LABELS = {"gb18030": "GB18030", "gbk": "gbk", "utf-8": "UTF-8"}


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in China Standard Time (+0800), where every sample is sent."""
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def sample_id(key: str) -> str:
    return f"<sample-{key}@example.com>"


def _word(data: bytes, label: str) -> str:
    return f"=?{label}?B?{base64.b64encode(data).decode('ascii')}?="


def encode_words(text: str, charset: str = "gb18030") -> str:
    """RFC 2047 B-encoded words of at most 75 characters, split between characters and
    folded one per line (the generator folds nothing itself)."""
    label = _LABELS.get(charset.lower(), charset)
    budget = (75 - len(f"=?{label}?B??=")) // 4 * 3
    words, chunk = [], b""
    for ch in text:
        encoded = ch.encode(charset)
        if len(chunk) + len(encoded) > budget:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\n ".join(_word(w, label) for w in words)


def _content_type(name: str) -> tuple[str, str]:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    main, sub = _TYPES.get(extension, "application/octet-stream").split("/", 1)
    return main, sub


def _name_params(name: str, style: str) -> tuple[str, str]:
    """(Content-Type name parameter, Content-Disposition filename parameter)."""
    if style == "rfc2231":
        value = "UTF-8''" + quote(name.encode("utf-8"), safe="")
        return f"name*={value}", f"filename*={value}"
    if style == "rfc2047":
        try:
            word = _word(name.encode("gbk"), "GBK")
        except UnicodeEncodeError:
            word = _word(name.encode("gb18030"), "GB18030")
        # One encoded word, however long, inside the quotes: as QQ Mail and Coremail write it.
        return f'name="{word}"', f'filename="{word}"'
    raise ValueError(f"unknown filename style {style!r}")


def _attachment(name: str, data: bytes, style: str) -> MIMEBase:
    main, sub = _content_type(name)
    part = MIMEBase(main, sub)
    part.set_payload(data)
    encoders.encode_base64(part)
    type_param, disposition_param = _name_params(name, style)
    del part["MIME-Version"]
    part.replace_header("Content-Type", f"{main}/{sub};\n\t{type_param}")
    part.add_header("Content-Disposition", f"attachment;\n\t{disposition_param}")
    return part


def _html(body: str, charset: str) -> str:
    lines = "".join(f"<div>{escape(line) or '<br>'}</div>" for line in body.splitlines())
    return f"<html><head><meta charset=\"{charset}\"></head><body>{lines}</body></html>"


def _text(body: str, subtype: str, charset: str) -> MIMEText:
    part = MIMEText(body, subtype, charset)
    del part["MIME-Version"]
    return part


def _body(body: str, charset: str, html: bool, boundary: str) -> Message:
    """text/plain, or multipart/alternative with an HTML copy as webmail sends."""
    if not html:
        return _text(body, "plain", charset)
    alternative = MIMEMultipart("alternative", boundary=boundary + "_alt")
    del alternative["MIME-Version"]
    alternative.attach(_text(body, "plain", charset))
    alternative.attach(_text(_html(body, charset), "html", charset))
    return alternative


def _reheader(message: Message, first: list[tuple[str, str]]) -> None:
    """Put the envelope headers first, then the MIME headers the classes already set."""
    mime = [(k, v) for k, v in message.items() if k != "MIME-Version"]
    for key in set(message.keys()):
        del message[key]
    for key, value in first + mime:
        message[key] = value


def mail(subject: str, from_addr: str, body: str, attachments: list[tuple[str, bytes]], *,
         date: datetime, message_id: str, subject_charset: str = "gb18030",
         filename_style: str = "rfc2231", in_reply_to: str | None = None,
         headers: dict[str, str] | None = None, html: bool = False,
         sent: datetime | None = None, to: str = CAMPAIGN_MAILBOX) -> bytes:
    """One .eml as it arrives in the campaign mailbox.

    `date` is the arrival (the Received header); the Date header is `sent`, by default one
    minute earlier. `from_addr` is "显示名 <addr>"; the display name and the subject are
    encoded in `subject_charset` (gb18030, gbk or utf-8), which the body text also uses.
    Attachment names are RFC 2231 (filename*=UTF-8''…) or RFC 2047 inside the quotes
    (filename="=?GBK?B?…?="). Boundaries derive from the Message-ID: same input, same bytes.
    """
    message_id = message_id if message_id.startswith("<") else f"<{message_id}>"
    boundary = "----=_NextPart_" + hashlib.sha1(message_id.encode()).hexdigest()[:24]
    content = _body(body, subject_charset, html, boundary)
    if attachments:
        message: Message = MIMEMultipart("mixed", boundary=boundary)
        message.attach(content)
        for name, data in attachments:
            message.attach(_attachment(name, data, filename_style))
    else:
        message = content
    display, address = parseaddr(from_addr)
    sender = f"{encode_words(display, subject_charset)} <{address}>" if display else address
    envelope = [
        ("Received", "from mail.example.com (mail.example.com [192.0.2.25])\n\tby mx.example.org "
                     f"with ESMTPS id {boundary[-12:]};\n\t{format_datetime(date)}"),
        ("Date", format_datetime(sent or date - timedelta(minutes=1))),
        ("From", sender), ("To", to), ("Subject", encode_words(subject, subject_charset)),
        ("Message-ID", message_id),
    ]
    if in_reply_to:
        envelope += [("In-Reply-To", in_reply_to), ("References", in_reply_to)]
    envelope += list((headers or {}).items())
    envelope.append(("MIME-Version", "1.0"))
    _reheader(message, envelope)
    out = io.BytesIO()
    # maxheaderlen=0: headers are folded above, exactly where the clients fold them.
    BytesGenerator(out, mangle_from_=False, maxheaderlen=0).flatten(message)
    return out.getvalue()
