"""Tests for parsers.pdf: PDFium reads reports and scans as pdfplumber did; forms keep pdfplumber.

Word-exported PDFs are made by real LibreOffice (tests/support/office.py); `pdf._plumbed` is the
pdfplumber reading every file went through before PDFium, the reference the PDFium path must match.
"""
from __future__ import annotations

import io

import docx
import pytest

from parsers import pdf, pdfium
from parsers.errors import UnreadableDocument
from parsers.pdf import read_pdf
from pipeline.demo.samples import build_form, build_writeup, filler, proof_pdf, scan_pdf
from tests.support import hostile
from tests.support.office import office_convert

PARK = "gpipc-park-2024"
FORM_VALUES = {"unit_name": "示例经济技术开发区管理委员会", "contact_name": "王晓明",
               "case_name": "绿色金融服务平台", "category": "绿色投资环境创新"}
_PASSWORD = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
             '"DocumentOpenPassword":{"type":"string","value":"secret"}}')


def _docx(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def writeup_pdf() -> bytes:
    """A write-up of about 3 400 characters, exported by LibreOffice: pages of text, no table."""
    writeup = build_writeup(PARK, "向阳而行", "示例经济技术开发区绿色发展创新案例",
                            {"背景情况": filler(800, "a"), "特色经验": filler(1800, "b"),
                             "未来展望": filler(800, "c")})
    return office_convert(writeup, ".docx", "pdf")


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    """What trips a naive PDFium reading: a header, a footer, a title underlined by a rule,
    tab stops, Latin words and numbers between Chinese ones."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "示例公司 绿色发展案例 2024"
    document.sections[0].footer.paragraphs[0].text = "第 1 页"
    document.add_heading("向阳而行：Green Data Center 2.0", 0)  # the Title style's bottom rule
    document.add_heading("一、企业概况", 2)
    document.add_paragraph(filler(600, "x") + " PUE 1.25，节电 12.5% 以上，投资 3,000 万元。")
    document.add_paragraph("第一项\t完成\t2023年")
    document.add_paragraph("A long English sentence that wraps across the line, with "
                           "internationalization and responsibilities mentioned twice.")
    return office_convert(_docx(document), ".docx", "pdf")


@pytest.fixture
def no_pdfplumber(monkeypatch):
    """The file must be read by PDFium alone."""
    def refuse(data: bytes) -> pdf.PdfContent:
        raise AssertionError("read through pdfplumber")
    monkeypatch.setattr(pdf, "_plumbed", refuse)


def _lines(content: pdf.PdfContent) -> set[str]:
    return {line for line in content.lines if line}


# ---- text PDFs through PDFium ------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["writeup_pdf", "report_pdf"])
def test_a_word_exported_text_pdf_reads_through_pdfium_as_pdfplumber_read_it(request, fixture):
    """GIVEN a Word-exported PDF without a table WHEN read THEN PDFium alone reads it, with
    the lines, pages, text and verdicts pdfplumber gave."""
    data = request.getfixturevalue(fixture)
    before = pdf._plumbed(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "_plumbed", lambda data: pytest.fail("read through pdfplumber"))
        after = read_pdf(data)
    assert _lines(after) == _lines(before) and after.lines == before.lines
    assert (after.pages, after.is_scan, after.seal, after.tables) == (
        before.pages, False, False, ())
    assert after.text == before.text


def test_pdfium_keeps_only_the_spaces_pdfplumber_sees(report_pdf):
    """PDFium invents a space at every gap (tab stops, "2023 年"); pdfplumber writes one only
    where the gap is wider than 3 pt, and never one at a line's end."""
    lines = read_pdf(report_pdf).lines
    assert "第一项完成 2023年" in lines
    assert "示例公司 绿色发展案例 2024" in lines and "第 1 页" in lines
    assert not [line for line in lines if line != line.strip() or "  " in line]


def test_unmapped_glyphs_are_left_out_as_pdfminer_leaves_cid_codes(writeup_pdf):
    """GIVEN fonts without a ToUnicode map WHEN read THEN the glyphs PDFium cannot map are
    left out (pdfminer's "(cid:N)"), and the file is text or scan exactly as before."""
    unmapped = writeup_pdf.replace(b"/ToUnicode", b"/ToUnicodX")  # same length: xref holds
    before, after = pdf._plumbed(unmapped), read_pdf(unmapped)
    assert "(cid:" in before.text
    assert after.is_scan == before.is_scan
    assert not [ch for ch in after.text if ch < " " and ch != "\n"]


def test_a_character_outside_the_basic_plane_is_kept(no_pdfplumber):
    """A rare name character (𠮷, U+20BB7) is two UTF-16 units to PDFium: kept whole."""
    data = _one_page_pdf(b"BT /F1 24 Tf 50 700 Td (BACBCBCBCBCBCBCBCBCBCBCB) Tj ET",
                         b"<41> <D842DFB7> <42> <4E2D> <43> <56FD>")
    assert read_pdf(data).lines == ("中𠮷国中国中国中国中国中国中国中国中国中国中国中",)


# ---- forms keep pdfplumber -----------------------------------------------------------------

def test_a_form_pdf_with_ruled_tables_is_read_by_pdfplumber_as_before():
    form = office_convert(build_form(PARK, FORM_VALUES, seal=False), ".docx", "pdf")
    pages = pdfium.read_pages(form)
    assert pages is not None and any(page.ruled for page in pages)
    content = read_pdf(form)
    assert content.tables == pdf._plumbed(form).tables
    cells = {cell.text for table in content.tables for row in table for cell in row}
    assert {"示例经济技术开发区管理委员会", "绿色金融服务平台"} <= cells
    assert content.seal is False


@pytest.mark.parametrize("sizes, ruled", [
    ([], False),
    ([(450.0, 0.5)], False),  # a header's rule or an underline
    ([(450.0, 0.5), (300.0, 1.0), (2.0, 2.0)], False),  # rules across only, and a dot
    ([(450.0, 0.5), (0.5, 120.0)], True),  # rules across and down can cross into cells
    ([(120.0, 40.0)], True),  # a box has four edges of its own
])
def test_paths_that_could_make_a_ruled_table(sizes, ruled):
    assert pdfium._ruled(sizes) is ruled


# ---- scans and seals ---------------------------------------------------------------------

@pytest.mark.parametrize("data, seal", [
    (scan_pdf(seal=True, seed=11), True),
    (scan_pdf(seal=False, seed=12), False),
    (proof_pdf("检测报告", seed=13), False),
])
def test_a_scan_is_a_scan_and_its_seal_is_found_by_pdfium(no_pdfplumber, data, seal):
    content = read_pdf(data)
    assert (content.pages, content.is_scan, content.text.strip(), content.seal) == (
        1, True, "", seal)


def test_only_the_first_pictured_pages_are_rendered_for_the_seal(monkeypatch, no_pdfplumber):
    rendered = []
    def render(data: bytes, indexes: list[int], dpi: float) -> tuple[bytes, ...]:
        rendered.extend(indexes)
        return ()
    monkeypatch.setattr(pdfium, "render_bmps", render)
    pages = pdfium.PdfiumPage(text="", pictured=True, ruled=False, blank=False)
    monkeypatch.setattr(pdfium, "read_pages", lambda data: (pages,) * (pdf.SEAL_PAGES + 3))
    assert read_pdf(b"%PDF").seal is None
    assert rendered == list(range(pdf.SEAL_PAGES))


# ---- files that cannot be read -------------------------------------------------------------

def test_a_pdf_with_an_open_password_is_encrypted():
    document = docx.Document()
    document.add_paragraph("加密的申报材料")
    locked = office_convert(_docx(document), ".docx", _PASSWORD)
    with pytest.raises(UnreadableDocument, match="^PDF已加密$"):
        read_pdf(locked)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"%PDF-1.4\n" + bytes(range(256)) * 8])
def test_what_pdfium_cannot_open_gets_pdfminer_s_reason(data):
    assert pdfium.read_pages(data) is None
    with pytest.raises(UnreadableDocument, match="^PDF无法打开："):
        read_pdf(data)


def test_a_file_pdfium_finds_nothing_on_is_left_to_pdfminer(monkeypatch):
    """A page PDFium shows as empty may be one it could not parse (a MediaBox nested 200 000
    deep): pdfminer reads it, or says why not, as before."""
    monkeypatch.setattr(pdf, "_plumbed", lambda data: pdf.PdfContent(pages=7, text=""))
    assert read_pdf(_one_page_pdf(b"BT ET", b"")).pages == 7


def _one_page_pdf(content: bytes, unicode_map: bytes) -> bytes:
    """One page drawing `content` in Helvetica, whose codes map to Unicode by `unicode_map`."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 3 beginbfchar " + unicode_map
            + b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    return hostile.pdf_of_objects(objects)


def test_a_page_tree_claiming_a_million_pages_is_read_to_its_first_pages_only():
    content = read_pdf(hostile.pdf_page_tree_dag())
    assert content.pages <= pdfium.MAX_PAGES
