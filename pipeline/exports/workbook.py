"""Sheets of rows to .xlsx bytes: the only openpyxl importer.

Every sheet gets a frozen header row, an auto-filter over its columns, and column widths that
fit Chinese text (a CJK character is two width units, as Excel draws it).
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence, Union

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pipeline.exports.invisible import strip_hidden

Value = Union[str, int, float, None]

# Width units: a column never narrower than a short header, never wider than a screen half.
MIN_WIDTH, MAX_WIDTH = 6, 60
# Excel's limit for one cell; longer text is cut so the file still opens.
MAX_CELL_CHARS = 32767
_FORBIDDEN_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and data rows; widths computed unless given."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    widths: tuple[float, ...] | None = None


def display_width(text: str) -> int:
    """Width units of the longest line: wide (CJK, full-width) characters count two."""
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                for line in text.splitlines() or [""]), default=0)


def column_widths(sheet: Sheet) -> tuple[float, ...]:
    """Each column as wide as its widest cell (header included), within MIN/MAX_WIDTH."""
    widths = []
    for index, header in enumerate(sheet.headers):
        cells = [header, *(_text(row[index]) for row in sheet.rows if index < len(row))]
        widest = max(display_width(c) for c in cells)
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))))
    return tuple(widths)


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    base = _FORBIDDEN_TITLE.sub("_", title).strip("'").strip() or "Sheet"
    candidate, number = base[:31], 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{base[:31 - len(str(number)) - 1]}_{number}"
    taken.add(candidate.lower())
    return candidate


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file of the sheets, in order (an empty sheet list gives one empty sheet)."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in sheets or [Sheet("Sheet", (), ())]:
        _fill(book.create_sheet(sheet_title(sheet.title, taken)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(worksheet, sheet: Sheet) -> None:
    worksheet.append([_clean(h) for h in sheet.headers])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    widths = sheet.widths or column_widths(sheet)
    for row in sheet.rows:
        worksheet.append([_clean(v) for v in row])
        for cell, width in zip(worksheet[worksheet.max_row], widths):
            _guard(cell, width)
    for index, width in enumerate(widths, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    if sheet.headers:
        worksheet.freeze_panes = "A2"
        last = get_column_letter(len(sheet.headers))
        worksheet.auto_filter.ref = f"A1:{last}{max(1, len(sheet.rows) + 1)}"


def _guard(cell, width: float) -> None:
    """Text stays text (an applicant's "=..." is never a formula); long text wraps; rows read
    from the top."""
    wrap = False
    if isinstance(cell.value, str):
        cell.data_type = "s"
        wrap = "\n" in cell.value or display_width(cell.value) + 2 > width
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")


def _clean(value: Value) -> Value:
    """Characters XML cannot hold removed, and those that hide or reorder text (a bidi
    override makes 照片\u202egpj.exe show as 照片exe.jpg); text cut to Excel's cell limit."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return strip_hidden(ILLEGAL_CHARACTERS_RE.sub("", value), keep="\t\n")[:MAX_CELL_CHARS]
    return value


def _text(value: Value) -> str:
    return "" if value is None else str(value)
