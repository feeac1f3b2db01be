"""Tests for parsers.text: squashing, cleaning, 字数, phones and e-mails."""
import pytest

from parsers.text import clean, count_chars, normalise_email, normalise_phone, squash


@pytest.mark.parametrize("raw, expected", [
    ("（200字以内，简述突出亮点成效。）", "(200字以内,简述突出亮点成效。)"),
    ("联 系 人", "联系人"),
    ("手\u3000\u3000机", "手机"),
    ("日\u00a0期：", "日期:"),
    ("案例\n名称\t", "案例名称"),
    ("\ufeff申报单位\u200b", "申报单位"),
])
def test_squash(raw, expected):
    assert squash(raw) == expected


def test_squash_makes_profile_prompt_and_form_cell_equal():
    assert squash("（200字以内， 简述突出亮点成效。）") == squash("(200字以内,简述突出亮点成效。)")


@pytest.mark.parametrize("raw, expected", [
    ("  张三  ", "张三"),
    ("北京市\u3000\u3000海淀区", "北京市 海淀区"),
    ("a \t b", "a b"),
    ("\n\n第一段\n  第二段  \n\n", "第一段\n第二段"),
    ("ＡＢＣ１２３", "ABC123"),
    ("", ""),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


# Word's 字数: each CJK character or full-width mark counts one, each other run one word.
@pytest.mark.parametrize("text, expected", [
    ("", 0),
    ("   \n\t", 0),
    ("绿色低碳", 4),
    ("5G基站", 3),
    ("节能 20% 以上", 5),
    ("ABC abc", 2),
    ("，。", 2),
    ("CO2排放", 3),
    ("e-mail", 1),
    ("2021年", 2),
    ("“双碳”目标", 6),
    ("ＡＢＣ", 1),
    ("减排10.5万吨", 5),
    ("我们的5G网络覆盖了100%的区域。", 14),
    ("一、背景情况", 6),
    ("Hello, world!", 2),
])
def test_count_chars(text, expected):
    assert count_chars(text) == expected


@pytest.mark.parametrize("raw, expected", [
    ("138 0000 0000", "13800000000"),
    ("138-0000-0000", "13800000000"),
    ("１３８００００００００", "13800000000"),
    ("+86 138 0000 0000", "+8613800000000"),
    ("(010)12345678", "010-12345678"),
    ("（010）12345678", "010-12345678"),
    ("010 1234 5678", "010-12345678"),
    ("0755-1234567", "0755-1234567"),
    ("07551234 5678", "0755-12345678"),
    ("+86 10 12345678", "+86-10-12345678"),
    ("80000001", "80000001"),
    ("12345", "12345"),
    ("010-12345678转8001", "010-12345678-8001"),
    ("13800000000/010-12345678", "13800000000/010-12345678"),
    ("138 0000 0000、(010)1234 5678", "13800000000、010-12345678"),
    ("手机：138 0000 0000（微信同号）", "13800000000"),
    ("无", "无"),
    ("", ""),
])
def test_normalise_phone(raw, expected):
    """A phone cell's value: parsers.phones reads it; a cell without a number stays as written."""
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (" Zhang.San@Example.COM ", "zhang.san@example.com"),
    ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "zhang@example.cn"),
    ("li @ example.org", "li@example.org"),
    ("", ""),
])
def test_normalise_email(raw, expected):
    assert normalise_email(raw) == expected
