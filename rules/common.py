"""Small helpers the rule modules share, and the replies too (dates and sizes as they are written)."""
from __future__ import annotations

from datetime import date

from rules.model import Submission


def has_form(submission: Submission) -> bool:
    """A readable Word form was received: only then are its fields judged."""
    return bool(submission.of_kind("form"))


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == () or value == []


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def chinese_date(day: date) -> str:
    """2024年4月15日: how dates are written to applicants."""
    return f"{day.year}年{day.month}月{day.day}日"


def byte_size(n: int) -> str:
    """A size as the replies write it: 3.2MB, or 840KB (never 0KB)."""
    return f"{n / 1048576:.1f}MB" if n >= 1048576 else f"{max(1, n // 1024)}KB"
