"""A form as the notice's web page prints it (an HTML table), for the routes that start there."""
from __future__ import annotations

import base64
from html import escape

from pipeline.demo.samples.forms import Layout
from pipeline.demo.samples.media import seal_png
from pipeline.demo.samples.word import Box

_SEAL = "data:image/png;base64," + base64.b64encode(seal_png()).decode("ascii")


def _cell(content: Box, rowspan: int) -> str:
    lines = "".join(f"<p>{escape(line)}</p>" for line in content.lines) or "<p></p>"
    seal = f'<p><img src="{_SEAL}" width="120" height="120" alt="盖章"></p>' if content.seal else ""
    spans = (f' colspan="{content.span}"' if content.span > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else "")
    return f"<td{spans}>{lines}{seal}</td>"


def _rowspans(layout: Layout) -> dict[tuple[int, int], int]:
    """How many rows each box spans: one, plus each UP box below it in the same column."""
    spans: dict[tuple[int, int], int] = {}
    for r, row in enumerate(layout.rows):
        col = 0
        for content in row:
            if content.up:
                top = next(t for t in range(r - 1, -1, -1) if (t, col) in spans)
                spans[(top, col)] += 1
            else:
                spans[(r, col)] = 1
            col += content.span
    return spans


def _row(layout: Layout, r: int, spans: dict[tuple[int, int], int]) -> str:
    cells, col = [], 0
    for content in layout.rows[r]:
        if not content.up:
            cells.append(_cell(content, spans[(r, col)]))
        col += content.span
    return "<tr>" + "".join(cells) + "</tr>"


def form_html(layout: Layout, word_namespaces: bool = False) -> bytes:
    """The page as UTF-8 HTML; `word_namespaces` writes the head Word puts on "Save as Web
    page" files, as systems that export "Word" forms do."""
    spans = _rowspans(layout)
    head = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
            if word_namespaces else "<!DOCTYPE html><html>")
    parts = [head, '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
             "<title>申报表</title></head><body>"]
    parts += [f"<p>{escape(line)}</p>" for line in layout.lead]
    parts += [f'<p align="center"><b>{escape(title)}</b></p>' for title in layout.titles]
    parts.append('<table border="1" cellspacing="0" cellpadding="4">')
    parts += [_row(layout, r, spans) for r in range(len(layout.rows))]
    parts.append("</table>")
    parts += [f"<p>{escape(note)}</p>" for note in layout.notes]
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")
