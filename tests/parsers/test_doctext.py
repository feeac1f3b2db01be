"""Word 97-2003 text: the piece table, paragraph properties, tables, and the repair of forms
whose tables LibreOffice's .doc import loses. Fixtures are built here: small .doc files
written byte by byte, and forms saved as .doc by real LibreOffice."""
from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from parsers.choices import UNREAD_BOX
from parsers.docfile import main_text
from parsers.doctext import read_doc, repaired
from parsers.errors import UnreadableDocument
from parsers.form import map_form
from parsers.model import Cell, Paragraph, WordContent
from parsers.office import Converter
from parsers.reading import InlineReader, RawFile
from parsers.word import read_word
from pipeline.app.extract import extract_file
from pipeline.config.settings import parse_config
from pipeline.demo.samples import build_form, filler
from pipeline.demo.samples.forms import CHOICES
from rules.profile import load_profile
from tests.support.cfb import compound_file
from tests.support.office import office_convert_direct

CAMPAIGNS = Path(__file__).resolve().parents[2] / "rules" / "campaigns"

# ---- a .doc written byte by byte (MS-DOC): FIB, text pieces, CLX, one FKP page ---------

_TEXT_AT = 1024
_ONE_TABLE = 0x0200  # fWhichTblStm


def _on(sprm: int) -> bytes:
    return struct.pack("<HB", sprm, 1)


CELL = _on(0x2416)                     # sprmPFInTable
ROW = _on(0x2416) + _on(0x2417)        # ... and sprmPFTtp: this \x07 ends the row


def depth(n: int) -> bytes:
    return struct.pack("<Hi", 0x6649, n)  # sprmPItap


INNER_CELL, INNER_ROW = _on(0x244B), _on(0x244C)


def row(*edges: int, merges: tuple[int, ...] = ()) -> bytes:
    """A row end with its cells' edges (sprmTDefTable) and TC80 flags."""
    flags = list(merges) + [0] * (len(edges) - 1 - len(merges))
    body = (bytes([len(edges) - 1]) + struct.pack(f"<{len(edges)}h", *edges)
            + b"".join(struct.pack("<H18x", f) for f in flags))
    return ROW + struct.pack("<HH", 0xD608, len(body) + 1) + body


def _fib(ident: int, nfib: int, flags: int, ccp: int, pairs: dict[int, tuple[int, int]]) -> bytes:
    base = struct.pack("<HHHHHH", ident, nfib, 0, 0x0804, 0, flags).ljust(32, b"\0")
    longs = [0] * 22
    longs[3] = ccp
    fclcb = [0] * (2 * 93)
    for index, (fc, lcb) in pairs.items():
        fclcb[2 * index:2 * index + 2] = [fc, lcb]
    return (base + struct.pack("<H", 14) + b"\0" * 28 + struct.pack("<H22i", 22, *longs)
            + struct.pack(f"<H{2 * 93}I", 93, *fclcb))


def _fkp(runs: list[tuple[int, int, bytes | None]]) -> bytes:
    """One FKP page of paragraph runs (first fc, end fc, grpprl or None for no properties)."""
    page, free = bytearray(512), 511
    struct.pack_into(f"<{len(runs) + 1}I", page, 0, *[r[0] for r in runs], runs[-1][1])
    for k, (_, _, grpprl) in enumerate(runs):
        if grpprl is None:
            continue
        body = b"\0\0" + grpprl  # istd 0
        papx = (bytes([(len(body) + 1) // 2]) + body if len(body) % 2
                else bytes([0, len(body) // 2]) + body)
        free = (free - len(papx)) & ~1
        page[free:free + len(papx)] = papx
        page[4 * (len(runs) + 1) + 13 * k] = free // 2
    page[511] = len(runs)
    return bytes(page)


def word_streams(pieces: list[tuple[str, bool]], *, papx: list[bytes | None] | None = None,
                 ccp: int | None = None, ident: int = 0xA5EC, nfib: int = 0xC1,
                 flags: int = _ONE_TABLE, prc: bytes = b"") -> dict[str, bytes]:
    """The streams of a .doc holding `pieces` ((text, compressed) each) as its main text;
    `papx` gives each paragraph, in order, its properties (single-piece texts only)."""
    body, pcds, cps, places = bytearray(), [], [0], []
    for text, compressed in pieces:
        fc = _TEXT_AT + len(body)
        pcds.append(struct.pack("<HIH", 0, fc * 2 | 0x40000000 if compressed else fc, 0))
        places.append((fc, 1 if compressed else 2))
        body += text.encode("cp1252") if compressed else text.encode("utf-16-le")
        cps.append(cps[-1] + len(text))
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(pcds)
    table = prc + b"\x02" + struct.pack("<I", len(plc)) + plc
    pairs = {33: (0, len(table))}
    word = bytearray(_TEXT_AT) + body
    if papx is not None:
        fc, width = places[0]
        text = pieces[0][0]
        marks = [i for i, ch in enumerate(text) if ch in "\r\x07"]
        starts = [0] + [m + 1 for m in marks[:-1]]
        runs = [(fc + width * s, fc + width * (m + 1), p) for s, m, p in zip(starts, marks, papx)]
        word += b"\0" * (-len(word) % 512)
        pn = len(word) // 512
        word += _fkp(runs)
        bte = struct.pack("<3I", runs[0][0], runs[-1][1], pn)
        pairs[13] = (len(table), len(bte))
        table += bte
    fib = _fib(ident, nfib, flags, cps[-1] if ccp is None else ccp, pairs)
    word[:len(fib)] = fib
    name = "1Table" if flags & _ONE_TABLE else "0Table"
    return {"WordDocument": bytes(word), name: table}


def word_file(pieces: list[tuple[str, bool]], **options) -> bytes:
    return compound_file(word_streams(pieces, **options))


def _texts(content: WordContent) -> list[list[list[str]]]:
    return [[[cell.text for cell in r] for r in table] for table in content.tables]


# ---- the piece table --------------------------------------------------------------------

def test_a_compressed_piece_is_cp1252():
    assert main_text(word_file([("Caf\xe9 \u201cdone\u201d \u20ac5\r", True)])) == \
        "Caf\xe9 \u201cdone\u201d \u20ac5\r"


def test_utf16_and_compressed_pieces_join_in_order():
    data = word_file([("单位名称\x07", False), ("ABC Ltd\x07", True), ("联系人\r", False)])
    assert main_text(data) == "单位名称\x07ABC Ltd\x07联系人\r"


def test_only_the_main_text_is_read():
    """Footnotes and headers follow the main text in the same pieces: ccpText ends it."""
    assert main_text(word_file([("正文\r脚注\r", False)], ccp=3)) == "正文\r"


def test_property_lists_before_the_piece_table_are_skipped():
    prc = b"\x01" + struct.pack("<h", 3) + b"\x03\x24\x01"  # a Prc holding sprmPJc
    assert main_text(word_file([("正文\r", False)], prc=prc)) == "正文\r"


# ---- what the page shows ----------------------------------------------------------------

@pytest.mark.parametrize("stored, shown", [
    ('\x13 HYPERLINK "http://example.cn" \x14链接\x15后\r', "链接后"),
    ("前\x13 XE \"索引\" \x15后\r", "前后"),                       # no result: nothing shown
    ("\x13 IF \x13 PAGE \x141\x15 = 1 \x14是\x15\r", "是"),         # a field inside a field's code
    ("上\x0b下\t制表\r", "上\n下 制表"),                             # soft line break, tab
    ("non\x1ebreaking opt\x1fional\r", "non-breaking optional"),
    ("图\x01片\r", "图片"),
])
def test_what_a_paragraph_shows(stored, shown):
    assert [p.text for p in read_doc(word_file([(stored, False)])).paragraphs] == [shown]


def test_a_field_result_may_span_paragraphs():
    content = read_doc(word_file([("\x13 TOC \x14第一章\r第二章\x15\r后记\r", False)]))
    assert [p.text for p in content.paragraphs] == ["第一章", "第二章", "后记"]


def test_a_picture_is_counted_and_marks_its_cell():
    content = read_doc(word_file([("盖章\x07\x01\x07\x07", False)]))
    assert content.image_count == 1
    assert content.tables == (((Cell("盖章"), Cell("", has_image=True)),),)


# ---- tables -----------------------------------------------------------------------------

def test_row_ends_come_from_the_paragraph_properties():
    """GIVEN a row whose value cell is empty ("所属行业\\x07\\x07\\x07": by the text alone an empty
    cell and a row end look alike) WHEN its properties mark the row end THEN rows are right."""
    text = "所属行业\x07\x07\x07案例名称\x07绿色工厂\x07\x07"
    papx = [CELL, CELL, row(0, 1000, 3000), CELL, CELL, row(0, 1000, 3000)]
    content = read_doc(word_file([(text, False)], papx=papx))
    assert _texts(content) == [[["所属行业", ""], ["案例名称", "绿色工厂"]]]


def test_without_paragraph_properties_an_empty_mark_after_a_cell_ends_the_row():
    content = read_doc(word_file([("附件1\r单位名称\x07示例\x07\x07联系人\x07张三\x07\x07", False)]))
    assert [p.text for p in content.paragraphs] == ["附件1"]
    assert _texts(content) == [[["单位名称", "示例"], ["联系人", "张三"]]]


def test_a_cell_spanning_columns_appears_at_each():
    text = "单位名称\x07示例\x07\x07联系人\x07张三\x07电话\x07123\x07\x07"
    papx = [CELL, CELL, row(0, 100, 400), CELL, CELL, CELL, CELL, row(0, 100, 200, 300, 400)]
    table = read_doc(word_file([(text, False)], papx=papx)).tables[0]
    assert [len(r) for r in table] == [4, 4]
    assert table[0][1] is table[0][2] is table[0][3] and table[0][1].text == "示例"


def test_a_vertically_merged_cell_is_the_cell_above():
    text = "企业规模\x07收入\x07\x07\x07资产\x07\x07"
    papx = [CELL, CELL, row(0, 100, 200, merges=(0x60,)), CELL, CELL,
            row(0, 100, 200, merges=(0x20,))]
    table = read_doc(word_file([(text, False)], papx=papx)).tables[0]
    assert table[1][0] is table[0][0] and [c.text for c in table[1]] == ["企业规模", "资产"]


def test_a_nested_table_follows_its_table():
    text = "外\x07\r内1\r内2\r\r\x07\x07"
    papx = [CELL, CELL, depth(2) + CELL + INNER_CELL, depth(2) + CELL + INNER_CELL,
            depth(2) + CELL + INNER_ROW, CELL, row(0, 100, 200)]
    content = read_doc(word_file([(text, False)], papx=papx))
    assert _texts(content) == [[["外", ""]], [["内1", "内2"]]]


def test_an_absurd_nesting_depth_is_bounded():
    content = read_doc(word_file([("深\r\x07\x07", False)],
                                 papx=[depth(2**31 - 1), CELL, row(0, 100)]))
    assert len(content.tables) == 64  # Word's own limit is 63 levels


# ---- what is not a readable .doc ----------------------------------------------------------

_GOOD = word_streams([("单位名称\x07示例\x07\x07", False)])
_PCD = struct.pack("<HIH", 0, _TEXT_AT, 0)  # the one piece, at _TEXT_AT


def _damaged(stream: str, change) -> bytes:
    return compound_file({**_GOOD, stream: change(_GOOD[stream])})


def _clx_size(word: bytes, size: int) -> bytes:
    fib = bytearray(word)
    struct.pack_into("<I", fib, 154 + 8 * 33 + 4, size)  # lcbClx in FibRgFcLcb97
    return bytes(fib)


@pytest.mark.parametrize("data", [
    b"not an ole file at all" * 100,
    compound_file({"Workbook": b"\0" * 600}),
    compound_file(_GOOD)[:2000],
    word_file([("x\r", False)], ident=0x1234),
    word_file([("x\r", False)], nfib=0x65),                       # Word 6.0/95
    word_file([("x\r", False)], flags=_ONE_TABLE | 0x0100),       # a password to open
    word_file([("x\r", False)], ccp=10_000),                       # more text than stored
    compound_file({"WordDocument": _GOOD["WordDocument"]}),         # its table stream gone
    _damaged("WordDocument", lambda word: word[:40]),
    _damaged("WordDocument", lambda word: word[:_TEXT_AT + 6]),
    _damaged("WordDocument", lambda word: _clx_size(word, 10**6)),
    _damaged("1Table", lambda table: b"\0" * len(table)),
    _damaged("1Table", lambda table: table[:9]),
    _damaged("1Table", lambda table: table.replace(_PCD, struct.pack("<HIH", 0, 10**8, 0))),
], ids=["not-ole", "no-word-stream", "compound-file-cut", "not-word", "word95", "encrypted",
        "ccp-past-end", "no-table-stream", "fib-cut", "text-cut", "clx-past-end",
        "no-piece-table", "piece-table-cut", "piece-past-end"])
def test_what_is_not_a_readable_doc(data):
    with pytest.raises(UnreadableDocument):
        read_doc(data)


def test_damaged_streams_fail_as_unreadable_or_read_never_crash():
    """Random bytes over the FIB, the text, the piece table and the FKP page of a small form."""
    streams = word_streams([("单位名称\x07示例\x07\x07联系人\x07张三\x07\x07", False)],
                           papx=[CELL, CELL, row(0, 100, 400), CELL, CELL, row(0, 100, 400)])
    rng = random.Random(20240401)
    for _ in range(300):
        name = rng.choice(sorted(streams))
        damaged = bytearray(streams[name])
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            read_doc(compound_file({**streams, name: bytes(damaged)}))
        except UnreadableDocument:
            pass


def test_a_doc_we_cannot_read_leaves_the_conversion_as_it_is():
    converted = WordContent(paragraphs=(Paragraph("单位名称示例"),), tables=())
    assert repaired(converted, b"not an ole file" * 100) is converted


# ---- repairing a conversion --------------------------------------------------------------

_FORM = word_file([("案例申报表\r单位名称\x07示例\x07\x07联系人\x07张三\x07\x07", False)])


def test_a_conversion_with_its_tables_is_kept():
    converted = WordContent(paragraphs=(Paragraph("案例申报表"),), tables=(
        ((Cell("单位名称"), Cell("示例")), (Cell("联系人"), Cell("张三"))),))
    assert repaired(converted, _FORM) is converted


def test_glued_cells_are_replaced_by_the_tables_and_styles_kept():
    converted = WordContent(paragraphs=(Paragraph("案例申报表", "Title", True),
                                        Paragraph("单位名称示例联系人张三")), tables=(),
                            image_count=0)
    content = repaired(converted, _FORM)
    assert content.paragraphs == (Paragraph("案例申报表", "Title", True),)
    assert _texts(content) == [[["单位名称", "示例"], ["联系人", "张三"]]]


def test_a_conversion_that_lost_its_last_table_is_repaired():
    """LibreOffice glues only the table that ends the document: the first one survives."""
    form = word_file([("甲\x07乙\x07\x07说明\r单位名称\x07示例\x07\x07", False)])
    converted = WordContent(paragraphs=(Paragraph("说明"), Paragraph("单位名称示例")),
                            tables=(((Cell("甲"), Cell("乙")),),))
    content = repaired(converted, form)
    assert _texts(content) == [[["甲", "乙"]], [["单位名称", "示例"]]]
    assert content.paragraphs == (Paragraph("说明"),)


def test_checkboxes_the_doc_cannot_show_are_taken_from_the_conversion():
    """GIVEN a Wingdings box (U+F052) and a form checkbox, which only character properties and
    the Data stream explain WHEN the conversion shows them THEN the cells show the same."""
    form = word_file([("主题\x07\uf052园区 \x13 FORMCHECKBOX \x01\x14\x15企业\x07\x07", False)])
    converted = WordContent(paragraphs=(Paragraph("主题☑园区 □企业"),), tables=())
    assert _texts(repaired(converted, form)) == [[["主题", "☑园区 □企业"]]]
    # Alone, or where the conversion does not line up: a box of unknown state, never guessed.
    assert _texts(read_doc(form)) == [[["主题", f"{UNREAD_BOX}园区 {UNREAD_BOX}企业"]]]
    elsewhere = WordContent(paragraphs=(Paragraph("主题 另一份文件"),), tables=())
    assert _texts(repaired(elsewhere, form)) == [[["主题", f"{UNREAD_BOX}园区 {UNREAD_BOX}企业"]]]


def test_a_picture_marks_a_cell_only_if_the_conversion_has_pictures():
    form = word_file([("盖章\x07\x08\x07\x07", False)])  # a floating shape: maybe a text box
    glued = (Paragraph("盖章"),)
    assert repaired(WordContent(glued, (), image_count=1), form).tables[0][0][1].has_image
    assert not repaired(WordContent(glued, (), image_count=0), form).tables[0][0][1].has_image


# ---- forms saved as .doc by LibreOffice, read as the product reads them ------------------

VALUES = {
    "unit_name": "示例科技有限公司", "industry": "信息通信业", "case_name": "绿色工厂建设",
    "period": "2021年1月至2022年6月", "revenue_wan": "12000", "assets_wan": "56000",
    "ownership": "民营企业", "leader_name": "李明", "leader_title": "总经理",
    "leader_phone": "139 0000 0002", "leader_email": "li@example.cn",
    "contact_name": "王晓明", "contact_title": "主管", "contact_phone": "138 0000 0001",
    "contact_email": "wang@example.cn", "address": "浙江省杭州市示例路1号",
    "recommender_opinion": "同意推荐", "fill_date": "2024年4月1日",
}
FORMS = ("gpipc-park-2024", "ccea-green-2022", "mee-lowcarbon-2023")
TEXTUAL = ("text", "phone", "email", "date")


def _values(campaign: str) -> dict[str, str]:
    return {**VALUES, "category": CHOICES[campaign][1], "summary": filler(300, campaign),
            "awards": "获评省级绿色工厂。"}


@pytest.fixture(scope="module")
def forms() -> dict[str, tuple[bytes, bytes]]:
    """Each campaign's form as .docx and as the .doc LibreOffice saves straight from it."""
    made = {c: build_form(c, _values(c)) for c in FORMS}
    return {c: (data, office_convert_direct(data, ".docx", "doc")) for c, data in made.items()}


@pytest.fixture(scope="module")
def read_back(forms, tmp_path_factory) -> dict[str, WordContent]:
    """The .doc forms read as the product reads them: converted by parsers/office.py."""
    converter = Converter(tmp_path_factory.mktemp("doctext") / "cache")
    try:
        items = InlineReader(converter).read([RawFile(f"{c}.doc", doc)
                                              for c, (_, doc) in forms.items()])
    finally:
        converter.close()
    assert all(item.format == "doc" and item.converted for item in items)
    return {c: item.content.word for c, item in zip(forms, items)}


@pytest.mark.parametrize("campaign", FORMS)
def test_every_field_of_a_doc_form_reads_as_from_the_docx(campaign, forms, read_back):
    spec = load_profile(CAMPAIGNS / f"{campaign}.toml").form
    fields = map_form(read_back[campaign], spec)
    assert fields == map_form(read_word(forms[campaign][0]), spec)
    written = [f.key for f in spec.fields if f.type in TEXTUAL and f.key in _values(campaign)]
    assert written and [key for key in written if not fields[key]] == []


def test_the_doc_holds_the_cells_libreoffice_wrote(forms):
    text = main_text(forms["gpipc-park-2024"][1])
    assert text.startswith("附件1\r案例征集申报表\r单位名称\x07示例科技有限公司\x07\x07联系人\x07王晓明\x07")


@pytest.mark.parametrize("campaign", FORMS)
def test_read_doc_gives_the_tables_read_word_gives(campaign, forms):
    """Merged cells included: spans repeat one Cell, vertical merges are the Cell above."""
    docx_form, doc_form = forms[campaign]

    def shape(content: WordContent) -> list:
        return [[[(c.text, c.has_image, [id(x) for x in r].index(id(c))) for c in r] for r in t]
                for t in content.tables]
    assert shape(read_doc(doc_form)) == shape(read_word(docx_form))


def test_intake_extract_reads_a_doc_form(forms, tmp_path):
    config = parse_config({}, tmp_path / "config")
    docx_form, doc_form = forms["gpipc-park-2024"]
    (tmp_path / "申报表.doc").write_bytes(doc_form)
    (tmp_path / "申报表.docx").write_bytes(docx_form)
    result = extract_file(tmp_path / "申报表.doc", config, None)
    assert (result["kind"], result["campaign"], result["format"], result["converted"]) == (
        "form", "gpipc-park-2024", "doc", True)
    assert result["fields"] == extract_file(tmp_path / "申报表.docx", config, None)["fields"]
    assert result["seal"] is True


# ---- checkboxes and nested tables through LibreOffice --------------------------------------

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _sym(char: str) -> str:
    return f'<w:r><w:sym w:font="Wingdings 2" w:char="{char}"/></w:r>'


def _form_checkbox(state: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>'
            f'<w:default w:val="{state}"/></w:checkBox></w:ffData></w:fldChar></w:r>'
            '<w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _themes_docx() -> bytes:
    """Themes marked in a symbol font and with form checkboxes, a nested table, and nothing
    after the table: the shape whose cells LibreOffice's .doc import glues."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for r, (checked, unchecked) in enumerate([(_sym("F052"), _sym("F0A3")),
                                              (_form_checkbox("1"), _form_checkbox("0"))]):
        table.cell(r, 0).text = "申报主题"
        old = table.cell(r, 1).paragraphs[0]._p
        old.addnext(parse_xml(f"<w:p {_NS}>{checked}{_run('园区 ')}{unchecked}{_run('企业')}"
                              "</w:p>"))
        old.getparent().remove(old)
    table.cell(2, 0).text = "成员"
    inner = table.cell(2, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "甲", "乙"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_checkboxes_and_nested_tables_survive_the_doc_route(tmp_path):
    doc = office_convert_direct(_themes_docx(), ".docx", "doc")
    converter = Converter(tmp_path / "cache")
    try:
        item = InlineReader(converter).read([RawFile("主题.doc", doc)])[0]
    finally:
        converter.close()
    assert _texts(item.content.word) == [
        [["申报主题", "☑园区 □企业"], ["申报主题", "☑园区 □企业"], ["成员", ""]], [["甲", "乙"]]]
