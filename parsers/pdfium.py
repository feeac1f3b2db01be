"""PDF pages through PDFium (pypdfium2): text as pdfplumber would give it, pictures, ruled lines."""
from __future__ import annotations

import array
import ctypes
import io
import re
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.errors import UnreadableDocument

# pdfplumber starts a new word (and writes a space) where the gap to the next character is
# wider than 3 pt (its x_tolerance), or the next character sits more than 3 pt higher or lower
# (its y_tolerance). PDFium invents spaces at narrower gaps ("2023 年", "第一项 完成"): the
# invented ones are kept only where pdfplumber would have seen a word break too.
WORD_GAP = 3.0
# pdfplumber's table finder drops edges shorter than 3 pt: a path object thinner than that is
# a single rule (an underline, a header line), one both wider and taller can hold a cell.
THIN = 3.0
_SPACE = 0x20
# pdfplumber joins the words of a line with one space, whatever blank characters lay between.
_BLANKS = re.compile(r"[^\S\n]+")


# A form is read from its first pages; a page tree whose nodes share children claims a million
# pages in a kilobyte, and reading each would take a minute: only the first MAX_PAGES are read.
MAX_PAGES = 300


@dataclass(frozen=True)
class PdfiumPage:
    # The page's text, with pdfplumber's line breaks and spaces; unmapped glyphs left out.
    text: str
    # An image object anywhere on the page: a scan, a photo, a pasted e-seal.
    pictured: bool
    # Path objects that could form a ruled table: a box, or rules both across and down.
    ruled: bool
    # No page object at all: nothing to show, or content PDFium could not parse.
    blank: bool


def read_pages(data: bytes) -> tuple[PdfiumPage, ...] | None:
    """Each page as PDFium reads it; None when PDFium cannot open or read the file.

    Raises UnreadableDocument ("PDF已加密") for a file that needs a password to open.
    """
    try:
        with closing(_opened(data)) as document:
            count = min(len(document), MAX_PAGES)
            return tuple(_read_page(document, index) for index in range(count))
    except pdfium.PdfiumError:
        return None


def render_bmps(data: bytes, indexes: Sequence[int], dpi: float) -> tuple[bytes, ...]:
    """The pages at `indexes` rendered at `dpi` as BMP files, as pdfplumber's to_image does."""
    if not indexes:
        return ()
    try:
        with closing(_opened(data)) as document:
            return tuple(_render(document, index, dpi) for index in indexes)
    except pdfium.PdfiumError as error:
        raise UnreadableDocument(f"PDF无法打开：{type(error).__name__}") from None


def _opened(data: bytes) -> Any:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        # pypdfium2 5 carries PDFium's reason on the error; 4 leaves it in FPDF_GetLastError.
        code = getattr(error, "err_code", None) or pdfium_c.FPDF_GetLastError()
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise UnreadableDocument("PDF已加密") from None
        raise


def _read_page(document: Any, index: int) -> PdfiumPage:
    with closing(document[index]) as page, closing(page.get_textpage()) as textpage:
        objects = list(_objects(page, 0))
        return PdfiumPage(text=_text(textpage),
                          pictured=any(kind == pdfium_c.FPDF_PAGEOBJ_IMAGE for kind, _ in objects),
                          ruled=_ruled(_size(handle) for kind, handle in objects
                                       if kind == pdfium_c.FPDF_PAGEOBJ_PATH),
                          blank=not objects)


def _render(document: Any, index: int, dpi: float) -> bytes:
    # pdfplumber's to_image settings (no anti-aliasing), rendered straight to RGB: the same
    # pixels as its BGRx-then-convert, without the copy.
    with closing(document[index]) as page, closing(
            page.render(scale=dpi / 72, no_smoothtext=True, no_smoothpath=True,
                        no_smoothimage=True, rev_byteorder=True)) as bitmap:
        out = io.BytesIO()
        bitmap.to_pil().save(out, format="BMP")
        return out.getvalue()


# ---- objects ----------------------------------------------------------------------------

# Form XObjects nest; pdfminer flattens them, so their pictures and paths count as the page's.
_MAX_FORM_DEPTH = 15


def _objects(parent: Any, depth: int) -> Iterator[tuple[int, Any]]:
    """(type, handle) of every page object, those inside Form XObjects included."""
    form = depth > 0
    count = (pdfium_c.FPDFFormObj_CountObjects if form else pdfium_c.FPDFPage_CountObjects)(parent)
    get = pdfium_c.FPDFFormObj_GetObject if form else pdfium_c.FPDFPage_GetObject
    for i in range(max(count, 0)):
        handle = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(handle)
        yield kind, handle
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            yield from _objects(handle, depth + 1)


def _size(handle: Any) -> tuple[float, float]:
    """Width and height of an object's bounding box (0 × 0 when PDFium cannot place it)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(handle, left, bottom, right, top):
        return 0.0, 0.0
    return right.value - left.value, top.value - bottom.value


def _ruled(boxes: Iterable[tuple[float, float]]) -> bool:
    """pdfplumber could find a table: a path with four edges of its own, or rules both ways."""
    across = down = False
    for width, height in boxes:
        if width > THIN and height > THIN:
            return True
        across, down = across or width >= height, down or height > width
        if across and down:
            return True
    return False


# ---- text -------------------------------------------------------------------------------

def _text(textpage: Any) -> str:
    """PDFium's text with pdfplumber's spaces, "\\n" line breaks and no unmapped glyphs.

    A glyph whose font maps it to no character is what pdfminer shows as "(cid:N)": PDFium
    gives its code instead, garbage that would make a scan look like text; it is left out.
    """
    units = _utf16(textpage)
    dropped = set(_unmapped(textpage)) | set(_narrow_spaces(textpage, units))
    if dropped:
        units = array.array("H", (u for i, u in enumerate(units) if i not in dropped))
    text = units.tobytes().decode("utf-16-le", errors="ignore")
    return "\n".join(_BLANKS.sub(" ", line).strip() for line in text.splitlines())


def _utf16(textpage: Any) -> array.array:
    """The page's text as UTF-16 units, whose positions are PDFium's text indices."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return array.array("H")
    # Room for twice the characters: a range that starts or ends on a character left out of
    # the text made some PDFium builds write past `count` (crbug.com/pdfium/2079).
    buffer = (ctypes.c_ushort * (2 * count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)  # with the closing NUL
    return array.array("H", buffer[:max(written - 1, 0)])


def _unmapped(textpage: Any) -> Iterator[int]:
    """Text indices of the glyphs PDFium found no Unicode for."""
    has_error = pdfium_c.FPDFText_HasUnicodeMapError
    for char in range(textpage.count_chars()):
        if has_error(textpage, char) == 1:
            yield pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, char)


def _narrow_spaces(textpage: Any, units: array.array) -> Iterator[int]:
    """Text indices of the spaces PDFium invented where pdfplumber sees no word break."""
    count = textpage.count_chars()
    for index, unit in enumerate(units):
        if unit != _SPACE:
            continue
        char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, index)
        if (0 < char < count - 1 and pdfium_c.FPDFText_IsGenerated(textpage, char) == 1
                and not _word_break(textpage.get_charbox(char - 1, loose=True),
                                    textpage.get_charbox(char + 1, loose=True))):
            yield index


def _word_break(before: tuple[float, ...], after: tuple[float, ...]) -> bool:
    """pdfplumber's test for left-to-right text: a step back, a wide gap, another baseline."""
    return (after[0] < before[0] or after[0] > before[2] + WORD_GAP
            or abs(after[3] - before[3]) > WORD_GAP)
