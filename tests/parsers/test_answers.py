"""parsers/answers.py: an answer typed by its field, and a doubt only for what is written."""
from __future__ import annotations

import pytest

from parsers.answers import as_written, judged, usable
from parsers.specs import FieldSpec

REVENUE = FieldSpec("revenue_wan", ("2021年企业营业收入",), "number")
FILLED = FieldSpec("fill_date", ("填表日期",), "date")
OPINION = FieldSpec("recommender_opinion", ("推荐单位意见",))


@pytest.mark.parametrize("field, written, value", [
    (REVENUE, "12,345.6", 12345.6),
    # The label's own year is never the amount.
    (REVENUE, "2021年企业营业收入 1.2亿元", 12000.0),
    (FILLED, "二〇二三年十一月五日", "2023-11-05"),
    (FILLED, "2023.11.5", "2023-11-05"),
    # The signing date under an opinion is not part of it.
    (OPINION, "同意推荐。\n2023年12月18日", "同意推荐。"),
    (OPINION, "2023年12月18日前完成改造", "2023年12月18日前完成改造"),
])
def test_an_answer_is_read_by_its_type_without_doubt(field, written, value):
    assert judged(field, written) == (value, "")


@pytest.mark.parametrize("field, written, value", [
    (REVENUE, "约贰拾亿", None),
    (FILLED, "四月上旬", "四月上旬"),
])
def test_what_is_written_but_not_readable_is_a_doubt_that_quotes_it(field, written, value):
    assert judged(field, written) == (value, f"所填为“{written}”")


@pytest.mark.parametrize("written", ["", "无", "——", " / "])
def test_nothing_written_is_no_doubt(written):
    assert judged(REVENUE, written)[1] == "" and judged(FILLED, written)[1] == ""


def test_a_long_answer_is_quoted_in_part():
    quoted = as_written("很长的说明" * 20)
    assert quoted.startswith("所填为“很长的说明") and quoted.endswith("…”") and len(quoted) == 46


def test_a_number_field_is_usable_only_with_a_number():
    assert usable(REVENUE, "1.2亿元") and not usable(REVENUE, "见附件")
    assert usable(OPINION, "同意") and not usable(OPINION, "")
