"""Chinese phone numbers in running text and in form cells: the one reader of them.

Canonical forms (what `Phone.number`, `normalise_phone` and `phone_field` give):

| written | canonical |
|---|---|
| 138 0013 8000, 138-0013-8000, １３８００１３８０００ | `13800138000` |
| +86 138 0013 8000, 0086…, (+86)…, 86-138… | `+8613800138000` |
| (010)12345678, 010 1234 5678, 010-1234-5678 | `010-12345678` |
| 0571-8765-4321, （0571）8765 4321 | `0571-87654321` |
| +86-10-12345678, +86 (0)10 12345678, 0086 10 … | `+86-10-12345678` |
| 010-12345678转8001 / -8001 / ext 8001 / ext.8001 / x8001 / 分机8001 | `010-12345678-8001` |
| 400-123-4567, 400 1234 567, 800-810-8888 | `4001234567`, `8008108888` |
| 80000001 (a whole cell: a local number, no area code) | `80000001` |

The area code is 3 digits for Beijing (010) and the 02x cities, else 4, whatever grouping was
written; the local number is 7 or 8 digits. The country code is kept as +86 (never on a 400/800
number, which has none). A number is read only as a whole: runs of digits joined by spaces or
hyphens are split into numbers at their gaps, never inside a run of digits, so an ID card
number, a postcode, a date (2023-11-05, 20231105), an amount or the digits of a URL or an
e-mail address are not phones.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Phone:
    """One number found in a text: its canonical form and where it was written."""

    number: str
    # mobile, landline (area code and local number) or service (400/800).
    kind: str
    # The span of the text as given, extension included.
    start: int
    end: int


# ---- reading one character at a time -----------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_BLANKS = "\t\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"


def _fold(text: str) -> str:
    """NFKC per character (full-width digits, brackets, ＋), dashes as "-", blanks as " ".

    One character in, one out, so that a span of the folded text is the same span of the
    text as given.
    """
    out = []
    for ch in text:
        if ch in _DASHES:
            out.append("-")
        elif ch in _BLANKS:
            out.append(" ")
        else:
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


# A group is a run of digits, "+86…", or a bracketed area or country code: (010), (+86).
_GROUP = re.compile(r"\( *\+?\d+ *\)|\+?\d+")
# Groups of one number are joined by spaces or a hyphen, or touch a bracket: (010)12345678.
_RUN = re.compile(rf"(?:{_GROUP.pattern})(?:(?: *- *| +|(?<=\))|(?=[(+]))(?:{_GROUP.pattern}))*")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'，。、；！？()（）]+", re.I)
# ASCII words that may touch a number: "Tel13800138000", "Tel.13800138000".
_LABEL_WORDS = {"tel", "telephone", "phone", "mobile", "mob", "cell", "cellphone", "fax"}
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SERVICE = re.compile(r"[48]00\d{7}")


@dataclass(frozen=True)
class _Group:
    text: str
    start: int
    end: int
    # What joins it to the group before: "-" for a hyphen (with or without spaces), " ", "".
    joint: str
    digits: str

    @property
    def bracketed(self) -> bool:
        return self.text.startswith("(")


def _groups(folded: str, run: re.Match[str]) -> list[_Group]:
    groups: list[_Group] = []
    for found in _GROUP.finditer(folded, run.start(), run.end()):
        gap = folded[groups[-1].end:found.start()] if groups else ""
        joint = "-" if "-" in gap else (" " if gap else "")
        groups.append(_Group(found.group(), found.start(), found.end(), joint,
                             re.sub(r"\D", "", found.group())))
    return groups


# ---- what a string of digits is --------------------------------------------------------------

_NO_AREA = {f"1{d}" for d in "123456789"}


def _landline(digits: str) -> tuple[str, str] | None:
    """(area code, local number) when `digits` is one, else None. Area codes are 010, 02x
    and 03xx–09xx: nothing else begins 00 or 01."""
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0" or digits[1:3] in _NO_AREA:
        return None
    code = 3 if digits[1] in "12" else 4
    area, local = digits[:code], digits[code:]
    if not 7 <= len(local) <= 8 or local[0] == "0":
        return None
    return area, local


def _canonical(digits: str, international: bool) -> tuple[str, str] | None:
    """(canonical form, kind) of a national number, or None. With +86 the trunk 0 of an area
    code is usually dropped (+86 10 …) and put back here."""
    if len(digits) < 9:  # the shortest, +86 10 1234567, has 9 digits
        return None
    if _MOBILE.fullmatch(digits):
        return ("+86" if international else "") + digits, "mobile"
    if _SERVICE.fullmatch(digits):
        return digits, "service"
    if international and not digits.startswith("0"):
        digits = "0" + digits
    landline = _landline(digits)
    if landline is None:
        return None
    area, local = landline
    return (f"+86-{area[1:]}-{local}" if international else f"{area}-{local}"), "landline"


def _country(group: _Group, next_joint: str) -> str | None:
    """The digits after the country code when `group` is or starts with it (+86, 0086, (+86),
    (86), or 86 followed by a hyphen); None when it is not one."""
    text = group.text.replace(" ", "")
    if text in ("(+86)", "(86)", "(0086)"):
        return ""
    for code in ("+86", "0086"):
        if text.startswith(code):
            return text[len(code):]
    return "" if text == "86" and next_joint == "-" else None


# ---- finding numbers -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Read:
    number: str
    kind: str
    last: int  # index of the number's last group


def _read_at(groups: list[_Group], i: int) -> _Read | None:
    """The longest number whose groups start at `groups[i]` and end at a gap between groups."""
    rest = _country(groups[i], groups[i + 1].joint if i + 1 < len(groups) else "")
    if rest is None and "+" in groups[i].text:
        return None  # another country's number
    international, digits = rest is not None, rest or ""
    national = i + 1 if rest is not None else i  # the first group after the country code
    read = _canonical(digits, international) if digits else None
    best = _Read(*read, i) if read else None
    for j in range(national, len(groups)):
        group = groups[j]
        # Only the area code is bracketed, and only at the start: (010)…, +86 (10)…, +86 (0)10….
        if "+" in group.text or (group.bracketed and (j != national or digits)):
            break
        digits += group.digits
        if len(digits) > 12:
            break
        read = _canonical(digits, international)
        if read is not None:
            best = _Read(*read, j)
    return best


_GLUED_BEFORE = set("@=&?%#$¥_\\")
_GLUED_AFTER = set("@_%")


def _touches(folded: str, start: int, end: int) -> bool:
    """Whether the characters around a number make it part of something else: a word, a
    decimal, an e-mail address, a query string."""
    before, after = folded[start - 1:start], folded[end:end + 1]
    if before in _GLUED_BEFORE or after in _GLUED_AFTER or (after.isascii() and after.isalpha()):
        return True
    # A comma is only ever a separator here: no group of a thousands-separated amount is
    # long enough to be a number. A dot beside a digit is a decimal point.
    if after == "." and folded[end + 1:end + 2].isdigit():
        return True
    if before == ".":
        if folded[start - 2:start - 1].isdigit():
            return True
        start -= 1  # "Tel.13800138000": look at the word before the dot
        before = folded[start - 1:start]
    if before.isascii() and before.isalpha():
        word = re.search(r"[A-Za-z]+$", folded[max(0, start - 12):start])  # labels are short
        return word is None or word.group().lower() not in _LABEL_WORDS
    return False


_EXT_MARK = r"(?:转|轉|分机号?|分機號?|内线|ext\.?|x|#)"
# 转8001, （转8001）, ext 8001, ext.8001, x8001, 分机：8001, right after the number's last group.
_EXTENSION = re.compile(rf" *(?:\( *{_EXT_MARK} *:? *(\d{{1,6}}) *\)|{_EXT_MARK} *:? *(\d{{1,6}}))(?!\d)",
                        re.I)


def _extension(folded: str, groups: list[_Group], read: _Read) -> tuple[str, int, int]:
    """(extension, index of the number's last group, end of the number) for a landline or a
    400/800 number: -8001 as one more short group, or 转8001 / ext.8001 / x8001 / 分机8001."""
    last = read.last
    end = groups[last].end
    if read.kind not in ("landline", "service"):
        return "", last, end
    if last + 1 < len(groups):
        extra = groups[last + 1]
        then = groups[last + 2].joint if last + 2 < len(groups) else ""
        if extra.joint == "-" and extra.text.isdigit() and len(extra.text) <= 6 and then != "-":
            return extra.text, last + 1, extra.end
        return "", last, end
    found = _EXTENSION.match(folded, end)
    if found is None:
        return "", last, end
    return found.group(1) or found.group(2), last, found.end()


def find_phones(text: str) -> tuple[Phone, ...]:
    """Every phone number in `text`, in order: several on a line (separated by 、，;/或 or
    spaces) are each found. Spans index `text` as given."""
    folded, phones = _fold(text), []
    urls = [m.span() for m in _URL.finditer(folded)]
    for run in _RUN.finditer(folded):
        if any(a <= run.start() < b for a, b in urls):
            continue
        groups = _groups(folded, run)
        i, after_number = 0, 0
        while i < len(groups):
            read = _read_at(groups, i)
            if read is None:
                i += 1
                continue
            extension, last, end = _extension(folded, groups, read)
            start = groups[i].start
            # Digits hyphenated to more digits are one token (a date, a serial), not a phone;
            # two whole numbers joined by a hyphen are two numbers.
            hyphenated = (i > 0 and groups[i].joint == "-" and i != after_number) or (
                last + 1 < len(groups) and groups[last + 1].joint == "-"
                and _read_at(groups, last + 1) is None)
            if not hyphenated and not _touches(folded, start, end):
                number = f"{read.number}-{extension}" if extension else read.number
                phones.append(Phone(number, read.kind, start, end))
                after_number = last + 1
            i = last + 1
    return tuple(phones)


# ---- one value -------------------------------------------------------------------------------

_LOCAL = re.compile(r"[2-9](?:[ -]?\d){6,7}")
_DATE = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")


def _local(text: str) -> str:
    """A whole value that is a local number without its area code (80000001), else ""."""
    written = _fold(text).strip()
    if not _LOCAL.fullmatch(written):
        return ""
    digits = re.sub(r"\D", "", written)
    return "" if _DATE.fullmatch(digits) else digits


def normalise_phone(text: str) -> str:
    """The canonical form of the first number in `text`; a value that is only a local number
    is its digits; "" when there is none."""
    phones = find_phones(text)
    return phones[0].number if phones else _local(text)


def phone_field(text: str) -> str:
    """A form cell's phone value: its one number in canonical form (words around it, such as
    手机： or （微信同号）, dropped); when it holds several, each rewritten in place and the rest
    kept, so that 传真 or 手机 stays with its number; text with no number is returned as it is,
    so a filled cell never reads as empty."""
    phones = find_phones(text)
    if len(phones) == 1:
        return phones[0].number
    if not phones:
        return _local(text) or text
    out, at = [], 0
    for phone in phones:
        out += [text[at:phone.start], phone.number]
        at = phone.end
    return "".join(out) + text[at:]
