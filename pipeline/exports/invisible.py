"""Characters that change how text shows without showing themselves, removed: pure.

A right-to-left override makes "照片\u202egpj.exe" show as "照片exe.jpg"; zero-width spaces,
joiners and the BOM hide inside a name; controls reach a terminal or a cell raw. Nothing the
review folder or a workbook gives a person carries them.
"""
from __future__ import annotations

import unicodedata

# Format characters (Cf: the bidi embeddings, overrides and isolates U+202A–U+202E and
# U+2066–U+2069, the marks U+200E/U+200F and U+061C, zero-width U+200B–U+200D, U+2060,
# U+FEFF, soft hyphens, tags), controls (Cc, C0 and C1) and lone surrogates (Cs: bytes a
# decoder could not read, which no file system accepts in UTF-8).
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Cs"})


def is_hidden(char: str) -> bool:
    return unicodedata.category(char) in HIDDEN_CATEGORIES


def strip_hidden(text: str, keep: str = "") -> str:
    """`text` without hidden characters, except those in `keep` (a cell's tab and newlines)."""
    if text.isprintable():  # the common case: no Cc, Cf or Cs at all (nor Zl/Zp, Co, Cn)
        return text
    return "".join(c for c in text if c in keep or not is_hidden(c))
