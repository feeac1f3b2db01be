"""Raw mail bytes to ParsedMail, through the standard library's parser (parsers/skeleton.py)."""
from __future__ import annotations

import base64
import email
import email.utils
import html
import mimetypes
import quopri
import re
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import Message
from typing import Iterator

from parsers import skeleton, tnef
from parsers.addresses import mailbox
from parsers.errors import UnreadableMail
from parsers.forward import Forwarded, forwarded_mail, render
from parsers.model import Attachment, ParsedMail

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
    """An RFC 2047 header value (also inside quotes, as Chinese clients write filenames).

    Adjacent encoded words in one charset are joined as bytes before decoding: clients split
    them mid-character. Words glued to quotes or text are found all the same.
    """
    if not value:
        return ""
    value = str(value)
    pieces: list[str | tuple[bytearray, str]] = []
    position = 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[position:word.start()]
        if between and not (between.isspace() and pieces and isinstance(pieces[-1], tuple)):
            pieces.append(between)
        _add_word(pieces, _word_bytes(word), codec_for(word["charset"]))
        position = word.end()
    if not pieces:
        return value
    pieces.append(value[position:])
    text = "".join(p if isinstance(p, str) else decode_bytes(bytes(p[0]), p[1]) for p in pieces)
    return re.sub(r"\s+", " ", text).strip()


_ENCODED_WORD = re.compile(r"=\?(?P<charset>[^?\s*]+)(?:\*[^?\s]*)?\?(?P<kind>[bBqQ])\?"
                           r"(?P<text>[^?\s]*)\?=")


def _word_bytes(word: re.Match[str]) -> bytes:
    text = word["text"]
    if word["kind"] in "bB":
        return _unbase64(text)
    quoted = re.sub(r"=([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), text.replace("_", " "))
    return quoted.encode("latin-1", "replace")


def _add_word(pieces: list[str | tuple[bytearray, str]], data: bytes, codec: str) -> None:
    """Glue a word to the previous one in place: a subject of 100 000 words stays linear."""
    if pieces and isinstance(pieces[-1], tuple) and pieces[-1][1] == codec:
        pieces[-1][0].extend(data)
    else:
        pieces.append((bytearray(data), codec))


def _unbase64(text: str) -> bytes:
    """Base64 as clients write it: stray characters skipped, padding restored."""
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", text.encode("ascii", "surrogateescape"))
    data = data[:-1] if len(data) % 4 == 1 else data  # a lone last character holds no byte
    return base64.b64decode(data + b"=" * (-len(data) % 4))


def _recover(value: str) -> str:
    """A raw header value: 8-bit bytes (which email keeps surrogate-escaped) read as UTF-8 when
    they are valid UTF-8, else GB18030, as Chinese clients send them unencoded."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value)
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


# Authentication-Results headers kept: the receiving server's own are the topmost few.
_AUTH_HEADERS = 20


def _raw_values(message: Message, name: str) -> list[str]:
    """Every value of a header from the raw bytes, not email's mangled view of 8-bit text."""
    return _index(message).get(name.lower(), [])


def _index(message: Message) -> dict[str, list[str]]:
    """The part's headers by lower-cased name, read in one pass and kept on the part: looking
    each name up by a scan of all headers made 32 000 header lines take minutes."""
    index = getattr(message, "_intake_headers", None)
    if index is None:
        index = {}
        for key, value in message.raw_items():
            index.setdefault(key.lower(), []).append(_recover(value))
        message._intake_headers = index  # type: ignore[attr-defined]
    return index


def _header(message: Message, name: str) -> str:
    values = _raw_values(message, name)
    return decode_words(values[0]) if values else ""


def _filename(part: Message) -> str:
    """The attachment name from Content-Disposition, else Content-Type's name parameter."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        values = _raw_values(part, header)
        if values and (name := _param(values[0], param)):
            return name
    return ""


def _param(value: str, name: str) -> str:
    """One parameter of a header value: RFC 2231 (continuations joined as octets before
    decoding, GB labels read as GB18030), RFC 2047 words in quotes, or plain (recovered) text."""
    holder = Message()
    holder["x-params"] = value
    found = holder.get_param(name, header="x-params")
    if isinstance(found, tuple):  # RFC 2231: (charset, language, octets as code points 0-255)
        charset, _, text = found
        try:
            return decode_bytes(text.encode("latin-1"), charset or None)
        except UnicodeEncodeError:  # 8-bit text written after filename*=, already recovered
            return text
    return decode_words(str(found)) if found else ""


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
    markup = _without_blocks(_without_blocks(markup, "script"), "style")
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _without_blocks(markup: str, tag: str) -> str:
    """Markup without its <tag>…</tag> blocks, in one pass: a regex would rescan to the end for
    every unclosed tag, which a hostile body can repeat thousands of times."""
    lower, kept, position = markup.lower(), [], 0
    while (start := lower.find(f"<{tag}", position)) >= 0:
        end = lower.find(f"</{tag}", start)
        if end < 0:
            break
        kept.append(markup[position:start])
        position = lower.find(">", end) + 1 or len(markup)
    return " ".join(kept + [markup[position:]])


# A forward inside a forward inside a forward is unwrapped; anything deeper stays an .eml file.
_MAX_DEPTH = 3


@dataclass(frozen=True)
class _Content:
    """What one message level carries, with the mails it forwards as attachments flattened in."""

    text: str
    html: str
    attachments: tuple[Attachment, ...]


def _content(message: Message, depth: int = 0) -> _Content:
    """The text and HTML bodies (GB labels decoded as GB18030) and the attached files.

    A forwarded mail (message/rfc822 or an attached .eml) adds its files to ours and its body,
    under a header block naming its sender, to our text, so rules see its contact lines.
    """
    texts, htmls, files, inner = [], [], [], []
    for part in _parts(message):
        if depth < _MAX_DEPTH and (forwarded := _forwarded_message(part)) is not None:
            inner.append(_forwarded_content(forwarded, depth + 1))
        elif _is_attachment(part):
            files.extend(_files(part))
        elif (kind := part.get_content_type()) in ("text/plain", "text/html"):
            (texts if kind == "text/plain" else htmls).append(
                decode_bytes(_payload(part), part.get_content_charset()))
    own_text = "\n".join(texts) or html_to_text("\n".join(htmls))
    return _Content(text=_join(own_text, *(c.text for c in inner)),
                    html=_join(*htmls, *(c.html for c in inner)),
                    attachments=tuple(files) + tuple(f for c in inner for f in c.attachments))


def _forwarded_content(message: Message, depth: int) -> _Content:
    """A forwarded mail's content, its text opened by the header block a forward shows."""
    content = _content(message, depth)
    return replace(content, text=render(_forwarded(message)) + content.text)


def _join(*pieces: str) -> str:
    return "\n".join(p for p in pieces if p)


def _parts(part: Message) -> Iterator[Message]:
    """The leaves of one message level: multiparts opened, attached mails left whole."""
    if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list):
        for child in part.get_payload():
            yield from _parts(child)
    else:
        yield part


def _forwarded_message(part: Message) -> Message | None:
    """The mail inside a message/rfc822 part or an attached .eml file, else None."""
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
    elif not _filename(part).lower().endswith(".eml"):
        return None
    inner = skeleton.parse(_payload(part))
    return inner if inner.get("from") or inner.get("subject") else None


def _forwarded(message: Message) -> Forwarded:
    """The header block of a forwarded mail, decoded as the outer mail's headers are."""
    name, addr = (_addresses(message, "from") or [("", "")])[0]
    return Forwarded(name, addr, _header(message, "subject"), _header(message, "date"))


def _is_attachment(part: Message) -> bool:
    """A named part, one marked attachment, a mail too deep to unwrap, or any non-text part."""
    return (bool(_filename(part)) or part.get_content_disposition() == "attachment"
            or part.get_content_type() == "message/rfc822"
            or part.get_content_maintype() not in ("text", "message", "multipart"))


def _payload(part: Message) -> bytes:
    """The part's bytes, decoded once here; "base64 " with a stray space still counts."""
    payload = part.get_payload()
    if isinstance(payload, list):  # an attached mail kept whole
        return b"".join(p.as_bytes() for p in payload if isinstance(p, Message))
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding == "base64":
        body = getattr(part, "raw_base64", None)
        if body is None:
            return _unbase64(str(payload))
        decoded = skeleton.decode_base64(body)
        return decoded if decoded is not None else _unbase64(
            body.data[body.start:body.end].decode("ascii", "surrogateescape"))
    if encoding == "quoted-printable":
        return quopri.decodestring(str(payload).encode("ascii", "surrogateescape"))
    return part.get_payload(decode=True) or b""


def _files(part: Message) -> tuple[Attachment, ...]:
    """One attachment; a readable winmail.dat becomes the files Outlook packed into it."""
    kind = part.get_content_type()
    default = "forwarded.eml" if kind == "message/rfc822" else "unnamed"
    attachment = Attachment(_basename(_filename(part) or default), kind, _payload(part))
    if "tnef" not in kind and attachment.name.lower() != "winmail.dat":
        return (attachment,)
    unpacked = tnef.unwrap(attachment.data)
    if unpacked is None:  # damaged or not TNEF: kept, so a person sees it could not be read
        return (attachment,)
    return tuple(Attachment(_basename(f.name), f.content_type or _guess_type(f.name), f.data)
                 for f in unpacked)


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _basename(name: str) -> str:
    """File names are display text: the last path component only, without the control and
    direction characters a name may be bent with (a NUL in a reply, 照片\u202egpj.exe)."""
    return _UNSHOWN.sub("", re.split(r"[\\/]", name)[-1]).strip() or "unnamed"


# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides, isolates and marks.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    values = [decode_words(v) for v in _raw_values(message, name)]
    return [(n, a.lower()) for n, a in email.utils.getaddresses(values) if a]


def _sender(message: Message) -> tuple[str, str]:
    """(name, address) of the one From mailbox, read strictly; ("", "") when there is not
    exactly one plain one (see parsers/addresses.py): such a mail is credited to no one."""
    values = _raw_values(message, "from")
    found = mailbox(decode_words(values[0])) if len(values) == 1 else None
    return found or ("", "")


def _return_path(value: object) -> str | None:
    """None without the header, "" for the null path <>, else its address; an address that is
    not plain stays as written, so that no reply goes to it (nor, instead, to From)."""
    if value is None:
        return None
    text = str(value).strip()
    if text in ("", "<>"):
        return ""
    found = mailbox(text)
    return found[1] if found else text


# Real mail, relayed through a few servers and signed twice, carries well under a hundred header
# fields in a few kilobytes; only a mail built to stall the parser needs more.
MAX_HEADER_FIELDS = 1000
MAX_HEADER_BYTES = 256 * 1024


def _check_header_size(data: bytes) -> None:
    """Refuse a header block past the limits before anything parses it (one pass over it)."""
    end = skeleton.end_of_headers(data)
    size = end if end >= 0 else len(data)
    if size > MAX_HEADER_BYTES:
        raise UnreadableMail(f"邮件头过大（{size // 1024} KB，上限{MAX_HEADER_BYTES // 1024} KB），"
                             "疑似构造的异常邮件")
    fields = len(_FIELD_START.findall(data, 0, size)) + 1
    if fields > MAX_HEADER_FIELDS:
        raise UnreadableMail(f"邮件头字段过多（{fields}个，上限{MAX_HEADER_FIELDS}个），疑似构造的异常邮件")


_FIELD_START = re.compile(rb"\n(?![ \t\r\n])")


def parse_mail(data: bytes) -> ParsedMail:
    """Parse raw bytes; raise UnreadableMail when they are not a mail at all.

    The standard library reads the structure (parsers/skeleton.py says why not mail-parser);
    the bodies and files come from our own walk of its message, because names need the raw
    header bytes and forwards and winmail.dat need the structure.
    """
    if not data.strip() or b":" not in data[:2000]:
        raise UnreadableMail("the bytes do not start with mail headers")
    _check_header_size(data)
    try:
        message = skeleton.parse(data)
    except Exception as error:  # the parser is forgiving; anything it raises is a broken mail
        raise UnreadableMail(f"the message could not be parsed: {error}") from error
    if not message.keys():
        raise UnreadableMail("the message has no headers")
    content = _content(message)
    subject = _header(message, "subject")
    sender = _sender(message)
    return_path = _return_path(message.get("return-path"))
    return ParsedMail(
        message_id=str(message.get("message-id", "")).strip(),
        subject=subject,
        from_addr=sender[1], from_name=sender[0],
        to=tuple(a for _, a in _addresses(message, "to") + _addresses(message, "cc")),
        return_path=return_path,
        date=_parse_date(message.get("date")), arrived_at=arrived_at(message),
        text=content.text, html=content.html,
        in_reply_to=str(message.get("in-reply-to", "")).strip(),
        references=tuple(str(message.get("references", "")).split()),
        headers={k.lower(): _header(message, k) for k in dict.fromkeys(message.keys())},
        attachments=content.attachments,
        content_type=message.get_content_type(),
        forwarded=forwarded_mail(subject, content.text),
        authentication=tuple(_raw_values(message, "authentication-results")[:_AUTH_HEADERS]),
    )
