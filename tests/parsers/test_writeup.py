"""Tests for parsers.writeup: titles, subtitles and sections of case write-ups."""
from pathlib import Path

import pytest

from parsers.model import Paragraph, WordContent
from parsers.specs import WriteupSpec
from parsers.text import count_chars
from parsers.writeup import Writeup, read_writeup
from rules.profile import load_profile

CAMPAIGNS = Path(__file__).resolve().parents[2] / "rules" / "campaigns"


def _spec(campaign: str) -> WriteupSpec:
    writeup = load_profile(CAMPAIGNS / f"{campaign}.toml").writeup
    assert writeup is not None
    return writeup


def _doc(*paragraphs: Paragraph | str) -> WordContent:
    return WordContent(paragraphs=tuple(p if isinstance(p, Paragraph) else Paragraph(p)
                                        for p in paragraphs), tables=())


def _texts(writeup: Writeup) -> dict[str, str]:
    return {s.name: s.text for s in writeup.sections}


GPIPC_TEMPLATE = _doc(
    "附件 2", "案例编辑模板",
    "主标题：零碳园区的示例之路", "副标题：示例开发区绿色发展创新案例", "正文：",
    "第一段：背景情况",
    "约 300-500 字，侧重介绍园区基本情况，面临的痛点及问题，引出案例。",
    "园区位于示例市。", "面临能耗双控压力。",
    "第二段：特色经验", "建设光伏。",
    "第三段：未来展望", "继续推广。",
)


def test_gpipc_template_filled_in():
    writeup = read_writeup(GPIPC_TEMPLATE, _spec("gpipc-park-2024"))
    assert (writeup.title, writeup.subtitle) == ("零碳园区的示例之路", "示例开发区绿色发展创新案例")
    assert _texts(writeup) == {"背景情况": "园区位于示例市。\n面临能耗双控压力。",
                               "特色经验": "建设光伏。", "未来展望": "继续推广。"}


def test_section_chars_are_word_counts():
    writeup = read_writeup(GPIPC_TEMPLATE, _spec("gpipc-park-2024"))
    assert [s.chars for s in writeup.sections] == [count_chars(s.text) for s in writeup.sections]
    assert writeup.sections[1].chars == 5


def test_template_placeholder_title_is_empty():
    writeup = read_writeup(_doc("主标题：自定义", "副标题：", "XX 开发区绿色发展创新案例",
                                "背景情况", "正文"), _spec("gpipc-park-2024"))
    assert (writeup.title, writeup.subtitle) == ("", "XX 开发区绿色发展创新案例")


def test_heading_styles_and_title_style():
    writeup = read_writeup(_doc(
        Paragraph("示例通信的绿色之路", style="Title"),
        Paragraph("示例通信股份有限公司", style="Subtitle"),
        Paragraph("企业概况", style="Heading 1"), "公司成立于2000年。",
        Paragraph("主要措施", style="Heading 1"),
        Paragraph("（一）技术创新", style="Heading 2"), "研发液冷。",
        Paragraph("实施效果", style="Heading 1"), "年节电1亿度。",
    ), _spec("ccea-green-2022"))
    assert (writeup.title, writeup.subtitle) == ("示例通信的绿色之路", "示例通信股份有限公司")
    assert _texts(writeup) == {"企业概况": "公司成立于2000年。", "主要措施": "（一）技术创新\n研发液冷。",
                               "实施效果": "年节电1亿度。"}


@pytest.mark.parametrize("heading", [
    "一、企业概况", "（一）企业概况（500 字左右）", "(一)企业概况", "第一部分：企业概况", "1. 企业概况",
    "1、企业概况", "企业概况：", "一、企业概况。",
])
def test_numbered_headings(heading):
    writeup = read_writeup(_doc("标题", heading, "正文一。", "二、主要措施", "正文二。"),
                           _spec("ccea-green-2022"))
    assert _texts(writeup) == {"企业概况": "正文一。", "主要措施": "正文二。"}


def test_bold_heading_with_extra_words():
    writeup = read_writeup(_doc("标题", Paragraph("主要措施及做法", bold=True), "正文。"),
                           _spec("ccea-green-2022"))
    assert _texts(writeup) == {"主要措施": "正文。"}


def test_plain_sentence_mentioning_a_section_is_not_a_heading():
    writeup = read_writeup(_doc("标题", "企业概况", "公司的主要措施包括节能改造。"),
                           _spec("ccea-green-2022"))
    assert _texts(writeup) == {"企业概况": "公司的主要措施包括节能改造。"}


def test_heading_with_text_on_the_same_line():
    writeup = read_writeup(_doc("标题", "背景情况：企业位于示例区。", "更多背景。"),
                           _spec("gpipc-enterprise-2024"))
    assert _texts(writeup) == {"背景情况": "企业位于示例区。\n更多背景。"}


def test_missing_sections_do_not_appear():
    writeup = read_writeup(_doc("标题", "一、背景情况", "正文。"), _spec("gpipc-park-2024"))
    assert [s.name for s in writeup.sections] == ["背景情况"]


def test_repeated_heading_keeps_the_longest_text():
    writeup = read_writeup(_doc("标题", "目录", "背景情况", "特色经验", "背景情况", "真正的背景。",
                                "特色经验", "经验。"), _spec("gpipc-park-2024"))
    assert _texts(writeup) == {"背景情况": "真正的背景。", "特色经验": "经验。"}


def test_no_sections_gives_title_from_first_line():
    writeup = read_writeup(_doc("", "一篇没有小标题的文章", "正文。"), _spec("gpipc-park-2024"))
    assert (writeup.title, writeup.sections) == ("一篇没有小标题的文章", ())


@pytest.mark.parametrize("front, subtitle", [
    (("零碳之路", "——示例企业绿色发展创新案例"), "示例企业绿色发展创新案例"),
    (("零碳之路", Paragraph("示例企业绿色发展创新案例", bold=True)), "示例企业绿色发展创新案例"),
    (("零碳之路", "示例企业绿色发展创新案例"), "示例企业绿色发展创新案例"),
    (("零碳之路",), ""),
])
def test_subtitle_without_label(front, subtitle):
    writeup = read_writeup(_doc(*front, "一、背景情况", "正文。"), _spec("gpipc-enterprise-2024"))
    assert (writeup.title, writeup.subtitle) == ("零碳之路", subtitle)
