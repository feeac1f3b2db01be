"""Values from mail and the database as the CLI prints them: as text, never as rich markup, and
without a character that moves the cursor, recolours the terminal or reorders what follows."""
from __future__ import annotations

import json
import logging
import unicodedata

from rich.markup import escape
from rich.text import Text

from pipeline.exports.invisible import is_hidden

# What `shown` writes in place of a hidden character: controls (C0, C1, DEL: an ESC sequence
# retitles or recolours the terminal, a CR overwrites the line), format characters (the bidi
# overrides and isolates U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C, and
# the zero-width ones), lone surrogates (undecodable bytes, which would crash the print), and
# the line and paragraph separators.
_ESCAPED_CATEGORIES = frozenset({"Zl", "Zp"})
# In multi-line values (a traceback, a mail's text) a newline and a tab stay what they are.
_LINE_CHARACTERS = "\n\t"


def _hidden(char: str) -> bool:
    return is_hidden(char) or unicodedata.category(char) in _ESCAPED_CATEGORIES


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def shown(value: object, lines: bool = False) -> str:
    """`value` as a string with every hidden character written as its escape (\\x1b, \\u202e);
    with `lines`, newlines and tabs are kept. None is the empty string."""
    text = "" if value is None else str(value)
    if text.isprintable():  # the common case: nothing hidden (nor any space but ' ')
        return text
    keep = _LINE_CHARACTERS if lines else ""
    return "".join(_escaped(c) if c not in keep and _hidden(c) else c for c in text)


def plain(value: object, style: str = "", lines: bool = False) -> Text:
    """`value` shown, as rich Text: printed as it reads, whatever brackets it holds."""
    return Text(shown(value, lines), style=style)


def markup_safe(value: object, lines: bool = False) -> str:
    """`value` shown, for an f-string of rich markup: its brackets are not tags."""
    return escape(shown(value, lines))


def json_text(value: object, indent: int | None = None) -> str:
    """JSON with non-ASCII text readable, hidden characters as \\u escapes (json.dumps escapes
    only C0 controls): the same JSON to a program, nothing hidden to a terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.isprintable():
        return text
    # Outside strings JSON has only ASCII; indent's newlines are its own, and a newline or tab
    # inside a string json.dumps has escaped already.
    return "".join(_json_escaped(c) if c not in "\n" and _hidden(c) else c for c in text)


def _json_escaped(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xd800 + high:04x}\\u{0xdc00 + low:04x}"


class ShownFormatter(logging.Formatter):
    """Log lines with hidden characters escaped: a message's subject or a server's answer in a
    log line reaches the terminal (or the journal) as text."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record), lines=True)
