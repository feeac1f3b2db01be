"""Names Windows accepts: forbidden signs, controls, trailing dots, reserved names, lengths."""
from __future__ import annotations

import pytest

from pipeline.exports.winnames import (MAX_NAME_BYTES, clean_file_name, clean_name, plausible_suffix, share,
                                       shorten)


@pytest.mark.parametrize("text, expected", [
    ("示例科技有限公司", "示例科技有限公司"),
    ('A/B:C*D?E"F<G>H|I\\J', "A／B：C＊D？E＂F＜G＞H｜I＼J"),
    ("单位\x00名称\x1f\x7f", "单位 名称"),
    ("  多个   空格\t\n换行 ", "多个 空格 换行"),
    ("结尾的点...", "结尾的点"),
    ("结尾 . . ", "结尾"),
    ("CON", "_CON"),
    ("con.txt", "_con.txt"),
    ("LPT9", "_LPT9"),
    ("COM10", "COM10"),
    ("CONSOLE", "CONSOLE"),
    ("", "未命名"),
    ("...", "未命名"),
])
def test_clean_name(text, expected):
    assert clean_name(text) == expected


def test_shorten_cuts_with_an_ellipsis_and_keeps_short_text():
    assert shorten("示例科技", 10) == "示例科技"
    assert shorten("一二三四五六七八九十", 5) == "一二三四…"


def test_shorten_keeps_a_name_within_the_byte_budget():
    name = shorten("字" * 150, 150)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES and name.endswith("…")


def test_share_cuts_the_longer_part_first_and_never_below_the_floor():
    assert share("单位", "案例", 10, 3) == ("单位", "案例")
    unit, case = share("单" * 10, "案" * 50, 30, 10)
    assert (unit, len(case)) == ("单" * 10, 20)
    unit, case = share("单" * 50, "案" * 50, 30, 10)
    assert (len(unit), len(case)) == (10, 20)
    unit, case = share("单" * 50, "案" * 5, 30, 10)
    assert (len(unit), case) == (25, "案" * 5)


def test_clean_file_name_keeps_the_suffix_when_cutting():
    assert clean_file_name("证明材料01_营业执照", ".pdf", 60) == "证明材料01_营业执照.pdf"
    name = clean_file_name("证明材料01_" + "很长" * 40, ".pdf", 20)
    assert len(name) == 20 and name.endswith("….pdf")


@pytest.mark.parametrize("name, suffix", [("申报表.DOCX", ".docx"), ("照片.jpeg", ".jpeg"),
                                          ("无后缀", ""), ("说明.这不是后缀", ""),
                                          ("a.tar.gz", ".gz")])
def test_plausible_suffix(name, suffix):
    assert plausible_suffix(name) == suffix


@pytest.mark.parametrize("text, expected", [
    ("照片\u202egpj.exe", "照片gpj.exe"),  # shown as 照片exe.jpg while the override is there
    ("\u2066证明\u2069材料\u200b.pdf\ufeff", "证明材料.pdf"),
    ("申报表.ex\u200be", "申报表.exe"),  # a hidden character cannot hide a suffix
    ("单位\x85名称\x9b", "单位 名称"),  # C1 controls: NEL, CSI
    ("\u200e\u200f\u061c", "未命名"),
])
def test_clean_name_strips_bidi_and_format_characters(text, expected):
    assert clean_name(text) == expected
