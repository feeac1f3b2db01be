"""Tests for parsers.word: .docx bytes to WordContent, with fixtures built by python-docx."""
import io
import random
import struct
import time
import zipfile
import zlib

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.package import Package
from docx.styles import BabelFish
from lxml import etree

from parsers.errors import UnreadableDocument
from parsers.model import Cell, WordContent
from parsers.word import read_word, word_content
from pipeline.demo.samples import build_form, build_writeup, filler
from pipeline.demo.samples.forms import CHOICES, FORM_CAMPAIGNS
from tests.support import hostile
from tests.support.office import office_convert

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _png() -> bytes:
    """A 1×1 PNG, made here so that no binary fixture is committed."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _raw_cell(inner_xml: str) -> Cell:
    """The value cell of a one-row table whose paragraph is `inner_xml` (runs as raw XML)."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "申报主题"
    tc = table.cell(0, 1)._tc
    tc.remove(tc.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"))
    tc.append(parse_xml(f"<w:p {NS}>{inner_xml}</w:p>"))
    return read_word(_bytes(document)).tables[0][0][1]


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


# ---- paragraphs -----------------------------------------------------------------------

def test_body_paragraphs_keep_order_style_and_bold():
    document = docx.Document()
    document.add_heading("一、背景情况", level=1)
    document.add_paragraph().add_run("全部加粗").bold = True
    mixed = document.add_paragraph()
    mixed.add_run("部分").bold = True
    mixed.add_run("加粗")
    document.add_paragraph("正文")
    paragraphs = read_word(_bytes(document)).paragraphs
    assert [p.text for p in paragraphs] == ["一、背景情况", "全部加粗", "部分加粗", "正文"]
    assert paragraphs[0].style == "Heading 1"
    assert [p.bold for p in paragraphs[1:]] == [True, False, False]
    assert paragraphs[3].style == "Normal"


def test_paragraphs_inside_tables_are_not_body_paragraphs():
    document = docx.Document()
    document.add_paragraph("标题")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "单元格"
    assert [p.text for p in read_word(_bytes(document)).paragraphs] == ["标题"]


def test_body_content_control_text_is_read():
    document = docx.Document()
    document.add_paragraph("前")._p.append(parse_xml(
        f'<w:sdt {NS}><w:sdtPr/><w:sdtContent>{_run("控件内容")}</w:sdtContent></w:sdt>'))
    assert read_word(_bytes(document)).paragraphs[0].text == "前控件内容"


# ---- tables ---------------------------------------------------------------------------

@pytest.mark.parametrize("rows", [
    [["案例名称", "智慧能源"], ["申报单位", "示例公司"]],
    [["联系人", "张三", "联系电话", "13800000000"], ["联系邮箱", "a@example.com", "", ""]],
])
def test_table_grid_text(rows):
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    grid = read_word(_bytes(document)).tables[0]
    assert [[cell.text for cell in row] for row in grid] == rows


def test_horizontal_merge_repeats_one_cell_per_grid_column():
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    table.cell(0, 0).text = "案例简介"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "简介正文"
    row = read_word(_bytes(document)).tables[0][0]
    assert [c.text for c in row] == ["案例简介", "简介正文", "简介正文", "简介正文"]
    assert row[1] is row[2] is row[3]


def test_vertical_merge_repeats_the_cell_above():
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "案例类别"
    for r, option in enumerate(["□节能降耗增效", "☑资源循环利用", "□其他"]):
        table.cell(r, 1).text = option
    grid = read_word(_bytes(document)).tables[0]
    assert grid[0][0] is grid[1][0] is grid[2][0]
    assert grid[2][1].text == "□其他"


def test_nested_table_is_appended_after_its_outer_table():
    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "外层"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "联系人"
    inner.cell(0, 1).text = "张三"
    document.add_table(rows=1, cols=1).cell(0, 0).text = "第二个表"
    tables = read_word(_bytes(document)).tables
    assert [[c.text for c in row] for table in tables for row in table] == [
        ["外层", ""], ["联系人", "张三"], ["第二个表"]]


def test_cell_paragraphs_tabs_and_breaks():
    cell = _raw_cell('<w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r>')
    assert cell.text == "甲 乙\n丙"


def test_several_paragraphs_in_a_cell_are_lines():
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "第一行"
    cell.add_paragraph("第二行")
    assert read_word(_bytes(document)).tables[0][0][0].text == "第一行\n第二行"


def test_content_controls_in_cells_are_read():
    cell = _raw_cell(f'{_run("姓名：")}<w:sdt><w:sdtPr><w:alias w:val="n"/></w:sdtPr>'
                     f'<w:sdtContent>{_run("张三")}</w:sdtContent></w:sdt>')
    assert cell.text == "姓名：张三"


def test_cell_wrapped_in_a_content_control_keeps_its_column():
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    for c, text in enumerate(["联系人", "张三", "联系电话"]):
        table.cell(0, c).text = text
    tc = table.cell(0, 1)._tc
    sdt = parse_xml(f"<w:sdt {NS}><w:sdtPr/><w:sdtContent/></w:sdt>")
    tc.addprevious(sdt)
    sdt[1].append(tc)
    row = read_word(_bytes(document)).tables[0][0]
    assert [c.text for c in row] == ["联系人", "张三", "联系电话"]


def test_placeholder_content_control_is_not_text():
    cell = _raw_cell(f'<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr>'
                     f'<w:sdtContent>{_run("单击或点击此处输入文字。")}</w:sdtContent></w:sdt>')
    assert cell.text == ""


def test_deleted_and_hidden_text_is_not_read():
    cell = _raw_cell(f'{_run("保留")}<w:del w:id="1" w:author="a"><w:r><w:delText>删除</w:delText>'
                     f'</w:r></w:del><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>')
    assert cell.text == "保留"


# ---- checkboxes -----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["□园区 ☑企业", "■园区 ☐企业", "园区√ 企业", "☒社区 ✔个人"])
def test_literal_marks_stay_as_written(text):
    assert _raw_cell(_run(text)).text == text


@pytest.mark.parametrize("font, char, expected", [
    ("Wingdings", "F0FE", "☑"),
    ("Wingdings", "F0FD", "☑"),
    ("Wingdings", "F0A8", "□"),
    ("Wingdings", "F06F", "□"),
    ("Wingdings", "F0FC", "√"),
    ("Wingdings 2", "F052", "☑"),
    ("Wingdings 2", "F054", "☑"),
    ("Wingdings 2", "F0A3", "□"),
    ("Wingdings 2", "F050", "√"),
    ("Symbol", "F0D6", "√"),
    ("宋体", "221A", "√"),
])
def test_symbol_font_marks(font, char, expected):
    cell = _raw_cell(f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>{_run("企业")}')
    assert cell.text == f"{expected}企业"


def test_symbol_font_run_text_is_decoded():
    run = ('<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr>'
           '<w:t>R</w:t></w:r>')
    assert _raw_cell(run + _run("园区")).text == "☑园区"


def _form_checkbox(ff_xml: str) -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="C1"/><w:checkBox>'
            f'<w:sizeAuto/>{ff_xml}</w:checkBox></w:ffData></w:fldChar></w:r>'
            '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


@pytest.mark.parametrize("ff_xml, expected", [
    ('<w:default w:val="0"/><w:checked/>', "☑"),
    ('<w:default w:val="1"/>', "☑"),
    ('<w:default w:val="0"/>', "□"),
    ('<w:default w:val="1"/><w:checked w:val="0"/>', "□"),
])
def test_legacy_form_checkbox(ff_xml, expected):
    assert _raw_cell(_form_checkbox(ff_xml) + _run("工厂节能降碳")).text == f"{expected}工厂节能降碳"


@pytest.mark.parametrize("value, expected", [("1", "☑"), ("0", "□")])
def test_content_control_checkbox_shows_state_not_glyph(value, expected):
    sdt = (f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{value}"/>'
           '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
           '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
           f'<w:sdtContent>{_run("☒" if value == "1" else "☐")}</w:sdtContent></w:sdt>')
    assert _raw_cell(sdt + _run("零碳工厂建设")).text == f"{expected}零碳工厂建设"


def test_enclosed_character_field_tick_in_box():
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             '<w:r><w:instrText xml:space="preserve"> eq \\o\\ac(□,</w:instrText></w:r>'
             '<w:r><w:instrText>√</w:instrText></w:r><w:r><w:instrText>)</w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    assert _raw_cell(field + _run("社区")).text == "☑社区"


# ---- images ---------------------------------------------------------------------------

def test_image_in_cell_and_image_count():
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "盖章(签字)"
    table.cell(0, 1).paragraphs[0].add_run().add_picture(io.BytesIO(_png()))
    document.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
    content = read_word(_bytes(document))
    assert [c.has_image for c in content.tables[0][0]] == [False, True]
    assert content.image_count == 2


def test_no_image():
    document = docx.Document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "盖章"
    content = read_word(_bytes(document))
    assert content.tables[0][0][0].has_image is False
    assert content.image_count == 0


# ---- unreadable files -----------------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _without_document() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_bytes(docx.Document()))) as archive:
        return _zip({n: archive.read(n) for n in archive.namelist() if n != "word/document.xml"})


@pytest.mark.parametrize("data, reason", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "legacy or encrypted Word file"),
    (b"", "not a zip"),
    (b"PK\x03\x04 broken", "not a zip"),
    (b"{\\rtf1\\ansi hello}", "RTF"),
    (_zip({"hello.txt": b"hi"}), "Content_Types"),
])
def test_unreadable_documents(data, reason):
    with pytest.raises(UnreadableDocument, match=reason.replace("[", r"\[")):
        read_word(data)


def test_missing_document_part():
    with pytest.raises(UnreadableDocument, match="document.xml"):
        read_word(_without_document())


# ---- text boxes -------------------------------------------------------------------------

_TEXT_BOX = (
    '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
    '2006"><mc:Choice Requires="wps"><w:drawing><wp:anchor xmlns:wp="http://schemas.openxmlformats'
    '.org/drawingml/2006/wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats'
    '.org/drawingml/2006/main"><a:graphicData><wps:wsp xmlns:wps="http://schemas.microsoft.com/'
    'office/word/2010/wordprocessingShape"><wps:txbx><w:txbxContent><w:p>{run}</w:p>'
    '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
    '</mc:Choice><mc:Fallback><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
    '<w:txbxContent><w:p>{run}</w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
    '</mc:AlternateContent></w:r>')


def test_text_box_content_is_read_once_with_its_anchor_paragraph():
    """GIVEN a labelled line typed in a text box (Word writes it twice: the shape and a VML
    fallback) THEN it is read once, as part of the paragraph the box is anchored to."""
    document = docx.Document()
    document.add_paragraph("案例征集申报表")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(
        f"<w:p {NS}>{_TEXT_BOX.format(run=_run('单位名称：示例科技有限公司'))}</w:p>"))
    paragraphs = [p.text for p in read_word(_bytes(document)).paragraphs]
    assert paragraphs == ["案例征集申报表", "单位名称：示例科技有限公司"]


# ---- hostile packages: refused before python-docx inflates or parses them ----------------

@pytest.mark.parametrize("build, reason", [
    (hostile.docx_gigabytes, "解压后过大"),
    (hostile.docx_empty_paragraphs, "压缩炸弹"),
    (hostile.docx_xxe, "DTD"),
    (hostile.docx_billion_laughs, "DTD"),
    (hostile.docx_deep, "嵌套过深"),
], ids=["2-gib-part", "3-million-empty-paragraphs", "xxe", "billion-laughs", "10000-deep"])
def test_a_hostile_docx_is_refused_at_once(build, reason):
    data = build()
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match=reason):
        read_word(data)
    assert time.monotonic() - started < 1


def test_an_entity_declared_past_the_first_bytes_is_still_never_resolved():
    """GIVEN a DTD hidden after 8 KB of comments, past the prolog check WHEN read THEN the
    parser leaves the external entity unresolved: the file it names is never read."""
    doctype = ("<!--" + " " * 8192 + "-->"
               f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{hostile.PASSWD}">]>')
    data = hostile.docx_with("<w:p><w:r><w:t>单位名称：&x;</w:t></w:r></w:p>", doctype)
    assert [p.text for p in read_word(data).paragraphs] == ["单位名称："]


def test_paragraphs_past_the_limit_are_refused_even_when_they_do_not_compress():
    rng = random.Random(1)  # random attributes: 150 000 paragraphs in 880 KB, under the ratio
    body = "".join(f'<w:p w:rsidR="{rng.getrandbits(32):08X}"/>' for _ in range(150_000))
    with pytest.raises(UnreadableDocument, match="段落过多"):
        read_word(hostile.docx_with(body))


def test_deep_but_legal_nesting_is_read():
    """120 nested content controls (240 XML levels, libxml2 allows 256) read in milliseconds."""
    started = time.monotonic()
    assert len(read_word(hostile.docx_deep(120)).paragraphs) == 1
    assert time.monotonic() - started < 1


# ---- the package read as python-docx's Package reads it ---------------------------------

def _through_python_docx(data: bytes) -> WordContent:
    """The reference: the package opened by python-docx, as read_word opened it until issue 8."""
    main = Package.open(io.BytesIO(data)).main_document_part
    return word_content(main.element, main.part_related_by(RT.STYLES).element)


def _form(campaign: str) -> bytes:
    return build_form(campaign, {
        "unit_name": "示例科技有限公司", "case_name": "绿色工厂建设", "contact_name": "王晓明",
        "contact_phone": "138 0000 0001", "contact_email": "wang@example.cn",
        "category": CHOICES[campaign][1], "summary": filler(300, campaign),
        "fill_date": "2024年4月1日"})


def _writeup(campaign: str) -> bytes:
    return build_writeup(campaign, "向阳而行", "示例科技有限公司绿色发展创新案例",
                         {"背景情况": filler(400, "a"), "特色经验": filler(900, "b")})


def _edited(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    assert old in members[member]
    return _zip({**members, member: members[member].replace(old, new)})


def _without(data: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _zip({n: archive.read(n) for n in archive.namelist() if n != member})


@pytest.mark.parametrize("campaign", FORM_CAMPAIGNS)
@pytest.mark.parametrize("build", [_form, _writeup], ids=["form", "writeup"])
def test_every_sample_reads_as_through_python_docx(build, campaign):
    data = build(campaign)
    content = read_word(data)
    assert content == _through_python_docx(data) and content.paragraphs


@pytest.mark.parametrize("build", [_form, _writeup], ids=["form", "writeup"])
def test_a_docx_saved_by_libreoffice_reads_as_through_python_docx(build):
    data = office_convert(build("gpipc-park-2024"), ".docx", "docx")
    content = read_word(data)
    assert content == _through_python_docx(data) and content.paragraphs


@pytest.mark.parametrize("member, old, new", [
    ("_rels/.rels", b'Target="word/document.xml"', b'Target="/word/document.xml"'),
    ("word/_rels/document.xml.rels", b'Target="styles.xml"', b'Target="../word/./styles.xml"'),
], ids=["absolute-main-part", "relative-styles-with-dots"])
def test_relationship_targets_resolve_as_python_docx_resolves_them(member, old, new):
    data = _edited(_writeup("gpipc-park-2024"), member, old, new)
    content = read_word(data)
    assert content == _through_python_docx(data)
    assert "Heading 2" in {p.style for p in content.paragraphs}


_REFUSED = [
    (lambda d: _edited(d, "_rels/.rels", b'"word/document.xml"', b'"word/Document.xml"'),
     "Document.xml"),
    (lambda d: _without(d, "word/media/image1.png"), "image1.png"),
    (lambda d: _edited(d, "[Content_Types].xml", b'<Default Extension="png" ContentType='
                       b'"image/png"/>', b""),
     "no content type for partname '/word/media/image1.png'"),
    (lambda d: _edited(d, "_rels/.rels", b"officeDocument/2006/relationships/officeDocument",
                       b"purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"),
     "no word/document.xml"),
    (lambda d: _edited(d, "word/styles.xml", b"</w:styles>", b""), "not a readable .docx"),
]


@pytest.mark.parametrize("damage, reason", _REFUSED, ids=[
    "main-part-named-in-another-case", "dangling-image", "image-without-content-type",
    "strict-officeDocument-relationship", "broken-styles"])
def test_a_damaged_package_is_refused_as_python_docx_refused_it(damage, reason):
    data = damage(_form("gpipc-park-2024"))
    with pytest.raises((KeyError, etree.XMLSyntaxError)):
        Package.open(io.BytesIO(data)).main_document_part
    with pytest.raises(UnreadableDocument, match=reason):
        read_word(data)


@pytest.mark.parametrize("shown, stored", BabelFish.style_aliases)
def test_built_in_style_names_are_shown_as_python_docx_shows_them(shown, stored):
    document = docx.Document()
    document.add_paragraph("正文", style=shown)
    assert read_word(_bytes(document)).paragraphs[0].style == shown
