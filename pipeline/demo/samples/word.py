"""Word building blocks for the sample forms and write-ups, saved byte-for-byte reproducibly."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell

from pipeline.demo.samples.media import ZIP_TIME, seal_png
from pipeline.demo.samples.texts import paragraphs

_SAVED_AT = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Box:
    """One cell of a form's row: its lines, how many grid columns it spans, a seal image."""

    lines: tuple[str, ...] = ()
    span: int = 1
    seal: bool = False
    # The lower part of a cell merged with the cell above it (企业规模 spans two rows).
    up: bool = False


def box(*lines: str, span: int = 1, seal: bool = False) -> Box:
    return Box(tuple(lines), span, seal)


UP = Box(up=True)


@lru_cache(maxsize=1)
def _seal() -> bytes:
    return seal_png()


def add_title(doc: DocxDocument, text: str) -> None:
    """A centred bold line, as the notices' forms and reports open."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.font.size = True, Pt(16)


def new_document(*titles: str) -> DocxDocument:
    doc = Document()
    for text in titles:
        add_title(doc, text)
    return doc


def _fill(cell: _Cell, content: Box) -> None:
    lines = list(content.lines) or [""]
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)
    if content.seal:
        target = cell.paragraphs[0] if not any(lines) else cell.add_paragraph()
        target.add_run().add_picture(io.BytesIO(_seal()), width=Cm(3.2))


def add_grid(doc: DocxDocument, rows: list[list[Box]], cols: int) -> None:
    """A ruled table, one list of boxes per row; spans merge cells across, UP merges down."""
    table = doc.add_table(rows=len(rows), cols=cols)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        c = 0
        for content in row:
            cell = table.cell(r, c)
            if content.span > 1:
                cell = cell.merge(table.cell(r, c + content.span - 1))
            if content.up:
                table.cell(r - 1, c).merge(cell)
            else:
                _fill(cell, content)
            c += content.span
        if c != cols:
            raise ValueError(f"row {r} spans {c} columns, the table has {cols}")


def save(doc: DocxDocument, author: str = "") -> bytes:
    """The .docx bytes, with fixed document properties and zip timestamps."""
    props = doc.core_properties
    props.author = props.last_modified_by = author
    props.created = props.modified = _SAVED_AT
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return _restamp(raw.getvalue())


def _restamp(data: bytes) -> bytes:
    """The same zip with every member dated 1980-01-01, as Word itself writes them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


def _heading(campaign_id: str, index: int, name: str) -> str:
    if campaign_id.startswith("gpipc-"):
        return f"第{_NUMERALS[index]}段：{name}"
    if campaign_id.startswith("ccea-"):
        return f"{_NUMERALS[index]}、{name}"
    return name


def build_writeup(campaign_id: str, title: str, subtitle: str, sections: dict[str, str],
                  author: str = "") -> bytes:
    """A case write-up (.docx, no tables): title, subtitle, one Heading 2 per section.

    gpipc campaigns follow 附件2 案例编辑模板 (主标题：/副标题：/正文：/第一段：背景情况);
    ccea-green follows 报告撰写说明 (centred title and company, 一、企业概况 …).
    """
    if campaign_id.startswith("gpipc-"):
        doc = new_document()
        for line in (f"主标题：{title}", f"副标题：{subtitle}", "正文："):
            doc.add_paragraph(line)
    else:
        doc = new_document(title)
        doc.add_paragraph(subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, (name, text) in enumerate(sections.items()):
        doc.add_heading(_heading(campaign_id, index, name), level=2)
        for paragraph in paragraphs(text):
            doc.add_paragraph(paragraph)
    return save(doc, author)
