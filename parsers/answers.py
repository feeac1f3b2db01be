"""A form answer as its field's type reads it, and when a person should look at it instead.

Pure: an answer's text in; its typed value and a doubt out. A doubt says what is written
("所填为“约贰拾亿 万元”") when something is there that the type cannot read; a blank or "无"
is no doubt, it is an answer left out.
"""
from __future__ import annotations

import re

from parsers.specs import FieldSpec
from parsers.text import clean, normalise_email, normalise_phone, squash
from parsers.values import read_amount_wan, read_date


def _amount(field: FieldSpec, text: str) -> float | None:
    """The amount in 万元 written in `text`, never a number of the field's own label that the
    text still holds ("2021 年企业营业收入 1.2亿元" -> 12000.0)."""
    label = next((label for label in field.labels if squash(label) in squash(text)), "")
    return read_amount_wan(text, label)


def typed(field: FieldSpec, text: str) -> object:
    """str for text/phone/email ("" when empty), float | None for number; a date is its ISO
    form ("2023-11-05") when one is written, else the text as written, cleaned."""
    if field.type == "number":
        return _amount(field, text)
    if field.type == "date":
        written = read_date(text)
        return written.isoformat() if written else clean(text)
    if field.type == "phone":
        return normalise_phone(text)
    if field.type == "email":
        return normalise_email(text)
    return _unsigned(clean(text))


# A line that is only a date: the signing date under an opinion (推荐单位意见 … 2023年12月18日).
_LONE_DATE = re.compile(r"[\d〇零○一二三四五六七八九十年月日号./\-]+")


def _unsigned(text: str) -> str:
    """A text answer without the date it was signed on, written on a line of its own below it."""
    head, _, last = text.rpartition("\n")
    if head.strip() and _LONE_DATE.fullmatch(squash(last)) and read_date(last):
        return head.rstrip()
    return text


def usable(field: FieldSpec, value: str) -> bool:
    return _amount(field, value) is not None if field.type == "number" else bool(value)


def judged(field: FieldSpec, written: str) -> tuple[object, str]:
    """The typed value of an answer, and a doubt when something is written that its type
    cannot read (an amount with no number, a date that is no date)."""
    value = typed(field, written)
    unread = (field.type == "number" and value is None) or (
        field.type == "date" and not read_date(written))
    return value, as_written(written) if unread and _answered(written) else ""


# What a doubt quotes of the answer: enough for a person to find it in the form.
_QUOTE = 40


def as_written(written: str) -> str:
    text = " ".join(clean(written).split())
    return f"所填为“{text if len(text) <= _QUOTE else text[:_QUOTE] + '…'}”"


# What an applicant writes for "nothing": not an answer that failed to be read.
_NOTHING = frozenset({"", "无", "暂无", "-", "—", "——", "/", "\\"})


def _answered(written: str) -> bool:
    return squash(written) not in _NOTHING
