"""Tests for parsers.values: amounts in 万元 and dates, in the notations applicants use."""
from datetime import date

import pytest

from parsers.values import read_amount_wan, read_date

REVENUE = "2021年企业营业收入"


@pytest.mark.parametrize("text, expected", [
    ("12,345.6", 12345.6),
    ("12345.6万元", 12345.6),
    ("12345.6 万元", 12345.6),
    ("12345万", 12345.0),
    ("268500", 268500.0),
    ("1.2亿", 12000.0),
    ("1.2亿元", 12000.0),
    ("1.2 亿元", 12000.0),
    ("3,000,000元", 300.0),
    ("5千万元", 5000.0),
    ("１２，３４５．６", 12345.6),
    ("１２３４５．６０", 12345.6),
    ("１．２亿元", 12000.0),
    ("约12345万元", 12345.0),
    ("12 345.6", 12345.6),
    ("12\u2009345.6 万元", 12345.6),
    ("12\u3000345.6", 12345.6),
    ("（元）：3,000,000", 300.0),
    ("单位：亿元 1.2", 12000.0),
    ("截至2021年12月31日为12345万元", 12345.0),
])
def test_amount_notations(text, expected):
    assert read_amount_wan(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, label, expected", [
    ("2021 年企业营业收入 12,345.6 万元", REVENUE, 12345.6),
    ("2021年企业营业收入：1.2亿元", REVENUE, 12000.0),
    ("2021年企业营业收入（亿元）：1.2", REVENUE, 12000.0),
    ("２０２１年企业营业收入：１２３４５万元", REVENUE, 12345.0),
    # Without the label, a number followed by 年 is still a year, never the amount.
    ("2021 年企业营业收入 12,345.6 万元", "", 12345.6),
    ("2021年企业营业收入：1.2亿元", "", 12000.0),
    ("2021 年企业营业收入       万元", REVENUE, None),
])
def test_the_labels_numbers_are_never_the_amount(text, label, expected):
    assert read_amount_wan(text, label) == expected


@pytest.mark.parametrize("text", ["", "   ", "—", "-", "无", "/", "万元", "暂无数据", "2021年", "30%"])
def test_no_amount_written(text):
    assert read_amount_wan(text) is None


NOV5 = date(2023, 11, 5)


@pytest.mark.parametrize("text", [
    "2023年11月5日", "2023 年 11 月 5 日", "2023年11月05日", "2023.11.5", "2023/11/05", "2023-11-05",
    "20231105", "二〇二三年十一月五日", "二零二三年十一月五日", "二○二三年十一月五日",
    "２０２３年１１月５日", "２０２３．１１．０５", "2023年11月5号",
    "2023年11月5日 星期日", "2023-11-05 10:30", "2023/11/05（周日）",
    "填表日期：2023年11月5日", "日 期：2023.11.5", "日期：二〇二三年十一月五日（盖章）",
    "2023年11月5日，补充材料于2023年12月1日寄出",
])
def test_date_notations(text):
    assert read_date(text) == NOV5


@pytest.mark.parametrize("text, expected", [
    ("二〇二三年十月十日", date(2023, 10, 10)),
    ("二〇二四年二月二十九日", date(2024, 2, 29)),
    ("二〇二三年十二月三十一日", date(2023, 12, 31)),
    ("二〇二三年一月二十日", date(2023, 1, 20)),
    ("2023年2月30日，更正为2023年3月2日", date(2023, 3, 2)),
])
def test_chinese_numerals_and_the_first_real_date(text, expected):
    assert read_date(text) == expected


@pytest.mark.parametrize("text", [
    "", "年 月 日", "日 期：    年   月   日", "2023年2月30日", "2023年13月1日", "2023.11",
    "2023年11月", "二〇二三年十十月五日", "13800000000", "12345678", "尽快", "见附件",
])
def test_no_date(text):
    assert read_date(text) is None
