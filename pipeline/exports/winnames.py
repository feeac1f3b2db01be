"""File and folder names that Windows (and a zip, a USB stick, ext4) accepts: pure functions.

The review folder is opened on the secretariat's and the experts' Windows machines, so every
name is cleaned for Windows' rules although it is written on Linux: no <>:"/\\|?* nor control
characters, no trailing dot or space, none of the reserved device names, and short enough for
MAX_PATH (260 UTF-16 units for the whole path) and ext4 (255 bytes per name). Bidi controls and
other invisible characters are removed (pipeline/exports/invisible.py): a name shows what it is.
"""
from __future__ import annotations

import re

from pipeline.exports.invisible import strip_hidden

# Forbidden ASCII characters become their full-width forms: a Chinese reader sees the same
# sign, and "A/B公司" stays readable instead of turning into "A_B公司".
_FULL_WIDTH = str.maketrans({'<': '＜', '>': '＞', ':': '：', '"': '＂', '/': '／', '\\': '＼',
                             '|': '｜', '?': '？', '*': '＊'})
# C0 and C1 controls become a space (they often stand where a space was: a tab, a CR LF);
# invisible format characters are removed outright.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                       *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))})
ELLIPSIS = "…"
# ext4 and most Linux file systems: 255 bytes per name; a margin for a temporary suffix.
MAX_NAME_BYTES = 200


def clean_name(text: str, fallback: str = "未命名") -> str:
    """One path component: forbidden signs replaced, controls and bidi/format characters
    dropped, no trailing dot/space."""
    text = strip_hidden(_CONTROL.sub(" ", text.translate(_FULL_WIDTH)))
    text = _SPACES.sub(" ", text).strip().rstrip(". ").lstrip()
    if not text:
        return fallback
    stem = text.split(".", 1)[0].rstrip(" ").upper()
    return f"_{text}" if stem in _RESERVED else text


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters (and MAX_NAME_BYTES in UTF-8), cut with an ellipsis."""
    if len(text) <= limit and len(text.encode("utf-8")) <= MAX_NAME_BYTES:
        return text
    cut = text[:max(1, limit - 1)]
    while len((cut + ELLIPSIS).encode("utf-8")) > MAX_NAME_BYTES:
        cut = cut[:-1]
    return clean_name(cut.rstrip(". ") + ELLIPSIS)


def share(first: str, second: str, budget: int, floor: int) -> tuple[str, str]:
    """Two parts cut to fit `budget` characters together; the shorter one keeps its length
    when it can, and neither is cut below `floor` (unless it was shorter to begin with)."""
    if len(first) + len(second) <= budget:
        return first, second
    room = min(len(first), max(floor, budget - len(second)))
    return shorten(first, room), shorten(second, budget - room)


def clean_file_name(stem: str, suffix: str, limit: int) -> str:
    """A file name whose stem is cleaned and cut so that stem + suffix fits `limit`."""
    suffix = clean_name(suffix, "") if suffix else ""
    return clean_name(shorten(clean_name(stem), limit - len(suffix)) + suffix)


def plausible_suffix(name: str) -> str:
    """The lower-cased extension of a file name (".docx"), or "" when it does not look like one."""
    found = re.search(r"\.([A-Za-z0-9]{1,5})$", name.strip())
    return f".{found.group(1).lower()}" if found else ""
