"""Who sent a mail, read strictly: one mailbox, its address exactly as the header shows it.

The standard library's address parser has been lenient in ways attackers use (CVE-2023-27043:
`alice@example.org <@evil.example>` read as alice's address on Pythons without the fix), so a
submission's sender, and where its reply goes, come from this reading instead. Pure.
"""
from __future__ import annotations

import re

# A plain addr-spec (local@domain): nothing a header could be bent with.
_BLANK = " \t\r\n"
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def is_address(value: object) -> bool:
    return isinstance(value, str) and ADDRESS.fullmatch(value) is not None


def _outside_quotes(text: str) -> list[tuple[str, bool]]:
    """The characters of a header value with whether each is inside a quoted string."""
    marks, quoted, escaped = [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
            marks.append((char, True))
            continue
        marks.append((char, quoted))
    return marks


def _without_comments(marks: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Drop (comments) outside quotes, nested ones too."""
    kept, depth = [], 0
    for char, quoted in marks:
        if not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")" and depth:
            depth -= 1
        elif depth == 0:
            kept.append((char, quoted))
    return kept


def mailbox(value: str) -> tuple[str, str] | None:
    """(display name, lower-cased address) of a From value naming exactly one valid mailbox,
    else None: two mailboxes, an empty or route-only `<…>`, text after the `<…>`, or an
    address that is not a plain addr-spec are all "no sender we can trust"."""
    marks = _without_comments(_outside_quotes(value))
    if any(c == "," and not q for c, q in marks):
        return None
    opens = [i for i, (c, q) in enumerate(marks) if c == "<" and not q]
    closes = [i for i, (c, q) in enumerate(marks) if c == ">" and not q]
    text = "".join(c for c, _ in marks)
    if not opens and not closes:
        address = text.strip(_BLANK)
        return ("", address.lower()) if is_address(address) else None
    if len(opens) != 1 or len(closes) != 1 or closes[0] < opens[0]:
        return None
    address = text[opens[0] + 1:closes[0]].strip(_BLANK)
    if text[closes[0] + 1:].strip(_BLANK) or not is_address(address):
        return None
    name = text[:opens[0]].strip(_BLANK)
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name, address.lower()


# Providers that deliver first.last@ and firstlast@ to the same mailbox.
_DOTLESS = {"gmail.com", "googlemail.com"}


def canonical(address: str) -> str:
    """The mailbox an address reaches, as far as counting and comparing senders goes: lower
    case, any +tag dropped (a sender who writes alice+6@ is still alice), and the dots of a
    Gmail local part. Not an address to send to: replies go where the mail said."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at:
        return address.strip().lower()
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"
