"""Pure text helpers: label squashing, cleaning, Word's 字数, phone and e-mail normalisation."""
from __future__ import annotations

import re
import unicodedata

from parsers.phones import phone_field

# Zero-width characters Word and web forms leave behind; Python's \s does not cover them.
# Zero-width characters, and the two marks parsers/wordml.py puts around emphasised runs of a
# table cell (EMPHASIS in parsers/choices.py): never part of a value, a label or a count.
# Zero-width characters, and our own marks: emphasis (parsers/wordml.py), an unread box
# (parsers/choices.py UNREAD_BOX).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\ue100\ue101\ue102]")
_SPACE_RUN = re.compile(r"[^\S\n]+")


def squash(s: str) -> str:
    """NFKC, then no whitespace at all: the form in which labels and prompts are compared."""
    return re.sub(r"\s+", "", _INVISIBLE.sub("", unicodedata.normalize("NFKC", s)))


def clean(s: str) -> str:
    """NFKC and trimmed; spaces inside a line collapsed, paragraph newlines kept."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", s))
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


# ---- 字数 ------------------------------------------------------------------------------

# Full-width letters and digits are still Latin: they join a Latin run rather than count each.
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _counts_alone(ch: str) -> bool:
    """A character Word tallies under 中文字符: CJK ideographs, kana, hangul, full-width marks."""
    if _FULLWIDTH_ALNUM.match(ch):
        return False
    width = unicodedata.east_asian_width(ch)
    if width in ("W", "F"):
        return True
    # “”‘’…—· are "ambiguous" width but set as Chinese punctuation in a Chinese document.
    return width == "A" and unicodedata.category(ch).startswith("P")


def count_chars(s: str) -> int:
    """Word's 字数 for `s`.

    Each CJK ideograph, kana or hangul syllable and each full-width or Chinese punctuation mark
    (，。、“”…— and full-width symbols) counts one. Any other run of non-space characters counts
    one word, whatever it holds: "5G", "2021", "CO2", "e-mail", "20%", "ＡＢＣ" (full-width
    letters and digits join a run, as their half-width forms would). Whitespace counts nothing.
    So "节能 20% 以上" is 节 能 (2) + "20%" (1) + 以 上 (2) = 5, and "5G基站" is 3.
    The text is deliberately not NFKC-normalised first: that would turn "，" into "," and
    change the count.
    """
    total, in_run = 0, False
    for ch in s:
        if ch.isspace() or _INVISIBLE.match(ch):
            in_run = False
        elif _counts_alone(ch):
            total, in_run = total + 1, False
        elif not in_run:
            total, in_run = total + 1, True
    return total


# ---- phones and e-mails ----------------------------------------------------------------

def normalise_phone(s: str) -> str:
    """A phone field's value, read by parsers.phones: mobile 13800000000, landline
    010-12345678 (extension 010-12345678-8001), +86 kept; several numbers each rewritten in
    place; text holding no number returned cleaned, so a filled cell never reads as empty."""
    return phone_field(clean(s))


def normalise_email(s: str) -> str:
    """NFKC (full-width ＠ becomes @), no whitespace, lower-cased."""
    return squash(s).lower()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def loose_pattern(phrase: str) -> str:
    """A regex for `phrase` that tolerates any whitespace between its characters."""
    return r"\s*".join(re.escape(ch) for ch in squash(phrase))
