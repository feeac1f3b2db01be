"""Word 97-2003 (.doc) paragraphs and tables read from the file's own text (MS-DOC).

LibreOffice 7.4 writes a document that ends with a table (python-docx forms do) to .doc without
the final paragraph mark, and its own .doc import then glues every cell into paragraphs: the
.docx we read has no table. The .doc still holds it: the text (WordDocument stream, in pieces
listed by the CLX of the 0Table/1Table stream) ends each cell with \\x07, and the paragraph
properties (FKP pages found through PlcBtePapx) say which \\x07 ends a row, how deeply a
paragraph is nested and where a row's cells start and end. Character properties are not read:
what only they tell (a symbol font's checkbox, a form field's state) is taken from the
conversion where the two texts line up (`repaired`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import pairwise

from parsers.choices import UNREAD_BOX
from parsers.docfile import Doc, open_doc
from parsers.docprops import BODY, MERGED, VERT_MERGED, VERT_RESTART, Para, paragraph_props
from parsers.errors import UnreadableDocument
from parsers.model import Cell, Paragraph, WordContent
from parsers.text import squash
from parsers.word import MAX_PARAGRAPHS

Grid = tuple[tuple[Cell, ...], ...]

# One Cell reference per grid column of every row: past this, each cell is one column.
_MAX_GRID_CELLS = 1_000_000
# Each _UNKNOWN is looked for by the few characters around it, at worst through the whole of
# the conversion's text: a file of thousands of symbol characters keeps them out instead.
_CONTEXT = 12
_MAX_ALIGN_WORK = 50_000_000

_CELL_MARK, _PARAGRAPH_MARK = "\x07", "\r"
# What the .doc's text alone cannot show: a field without a result (a form checkbox), a
# character of a symbol font (Wingdings' boxes, stored as U+F0xx).
_UNKNOWN = "\ufffc"
# Of a field's code, enough to tell its type (" FORMCHECKBOX ").
_CODE_KEPT = 32
_PICTURES = "\x01\x08"  # an inline picture or object, a floating shape's anchor
_FIELD = re.compile("([\x13\x14\x15])")
_MARKS = re.compile("[\r\x07]")
_WHITESPACE = re.compile(r"\s+")
# Control characters as Word draws them: tab, soft line break, page break, non-breaking
# hyphen; the rest (pictures, note references, optional hyphens) draw no text.
_DRAWN = str.maketrans({**{chr(c): None for c in range(0x20) if c != 0x0A},
                        "\t": " ", "\x0b": "\n", "\x0c": "\n", "\x1e": "-",
                        **{chr(c): _UNKNOWN for c in range(0xF000, 0xF100)}})


# ---- paragraphs as the page shows them ------------------------------------------------

@dataclass
class _Field:
    in_result: bool = False
    shown: bool = False
    code: str = ""


class _Visible:
    """The shown text of each paragraph in turn. Fields are followed across paragraphs: the
    code (\\x13 … \\x14) is hidden and the result (… \\x15) shown; a form checkbox, which
    shows nothing of its own (its state is in the Data stream), leaves _UNKNOWN."""

    def __init__(self) -> None:
        self.fields: list[_Field] = []
        self.in_code = 0

    def __call__(self, raw: str) -> tuple[str, int]:
        shown: list[str] = []
        for token in _FIELD.split(raw):
            if token in ("\x13", "\x14", "\x15"):
                self._field_char(token, shown)
            elif token and not self.in_code:
                shown.append(token)
                if self.fields:
                    self.fields[-1].shown = True
            elif token and self.fields and not self.fields[-1].in_result:
                field = self.fields[-1]
                field.code = (field.code + token)[:_CODE_KEPT]
        text = "".join(shown)
        return text.translate(_DRAWN), sum(text.count(c) for c in _PICTURES)

    def _field_char(self, char: str, shown: list[str]) -> None:
        if char == "\x13":
            self.fields.append(_Field())
            self.in_code += 1
        elif self.fields and char == "\x14" and not self.fields[-1].in_result:
            self.fields[-1].in_result = True
            self.in_code -= 1
        elif self.fields and char == "\x15":
            done = self.fields.pop()
            if not done.in_result:
                self.in_code -= 1
            if not done.shown and not self.in_code and "FORMCHECKBOX" in done.code.upper():
                shown.append(_UNKNOWN)
            if self.fields and not self.in_code:
                self.fields[-1].shown = True


@dataclass(frozen=True)
class _Unit:
    """One paragraph in document order; `kind` says whether its mark ends a cell or a row."""

    text: str
    images: int
    depth: int
    kind: str  # "paragraph", "cell" or "row"
    para: Para


def _placed(mark: str, para: Para, text: str, previous: _Unit | None) -> tuple[int, str]:
    """(depth, kind) of a paragraph by its mark and properties."""
    if para.depth > 1:
        return para.depth, "row" if para.row_end else "cell" if para.cell_end else "paragraph"
    if mark != _CELL_MARK:
        return para.depth, "paragraph"
    if para.depth == 1:
        return 1, "row" if para.row_end else "cell"
    # A cell mark without table properties (lost, or never written): by the text alone, an
    # empty mark right after a cell's end ends the row.
    ends_row = not text and previous is not None and previous.kind == "cell"
    return 1, "row" if ends_row else "cell"


def _units(doc: Doc) -> list[_Unit]:
    props, visible = paragraph_props(doc), _Visible()
    units: list[_Unit] = []
    start, piece = 0, 0
    for match in _MARKS.finditer(doc.text):
        cp = match.start()
        while doc.pieces[piece].end <= cp:
            piece += 1  # the pieces cover the text (`_text`): this stops at the last one
        para = props.at(doc.pieces[piece].fc_of(cp))
        units.append(_unit(doc.text[start:cp], match.group(), para, visible, units))
        start = cp + 1
        if len(units) > MAX_PARAGRAPHS:
            raise UnreadableDocument(f"Word文件段落过多（超过{MAX_PARAGRAPHS}段），疑似异常文件")
    if start < len(doc.text):
        units.append(_unit(doc.text[start:], _PARAGRAPH_MARK, BODY, visible, units))
    return units


def _unit(raw: str, mark: str, para: Para, visible: _Visible, before: list[_Unit]) -> _Unit:
    text, images = visible(raw)
    depth, kind = _placed(mark, para, raw, before[-1] if before else None)
    return _Unit(text, images, depth, kind, para)


# ---- tables ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    cells: tuple[Cell, ...]
    para: Para


@dataclass
class _Table:
    """A table being rebuilt; `slot` is its place among the tables (outer before nested)."""

    slot: int
    rows: list[_Row] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    image: bool = False

    def add(self, unit: _Unit, images: bool) -> None:
        if unit.kind == "row":
            self.end_row(unit.para)  # the row's own mark draws nothing
            return
        self.lines.append(unit.text)
        self.image = self.image or (images and unit.images > 0)
        if unit.kind == "cell":
            self.end_cell()

    def end_cell(self) -> None:
        self.cells.append(Cell("\n".join(self.lines).strip(), self.image))
        self.lines, self.image = [], False

    def end_row(self, para: Para) -> None:
        if self.lines:
            self.end_cell()  # text after the last cell mark: a damaged row keeps it
        self.rows.append(_Row(tuple(self.cells), para))
        self.cells = []

    def finish(self) -> Grid:
        if self.lines or self.cells:
            self.end_row(BODY)
        return _grid(self.rows)


def _edges(rows: list[_Row]) -> tuple[int, ...] | None:
    """The table's grid: every row's cell edges. None when a row does not give its cells'
    edges, or the grid would be absurdly large: then each cell is one column."""
    if any(len(r.para.edges) != len(r.cells) + 1 or any(b <= a for a, b in pairwise(r.para.edges))
           for r in rows):
        return None
    edges = tuple(sorted({x for r in rows for x in r.para.edges}))
    return edges if len(rows) * len(edges) <= _MAX_GRID_CELLS else None


def _spans(row: _Row, edges: tuple[int, ...] | None) -> tuple[int, list[int]]:
    """Grid columns before the row's first cell, and the columns each cell spans."""
    if edges is None:
        return 0, [1] * len(row.cells)
    index = {x: i for i, x in enumerate(edges)}
    return index[row.para.edges[0]], [index[b] - index[a] for a, b in pairwise(row.para.edges)]


def _grid(rows: list[_Row]) -> Grid:
    """One Cell per grid column, as read_word gives a .docx: a cell spanning columns appears at
    each, a vertically merged cell is the Cell above it, Word 97's merged cells the first."""
    edges, out, above = _edges(rows), [], ()
    for row in rows:
        lead, spans = _spans(row, edges)
        cells = [Cell("")] * lead
        for i, (cell, span) in enumerate(zip(row.cells, spans)):
            flags = row.para.merges[i] if i < len(row.para.merges) else 0
            upper = above[len(cells)] if len(cells) < len(above) else None
            if flags & VERT_MERGED and not flags & VERT_RESTART and upper is not None:
                cell = upper
            elif flags & MERGED and cells:
                cell = cells[-1]
            cells.extend([cell] * span)
        above = tuple(cells)
        out.append(above)
    return tuple(out)


def _assemble(units: list[_Unit], images: bool = True) -> WordContent:
    """Body paragraphs and tables (outer ones before those nested in them), as read_word."""
    body: list[Paragraph] = []
    tables: list[Grid] = []
    stack: list[_Table] = []
    for unit in units:
        while len(stack) > unit.depth:
            table = stack.pop()
            tables[table.slot] = table.finish()
        while len(stack) < unit.depth:
            stack.append(_Table(len(tables)))
            tables.append(())
        if stack:
            stack[-1].add(unit, images)
        else:
            body.append(Paragraph(unit.text.strip()))
    while stack:
        table = stack.pop()
        tables[table.slot] = table.finish()
    return WordContent(paragraphs=tuple(body), tables=tuple(tables),
                       image_count=sum(u.images for u in units) if images else 0)


# ---- what only the conversion shows -------------------------------------------------------

def _aligned(ours: str, theirs: str) -> dict[int, str]:
    """Where `ours` has _UNKNOWN (by position), the character `theirs` shows in its place, found
    in order by the visible text on either side of it (whitespace aside: the conversion glues
    cells together); none when the two do not line up there."""
    seen = _WHITESPACE.sub("", theirs)
    parts = ours.split(_UNKNOWN)
    if (len(parts) - 1) * len(seen) > _MAX_ALIGN_WORK:
        return {}
    found: dict[int, str] = {}
    before, place, cursor = "", 0, 0
    for index, part in enumerate(parts[:-1]):
        place += len(part)
        before = (before + _WHITESPACE.sub("", part))[-_CONTEXT:]
        after = _WHITESPACE.sub("", parts[index + 1])[:_CONTEXT]
        pattern = re.compile(re.escape(before) + "(.?)" + re.escape(after))
        # From where `before` would start if the character sat right after the last one found.
        match = pattern.search(seen, max(0, cursor - len(before))) if before or after else None
        if match:
            found[place] = match.group(1)
            before, cursor = before + match.group(1), match.end(1)
        place += 1
    return found


def _rendered(units: list[_Unit], theirs: str) -> list[_Unit]:
    """Each _UNKNOWN as `theirs` (the conversion's text) shows it there; else UNREAD_BOX,
    which text values drop and a choice reads as a box of unknown state (field_unreadable,
    never "nothing chosen")."""
    if not any(_UNKNOWN in u.text for u in units):
        return units
    ours = "\n".join(u.text for u in units)
    found = _aligned(ours, theirs) if theirs else {}
    out, at = [], 0
    for unit in units:
        out.append(_filled(unit, at, found))
        at += len(unit.text) + 1  # the "\n" joining the units
    return out


def _filled(unit: _Unit, at: int, found: dict[int, str]) -> _Unit:
    if _UNKNOWN not in unit.text:
        return unit
    return replace(unit, text="".join(found.get(at + i) or UNREAD_BOX if ch == _UNKNOWN else ch
                                      for i, ch in enumerate(unit.text)))


# ---- reading and repairing ----------------------------------------------------------------

def read_doc(data: bytes) -> WordContent:
    """A .doc's paragraphs and tables from its own text, shaped as read_word shapes a .docx's
    (merged cells repeated per grid column, nested tables after their table). What only
    character properties say, symbol-font and form-field checkboxes, is UNREAD_BOX; paragraphs
    carry no style. UnreadableDocument for what is not a readable Word 97-2003 file."""
    return _assemble(_rendered(_units(open_doc(data)), ""))


def _distinct_cells(tables: tuple[Grid, ...]) -> int:
    return len({id(cell) for table in tables for row in table for cell in row})


def _styled(ours: tuple[Paragraph, ...], theirs: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
    """Our body paragraphs, each as the conversion has it (style, boldness) when its text is
    there, in order; the conversion's other paragraphs are the glued table and are left out."""
    places: dict[str, list[int]] = {}
    for index, paragraph in enumerate(theirs):
        places.setdefault(squash(paragraph.text), []).append(index)
    out, after = [], 0
    for paragraph in ours:
        candidates = places.get(squash(paragraph.text), [])
        at = bisect_right(candidates, after - 1)
        if at < len(candidates):
            out.append(theirs[candidates[at]])
            after = candidates[at] + 1
        else:
            out.append(paragraph)
    return tuple(out)


def repaired(converted: WordContent, data: bytes) -> WordContent:
    """`converted` (LibreOffice's .docx of the .doc `data`, read by read_word) with the tables
    of the .doc's own text instead, when the conversion lost some: it holds fewer tables or
    fewer cells (LibreOffice glues the document's last table only, so both count).

    Kept from the conversion: the image count; each body paragraph's style and boldness; what
    the .doc's text cannot show (checkboxes drawn by a symbol font or a form field), taken from
    where the conversion's text lines up with ours. A cell holds an image when the .doc marks
    a picture there and the conversion found pictures at all. A .doc we cannot read ourselves
    leaves the conversion as it is.
    """
    try:
        units = _units(open_doc(data))
    except UnreadableDocument:
        return converted
    rebuilt = _assemble(_rendered(units, converted.all_text()), converted.image_count > 0)
    if (len(converted.tables) >= len(rebuilt.tables)
            and _distinct_cells(converted.tables) >= _distinct_cells(rebuilt.tables)):
        return converted
    return WordContent(paragraphs=_styled(rebuilt.paragraphs, converted.paragraphs),
                       tables=rebuilt.tables, image_count=converted.image_count)
