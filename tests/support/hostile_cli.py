"""Hostile mail for the terminal: markup, escape sequences and bidi overrides in a subject, a
sender and an attachment's name; and 8-bit headers sent unencoded, as some Chinese clients do."""
from __future__ import annotations

import base64
import email
import email.utils
import re
from email import policy

from pipeline.demo.samples import catalogue

# Rich markup that closes what was never opened (a MarkupError once), a tag, an emoji code,
# an OSC sequence that retitles the terminal, a colour, a clear screen, a C1 cursor move, a
# right-to-left override, an isolate and a mark: every one must reach the screen as text.
MARKUP = "[/] [bold]粗[/bold] [/red] :warning:"
ESCAPES = "\x1b]0;pwned\x07\x1b[31m\x1b[2J\x9b1A"
BIDI = "\u202egpj.exe\u2066\u200f"
# What follows the sample's own subject.
HOSTILE_TAIL = f"{MARKUP} {ESCAPES} {BIDI}"
# A display name without the ':' and ';' that would make the From an address group.
FROM_TAIL = "[/] [bold]粗[/bold] \x1b[2J\x9b1A\u202e"
# A name may carry what a header line cannot: a carriage return, which overwrites the line.
HOSTILE_NAME = f"照片{ESCAPES}\r[red]{BIDI}.jpg"
# Characters that must never reach the terminal raw (the escapes and bidi above).
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2066", "\u200f")


def sample(key: str) -> bytes:
    return next(s for s in catalogue() if s.key == key).build()


def with_header(data: bytes, name: str, value: bytes) -> bytes:
    """`data` with its first `name:` header (folded lines and all) replaced by the raw bytes."""
    head, sep, body = data.partition(b"\n\n")
    pattern = rb"(?mi)^" + name.encode() + rb": .*(\n[ \t].*)*$"
    head, count = re.subn(pattern, lambda _: name.encode() + b": " + value, head, count=1)
    assert count == 1, name
    return head + sep + body


def with_attachment_name(data: bytes, index: int, name: str) -> bytes:
    """`data` with the `index`th attachment (from 0) named `name`, as an RFC 2047 word."""
    words = list(dict.fromkeys(re.findall(rb'name="(=\?[^"]+\?=)"', data)))
    word = b"=?utf-8?b?" + base64.b64encode(name.encode("utf-8")) + b"?="
    return data.replace(words[index], word)


def hostile_submission(key: str = "gpipc-park-complete") -> bytes:
    """A complete sample with the hostile tail after its subject and its sender's name (raw
    UTF-8), and its third attachment (a photo) renamed."""
    data = sample(key)
    subject, sender = readable_headers(data)
    name, address = email.utils.parseaddr(sender)
    data = with_header(data, "Subject", f"{subject} {HOSTILE_TAIL}".encode("utf-8"))
    data = with_header(data, "From", f"{name} {FROM_TAIL} <{address}>".encode("utf-8"))
    return with_attachment_name(data, 2, HOSTILE_NAME)


def readable_headers(data: bytes) -> tuple[str, str]:
    """A mail's Subject and From as a reader sees them (RFC 2047 words decoded)."""
    message = email.message_from_bytes(data, policy=policy.default)
    return str(message["Subject"]), str(message["From"])


def eight_bit(key: str, encoding: str) -> bytes:
    """A sample whose own Subject and From are raw 8-bit text in `encoding`, not RFC 2047 words."""
    data = sample(key)
    subject, sender = readable_headers(data)
    data = with_header(data, "Subject", subject.encode(encoding))
    return with_header(data, "From", sender.encode(encoding))
