"""The standard library's MIME parser without its slowest work: the big base64 bodies.

email's feed parser reads a mail line by line in Python: a 5 MB submission is 68 000 lines,
about 50 ms, and the lines of a 60 MB video take several times the mail's size in memory. Yet
nearly all of those lines are the base64 of attachments, which the parser only collects. So
each large base64 body is cut out of the bytes first and a short token put in its place; the
parser reads this skeleton (headers, boundaries, text parts: as it would read the whole mail),
and each part whose payload is a token gets its own bytes back as a view, decoded in one call.

When the skeleton does not come back exactly as cut (a "body" that was not one part's whole
payload, a token seen twice or not at all), the whole mail is parsed the ordinary way.

mail-parser, the library first chosen, parses with this same parser and then decodes every
attachment and writes binary ones back out as base64 text: twice the work, for results this
project does not use (it walks the parts itself for the raw header bytes of file names).
"""
from __future__ import annotations

import binascii
import email
import os
import re
from dataclasses import dataclass
from email.message import Message

# Bodies shorter than this are left to the parser: cutting them out would save nothing.
MIN_BODY = 32 * 1024
_BLANK_LINE = re.compile(rb"\n\r?\n")
_BASE64_DECLARED = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*base64[ \t]*\r?$")


@dataclass(frozen=True)
class Body:
    """A base64 body where it lies in the raw mail."""

    data: bytes
    start: int
    end: int


class Part(Message):
    """A message part that may hold its base64 body aside, in the raw bytes."""

    raw_base64: Body | None = None


def parse(data: bytes) -> Message:
    """The message as email.message_from_bytes (compat32) gives it, big bodies kept aside."""
    token = b"intake-body-" + os.urandom(8).hex().encode()
    skeleton, bodies = _cut(data, token)
    if bodies:
        message = email.message_from_bytes(skeleton, _class=Part)
        if _put_back(message, token.decode(), [Body(data, a, b) for a, b in bodies]):
            return message
    return email.message_from_bytes(data, _class=Part)


def decode_base64(body: Body) -> bytes | None:
    """The bytes of a clean base64 body (line breaks, padding only at the end) in one C call;
    None for anything else, which the caller decodes the forgiving way."""
    data, start, end = body.data, body.start, body.end
    pad = data.find(b"=", start, end)
    if pad >= 0 and data[pad:end].strip(b"= \t\r\n"):  # padding mid-way: pieces glued together
        return None
    try:
        return binascii.a2b_base64(memoryview(data)[start:end])
    except binascii.Error:
        return None


def _cut(data: bytes, token: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    """The skeleton and the (start, end) of each body cut out of it."""
    pieces, bodies, kept, position = [], [], 0, 0
    while (blank := end_of_headers(data, position)) >= 0:
        end = data.find(b"\n--", blank)
        if end < 0:
            break
        head_start = max(data.rfind(b"\n--", 0, blank), 0)
        if end - blank >= MIN_BODY and _BASE64_DECLARED.search(data, head_start, blank):
            pieces += [data[kept:blank], token + b"-%d" % len(bodies)]
            bodies.append((blank, end))
            kept = end
        position = end + 1
    return b"".join(pieces + [data[kept:]]), bodies


def end_of_headers(data: bytes, start: int = 0, stop: int | None = None) -> int:
    """Where the body begins after the next blank line (LF or CRLF) before `stop`, or -1."""
    found = _BLANK_LINE.search(data, start, len(data) if stop is None else stop)
    return found.end() if found else -1


def _put_back(message: Message, token: str, bodies: list[Body]) -> bool:
    """Give each token part its body; False unless every token is one whole payload, once."""
    seen = [False] * len(bodies)
    for part in message.walk():
        payload = part.get_payload()
        if not isinstance(payload, str) or token not in payload:
            continue
        name, _, number = payload.strip().rpartition("-")
        if name != token or not number.isdigit() or int(number) >= len(bodies) \
                or seen[int(number)]:
            return False
        seen[int(number)] = True
        part.raw_base64 = bodies[int(number)]
        part.set_payload("")
    return all(seen)
