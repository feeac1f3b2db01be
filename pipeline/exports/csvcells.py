"""CSV text a spreadsheet opens without running anything from it: pure.

Excel, WPS and LibreOffice read a CSV cell that starts with = + - @ (or a tab, CR or LF before
one) as a formula: `=HYPERLINK(...)` links anywhere, `@SUM(1)*cmd|' /c calc'!A0` runs a
program through DDE. An applicant writes such text into a subject or a form; `intake browse`'s
CSV download hands it on. Each such cell gets a leading single quote (OWASP's advice: the
spreadsheet then shows it as text); a plain number ("-3", "+86") is left as it is.
"""
from __future__ import annotations

import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def neutral_cell(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutral_csv(text: str) -> str:
    """Every cell of a CSV document made neutral; the dialect Datasette writes (Excel's, CRLF).

    Raises csv.Error when the text is not CSV: the caller then sends nothing of it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline=""), strict=True):
        writer.writerow([neutral_cell(cell) for cell in row])
    return out.getvalue()
