"""Tests for parsers.wordml: the visible text of WordprocessingML, read from raw XML."""
import re

import pytest
from lxml import etree

from parsers.wordml import flag, is_placeholder, visible_text, w

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')


def _xml(xml: str) -> etree._Element:
    """`xml` parsed with the w, w14 and mc prefixes declared on its root."""
    return etree.fromstring(re.sub(r"^<([\w:]+)", rf"<\1 {NS}", xml, count=1))


def _cell(*paragraphs: str) -> tuple[str, bool]:
    """The text and image flag of a table cell holding one w:p per paragraph."""
    inner = "".join(f"<w:p>{p}</w:p>" for p in paragraphs)
    return visible_text(_xml(f"<w:tc>{inner}</w:tc>"))


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_paragraphs_are_lines_and_the_ends_are_trimmed():
    assert _cell(_run(" 第一行"), _run("第二行 ")) == ("第一行\n第二行", False)


def test_nested_table_text_is_not_the_cell_text():
    nested = f"<w:tbl><w:tr><w:tc><w:p>{_run('内表')}</w:p></w:tc></w:tr></w:tbl>"
    tc = _xml(f"<w:tc><w:p>{_run('外表')}</w:p>{nested}</w:tc>")
    assert visible_text(tc) == ("外表", False)


def test_a_drawing_is_an_image_not_text():
    assert _cell(f"{_run('盖章')}<w:r><w:drawing/></w:r>") == ("盖章", True)


def test_alternate_content_fallback_is_not_read_twice():
    alternate = (f"<mc:AlternateContent><mc:Choice Requires='wps'>{_run('甲')}</mc:Choice>"
                 f"<mc:Fallback>{_run('甲')}</mc:Fallback></mc:AlternateContent>")
    assert _cell(alternate)[0] == "甲"


def test_field_code_is_hidden_and_its_result_shown():
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             '<w:r><w:instrText> HYPERLINK "https://example.cn" </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
             f'{_run("网站")}<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    assert _cell(field)[0] == "网站"


def test_unknown_symbol_font_glyph_is_dropped():
    assert _cell(f'<w:r><w:sym w:font="Wingdings" w:char="F041"/></w:r>{_run("企业")}')[0] == "企业"


@pytest.mark.parametrize("xml, expected", [
    ("<w:b/>", True), ('<w:b w:val="1"/>', True), ('<w:b w:val="true"/>', True),
    ('<w:b w:val="0"/>', False), ('<w:b w:val="false"/>', False), ('<w:b w:val="off"/>', False),
])
def test_flag(xml, expected):
    assert flag(_xml(xml)) is expected


def test_absent_flag_is_none():
    assert flag(None) is None


@pytest.mark.parametrize("properties, expected", [("<w:showingPlcHdr/>", True), ("", False)])
def test_is_placeholder(properties, expected):
    assert is_placeholder(_xml(f"<w:sdt><w:sdtPr>{properties}</w:sdtPr></w:sdt>")) is expected


def test_w_is_the_clark_name():
    assert w("p") == "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


@pytest.mark.parametrize("props", ['<w:highlight w:val="yellow"/>', "<w:b/>", '<w:u w:val="single"/>',
                                   '<w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/>'])
def test_an_emphasised_run_of_a_cell_is_between_the_emphasis_marks(props):
    """For options marked by emphasis (parsers/choices.py); only asked for in cells."""
    p = _xml(f'<w:p>{_run("园区 ")}<w:r><w:rPr>{props}</w:rPr><w:t>企业</w:t></w:r>{_run(" 社区")}</w:p>')
    assert visible_text(p, emphasis=True)[0] == "园区 \ue100企业\ue101 社区"
    assert visible_text(p)[0] == "园区 企业 社区"


@pytest.mark.parametrize("props", ['<w:highlight w:val="none"/>', '<w:b w:val="0"/>',
                                   '<w:u w:val="none"/>', '<w:shd w:val="clear" w:fill="auto"/>',
                                   '<w:shd w:val="clear" w:fill="FFFFFF"/>', "<w:i/>"])
def test_a_plain_run_is_not_emphasised(props):
    p = _xml(f"<w:p><w:r><w:rPr>{props}</w:rPr><w:t>企业</w:t></w:r></w:p>")
    assert visible_text(p, emphasis=True)[0] == "企业"
