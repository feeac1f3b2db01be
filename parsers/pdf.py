"""PDF text, tables and seals: PDFium for most files, pdfplumber for ruled tables; a page
without a real text layer is a scan."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from parsers import pdfium
from parsers.errors import UnreadableDocument
from parsers.images import seal_on_image
from parsers.model import Cell, Paragraph, WordContent

# (cid:123) runs are what pdfminer gives for fonts without a Unicode map: no usable text.
_CID = re.compile(r"\(cid:\d+\)")
# Seals sit on the form's pages; a long report is not rendered page by page to look for one.
SEAL_PAGES = 4
# 100 dpi keeps a 4 cm seal about 160 px across: enough for the ring test, fast to render.
SEAL_DPI = 100

Grid = tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class PdfContent:
    pages: int
    text: str
    # Ruled tables (a form exported from Word), merged cells filled from their neighbours.
    tables: tuple[Grid, ...] = ()
    lines: tuple[str, ...] = ()
    # A red ring seal on a page with pictures: True, False, or None when no page could tell.
    seal: bool | None = None

    @property
    def is_scan(self) -> bool:
        """No text layer worth the name: a scanned or photographed page."""
        return len(_CID.sub("", self.text).strip()) < 20

    def as_word(self) -> WordContent:
        """The text and tables in the shape the form mapper reads."""
        return WordContent(paragraphs=tuple(Paragraph(line) for line in self.lines),
                           tables=self.tables, image_count=0)


def read_pdf(data: bytes) -> PdfContent:
    pages = pdfium.read_pages(data)
    # PDFium reads a report's text in a few ms, pdfminer in 50-130. A form exported from Word
    # needs pdfplumber's table finder; a file PDFium cannot read, or finds nothing on, gets
    # pdfminer's reading (or its reason for refusing it) as before.
    if pages is None or any(p.ruled for p in pages) or all(p.blank for p in pages):
        return _plumbed(data)
    return _from_pdfium(data, pages)


def _from_pdfium(data: bytes, pages: tuple[pdfium.PdfiumPage, ...]) -> PdfContent:
    text = "\n".join(page.text for page in pages)
    content = PdfContent(pages=len(pages), text=text,
                         lines=tuple(line.strip() for line in text.splitlines() if line.strip()))
    pictured = [i for i, page in enumerate(pages) if page.pictured][:SEAL_PAGES]
    seal = _verdict(seal_on_image(bmp) for bmp in pdfium.render_bmps(data, pictured, SEAL_DPI))
    return _with_seal(content, seal, bool(pictured))


def _plumbed(data: bytes) -> PdfContent:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return _content(pdf.pages[:pdfium.MAX_PAGES])
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as error:
        raise UnreadableDocument(f"PDF无法打开：{error}") from None
    except UnreadableDocument:
        raise
    except RecursionError:  # arrays or dictionaries nested thousands deep
        raise UnreadableDocument("PDF结构嵌套过深（疑似构造的异常文件），无法解析") from None
    except Exception as error:  # pdfminer raises many unrelated types on broken or encrypted files
        if isinstance(error.__cause__ or error.__context__, MemoryError):
            raise MemoryError from error  # pdfplumber wraps it: the memory limit is the reason
        name = type(error).__name__
        reason = "PDF已加密" if "Password" in name or "Encrypt" in name else f"PDF无法打开：{name}"
        raise UnreadableDocument(reason) from None


def _content(pages: list[Any]) -> PdfContent:
    texts, tables, lines = [], [], []
    for page in pages:
        text = page.extract_text() or ""
        texts.append(text)
        found = page.find_tables()
        tables.extend(fill_merged(rows) for rows in (t.extract() for t in found) if rows)
        # The title and notes around a form's table are its paragraphs; the table is not.
        if found:
            text = _outside(page, found).extract_text() or ""
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
    content = PdfContent(pages=len(pages), text="\n".join(texts), tables=tuple(tables),
                         lines=tuple(lines))
    return _with_seal(content, _seal(pages), any(p.images for p in pages))


def _with_seal(content: PdfContent, seal: bool | None, pictured: bool) -> PdfContent:
    # A text PDF without a single picture carries no seal; a scan that says nothing is unknown.
    if seal is None and not content.is_scan and not pictured:
        seal = False
    return replace(content, seal=seal)


def _outside(page: Any, tables: list[Any]) -> Any:
    for table in tables:
        page = page.outside_bbox(table.bbox)
    return page


def fill_merged(rows: list[list[str | None]]) -> Grid:
    """pdfplumber gives None for the covered part of a merged cell: take the left, else the upper."""
    grid: list[tuple[Cell, ...]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        for c, value in enumerate(row):
            if value is None:
                value = cells[c - 1].text if c else (
                    grid[r - 1][c].text if r and c < len(grid[r - 1]) else "")
                cells.append(Cell(value))
            else:
                cells.append(Cell(_unwrap(value)))
        grid.append(tuple(cells))
    return tuple(grid)


def _unwrap(text: str) -> str:
    """Lines wrapped by the cell's width are one value: join Chinese text without a space."""
    return re.sub(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])", "", text).strip()


def _seal(pages: list[Any]) -> bool | None:
    """Look for a red ring on the pages that show pictures (scans, pasted e-seals)."""
    verdicts = []
    pictured = [p for p in pages if p.images][:SEAL_PAGES]
    for page in pictured:
        picture = io.BytesIO()
        page.to_image(resolution=SEAL_DPI).original.save(picture, format="BMP")
        verdicts.append(seal_on_image(picture.getvalue()))
    return _verdict(verdicts)


def _verdict(verdicts: Iterable[bool | None]) -> bool | None:
    """A ring on any page is a seal; no ring on a page that could show one is no seal."""
    seen = list(verdicts)
    if True in seen:
        return True
    return False if False in seen else None
