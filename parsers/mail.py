"""Raw mail bytes to ParsedMail: the only importer of mailparser."""
from __future__ import annotations

import base64
import email.header
import email.utils
import html
import re
from datetime import datetime
from email.message import Message

import mailparser

from parsers.types import Attachment, ParsedMail
from pipeline.errors import UnreadableMail

# Chinese clients label GBK text as gb2312 (or cp936, euc-cn); GB18030 is the superset that
# decodes all of them, so a GB2312-labelled 喆 still comes out right.
_GB_ALIASES = {"gb2312", "gbk", "cp936", "euc-cn", "euccn", "x-gbk", "gb_2312-80", "csgb2312"}


def codec_for(charset: str | None) -> str:
    """The codec to decode a declared charset with."""
    name = (charset or "utf-8").strip().strip('"').lower()
    return "gb18030" if name in _GB_ALIASES else name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; unknown or wrong labels fall back to UTF-8, then GB18030."""
    for codec in (codec_for(charset), "utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def decode_words(value: str | None) -> str:
    """An RFC 2047 header value (also inside quotes, as Chinese clients write filenames)."""
    if not value:
        return ""
    value = str(value)
    # decode_header ignores encoded words glued to quotes or text; give them room.
    spaced = re.sub(r'(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)', r' \1 ', value).strip()
    try:
        parts = email.header.decode_header(spaced)
    except email.errors.HeaderParseError:
        return value
    # Adjacent encoded words in one charset are joined before decoding: clients split them
    # mid-character.
    chunks: list[tuple[bytes, str | None]] = []
    for data, charset in parts:
        data = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        if chunks and chunks[-1][1] == charset:
            chunks[-1] = (chunks[-1][0] + data, charset)
        else:
            chunks.append((data, charset))
    text = "".join(decode_bytes(data, charset) for data, charset in chunks)
    return re.sub(r"\s+", " ", text).strip() if text != value else value


def _header(message: Message, name: str) -> str:
    raw = message.get(name)
    return decode_words(raw) if raw is not None else ""


def _filename(part: Message) -> str:
    """The attachment name: RFC 2231 parameters first, then RFC 2047 words in quotes."""
    name = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if isinstance(name, tuple):  # RFC 2231: (charset, language, value)
        charset, _, value = name
        # The stdlib keeps the percent-decoded octets as code points 0-255.
        return decode_bytes(value.encode("raw-unicode-escape"), charset) if charset else value
    return decode_words(name) if name else ""


def arrived_at(message: Message) -> datetime | None:
    """The first (topmost) Received header's date, else Date."""
    for received in message.get_all("received", []):
        stamp = str(received).rpartition(";")[2].strip()
        if parsed := _parse_date(stamp):
            return parsed
    return _parse_date(message.get("date"))


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


def html_to_text(markup: str) -> str:
    """HTML reduced to text for the rules that read the body."""
    markup = re.sub(r"(?is)<(script|style).*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _bodies(message: Message) -> tuple[str, str]:
    """The text and HTML bodies, decoded with GB18030 for every GB label."""
    texts: list[str] = []
    htmls: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment" or _filename(part):
            continue
        target = {"text/plain": texts, "text/html": htmls}.get(part.get_content_type())
        if target is not None:
            payload = part.get_payload(decode=True) or b""
            target.append(decode_bytes(payload, part.get_content_charset()))
    return "\n".join(texts), "\n".join(htmls)


def _attachments(parser: mailparser.MailParser, message: Message) -> tuple[Attachment, ...]:
    """Attachments with their payload decoded once, here.

    mail-parser decodes names with the declared charset only; the name is recovered from the
    MIME part carrying the same bytes, with GB18030 for GB labels and RFC 2231 handled.
    """
    names = {}
    for part in message.walk():
        if not part.is_multipart() and (name := _filename(part)):
            names.setdefault(part.get_payload(decode=True) or b"", name)
    result = []
    for item in parser.attachments:
        payload = item["payload"]
        data = base64.b64decode(payload) if item.get("binary") else payload.encode("utf-8")
        name = names.get(data) or item["filename"]
        result.append(Attachment(name=_basename(name), content_type=item.get("mail_content_type", ""),
                                 data=data))
    return tuple(result)


def _basename(name: str) -> str:
    """File names are display text: keep the last path component only."""
    return re.split(r"[\\/]", name)[-1].strip() or "unnamed"


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    values = [decode_words(v) for v in message.get_all(name, [])]
    return [(n, a.lower()) for n, a in email.utils.getaddresses(values) if a]


def parse_mail(data: bytes) -> ParsedMail:
    """Parse raw bytes; raise UnreadableMail when they are not a mail at all."""
    if not data.strip() or b":" not in data[:2000]:
        raise UnreadableMail("the bytes do not start with mail headers")
    try:
        parser = mailparser.MailParser.from_bytes(data)
    except Exception as error:  # mailparser raises its own tree and stdlib errors alike
        raise UnreadableMail(f"mail-parser could not read the message: {error}") from error
    message = parser.message
    if message is None or not message.keys():
        raise UnreadableMail("the message has no headers")
    text, markup = _bodies(message)
    sender = (_addresses(message, "from") or [("", "")])[0]
    return_path = email.utils.parseaddr(message.get("return-path", ""))[1] if message.get(
        "return-path") is not None else None
    return ParsedMail(
        message_id=str(message.get("message-id", "")).strip(),
        subject=_header(message, "subject"),
        from_addr=sender[1], from_name=sender[0],
        to=tuple(a for _, a in _addresses(message, "to") + _addresses(message, "cc")),
        return_path=return_path,
        date=_parse_date(message.get("date")), arrived_at=arrived_at(message),
        text=text or html_to_text(markup), html=markup,
        in_reply_to=str(message.get("in-reply-to", "")).strip(),
        references=tuple(str(message.get("references", "")).split()),
        headers={k.lower(): _header(message, k) for k in dict.fromkeys(message.keys())},
        attachments=_attachments(parser, message),
        content_type=message.get_content_type(),
    )
