"""The everyday notations applicants write, each beside what the product must read from it.

The expected values are written out by hand here, never computed by the product's own code:
a reader that is wrong cannot also be the judge of its output.
"""
from __future__ import annotations

from typing import Callable

from pipeline.demo.samples.forms import Marks

# (as written in the form, as read: canonical, campaigns.md "Phones are normalised").
MOBILES = (
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("1380 013 8000", "13800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("+86-13800138000", "+8613800138000"),
    ("１３８００１３８０００", "13800138000"),
)
LANDLINES = (
    ("010-12345678", "010-12345678"),
    ("(010)12345678", "010-12345678"),
    ("（0571）8765 4321", "0571-87654321"),
    ("0571-8765-4321", "0571-87654321"),
    ("010 1234 5678", "010-12345678"),
    ("０１０－１２３４５６７８", "010-12345678"),
)
PHONES = MOBILES + LANDLINES

# A date (as written, ISO) for each campaign's own fill date: every notation of issue 18.
DATE_NOTATIONS: tuple[Callable[[int, int, int], str], ...] = (
    lambda y, m, d: f"{y}年{m}月{d}日",
    lambda y, m, d: f"{y}.{m}.{d}",
    lambda y, m, d: f"{y}/{m:02d}/{d:02d}",
    lambda y, m, d: f"{_chinese_year(y)}年{_chinese_number(m)}月{_chinese_number(d)}日",
    lambda y, m, d: f"{y}-{m:02d}-{d:02d}",
    lambda y, m, d: f"{y} 年 {m} 月 {d} 日",
    lambda y, m, d: f"填表日期：{y}年{m}月{d}日",
)
_DIGITS = "〇一二三四五六七八九"


def _chinese_year(year: int) -> str:
    return "".join(_DIGITS[int(ch)] for ch in str(year))


def _chinese_number(n: int) -> str:
    """1-31 as written in a date: 五, 十, 十一, 二十, 三十一."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "") if n >= 10 else _DIGITS[n]


# Amounts in 万元 (as written after the printed label, the value read).
AMOUNTS = (
    ("268500", 268500.0),
    ("268,500", 268500.0),
    ("26.85亿", 268500.0),
    ("268500万元", 268500.0),
    ("２６８５００", 268500.0),
    ("约 268,500.0", 268500.0),
)


def _after(tick: str) -> Callable[[str, bool], str]:
    return lambda option, chosen: f"{option}{tick}" if chosen else option


def _bracketed(option: str, chosen: bool) -> str:
    return f"（√）{option}" if chosen else f"（  ）{option}"


def _kept(option: str, chosen: bool) -> str:
    """The options typed again with only the chosen one kept."""
    return option if chosen else ""


def _word_x(option: str, chosen: bool) -> str:
    return f"[X]{option}" if chosen else f"[ ]{option}"


# How the chosen option is marked: box pairs, ticks after, bracketed ticks, only the chosen
# one kept, an X in brackets.
MARKS: tuple[tuple[str, Marks], ...] = (
    ("☑/□", ("☑", "□")),
    ("■/□", ("■", "□")),
    ("☒/☐", ("☒", "☐")),
    ("option√", _after("√")),
    ("（√）option", _bracketed),
    ("only the chosen kept", _kept),
    ("√ before", ("√", "")),
    ("[X]option", _word_x),
)
