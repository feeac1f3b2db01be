"""Amounts (in 万元) and dates read as applicants write them in a form's cell."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from parsers.text import loose_pattern, nfkc

# ---- amounts ----------------------------------------------------------------------------

# A number, its thousands grouped by "," or a (thin) space ("12,345.6", "12 345.6"), or plain
# digits. Never the middle of a longer number, and each group is exactly three digits so that
# "2021 12345" stays two numbers.
_AMOUNT = re.compile(r"(?<![\d.])(?:\d{1,3}(?:[, ]\d{3}(?!\d))+|\d+)(?:\.\d+)?")
# What the number is counted in, as written right after it; the factor turns it into 万元.
_UNIT = re.compile(r"\s*(亿元|亿|千万元|千万|百万元|百万|万元|万|千元|元)?")
_WAN_PER = {"亿元": 10000, "亿": 10000, "千万元": 1000, "千万": 1000, "百万元": 100,
            "百万": 100, "万元": 1, "万": 1, "千元": Decimal("0.1"), "元": Decimal("0.0001")}
# A unit written before the number, for the whole cell: "（亿元）：1.2", "单位：元 3,000,000".
_UNIT_BEFORE = re.compile(r"\((?:单位:?\s*)?(亿元|万元|千元|元)\)|单位:?\s*(亿元|万元|千元|元)")
# A number followed by one of these is a date or a share, not an amount ("2021年", "30%").
_NOT_AMOUNT = re.compile(r"\s*(年|月|日|号|%|‰)")


def _after_label(text: str, label: str) -> str:
    """`text` from the end of `label` on, when the label is written in it (spacing may differ:
    "2021 年企业营业收入" is the label "2021年企业营业收入"); else the whole text."""
    if label.strip():
        found = re.search(loose_pattern(label), text)
        if found:
            return text[found.end():]
    return text


def _unit_before(text: str) -> str:
    """The unit a cell announces before its number ("（元）"); 万元, our forms' unit, if none."""
    announced = [m.group(1) or m.group(2) for m in _UNIT_BEFORE.finditer(text)]
    return announced[-1] if announced else "万元"


def read_amount_wan(text: str, label: str = "") -> float | None:
    """The amount in 万元 written in `text`, or None when none is written ("", "—", "无", "/").

    "12,345.6", "12345.6万元", "约12345万元", "12 345.6" and full-width "１２，３４５．６" are
    12345.6; "1.2亿元" is 12000.0; "3,000,000元" is 300.0. A number with no unit after it is in
    the unit the text announces before it ("（元）：3,000,000", "单位：亿元 1.2"), else in 万元,
    the unit the forms print in the label.

    The label's own numbers are never the amount, in two ways: when `label` (the field's label,
    as the profile spells it) is written in `text`, only what follows it is read; and wherever
    the label is not found, a number followed by 年/月/日 (a year: "2021 年企业营业收入") or
    by % is passed over.
    """
    rest = _after_label(nfkc(text), label)
    for match in _AMOUNT.finditer(rest):
        if _NOT_AMOUNT.match(rest, match.end()):
            continue
        unit = _UNIT.match(rest, match.end()).group(1) or _unit_before(rest[:match.start()])
        number = Decimal(re.sub(r"[, ]", "", match.group()))
        return float(number * _WAN_PER[unit])
    return None


# ---- dates ------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = "[〇零○Oo一二三四五六七八九十]"
# 2023年11月5日, 2023.11.5, 2023/11/05, 2023-11-05 (spaces allowed around the separators).
_NUMERIC = re.compile(r"(?<!\d)(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})(?!\d)")
# 20231105: eight digits standing alone.
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
# 二〇二三年十一月五日; the 日 is required here, as a Chinese numeral has no end of its own.
_CHINESE = re.compile(rf"({_CN_NUMBER}{{4}})\s*年\s*({_CN_NUMBER}{{1,3}})\s*月\s*"
                      rf"({_CN_NUMBER}{{1,3}})\s*[日号]")
# Years a form may be filled in: an eight-digit account or phone fragment is not a date.
_YEARS = range(1900, 2100)


def _chinese_number(text: str) -> int:
    """十一 -> 11, 二十 -> 20, 三十一 -> 31, 五 -> 5, 二〇二三 -> 2023 (digit by digit)."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _day(year: int, month: int, day: int) -> date | None:
    if year not in _YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 2023年2月30日: written, but no such day
        return None


def _candidates(text: str) -> list[tuple[int, date | None]]:
    """Every date-shaped run of `text`: (where it starts, the day or None when impossible)."""
    found = [(m.start(), _day(*(int(g) for g in m.groups())))
             for pattern in (_NUMERIC, _COMPACT) for m in pattern.finditer(text)]
    for m in _CHINESE.finditer(text):
        try:
            found.append((m.start(), _day(*(_chinese_number(g) for g in m.groups()))))
        except (KeyError, ValueError):  # 十十, 二十三十: numerals that spell no number
            found.append((m.start(), None))
    return sorted(found, key=lambda item: item[0])


def read_date(text: str) -> date | None:
    """The first real date written in `text`, or None.

    Reads 2023年11月5日 (spaced or not), 2023.11.5, 2023/11/05, 2023-11-05, 20231105 and
    二〇二三年十一月五日 (〇, 零 or ○ for zero), full-width digits too, with a label before it
    ("填表日期：") or a weekday or time after it. The blank form's "年 月 日", a date that does
    not exist (2023年2月30日) and a year and month alone are not dates.
    """
    return next((day for _, day in _candidates(nfkc(text)) if day is not None), None)
