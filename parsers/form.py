"""A campaign's form fields read from a Word file's tables, found by their labels."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from parsers.answers import as_written, judged, usable
from parsers.choices import MARKS, UNREAD_BOX, checked_marks, has_marks, marked_options, named_options
from parsers.model import Cell, WordContent
from parsers.specs import FieldSpec, FormSpec
from parsers.text import clean, loose_pattern, nfkc, squash
from parsers.variants import simplified

Table = tuple[tuple[Cell, ...], ...]

# Instructions every blank form prints beside a seal or a signature: never a value.
GENERIC_PROMPTS = ("(如有)", "(盖章)", "(公章)", "(签字)", "(签章)", "(单位公章)", "(签字盖章)",
                   "(盖章/签字)", "年 月 日")

# "联系人姓名" is the 联系人 label, not 联系人 followed by the value "姓名".
_NAME_TAILS = ("姓名", "名称", "全称")


@dataclass(frozen=True)
class _Spot:
    """A cell's place: table, row and grid column."""

    table: int
    row: int
    col: int


@dataclass(frozen=True)
class _Found:
    """Where a label was found (spot None: a body paragraph); `rest` is what follows the label
    in the same cell, None when the cell is the label alone; `inline`: a line inside a cell."""

    spot: _Spot | None
    rest: str | None = None
    inline: bool = False


@dataclass(frozen=True)
class FormReading:
    """Every field's value, and the fields written but not readable (key -> what a person
    should know: what is written there, or why its place could not be told)."""

    values: dict[str, object]
    unreadable: dict[str, str]


def read_form(content: WordContent, spec: FormSpec) -> FormReading:
    """A value for every field of `spec`, typed by the field's type (see parsers/answers.py)."""
    labels = _label_keys(spec)
    values, unreadable = {}, {}
    for f in spec.fields:
        values[f.key], doubt = _field_value(content, spec, f, labels)
        if doubt:
            unreadable[f.key] = doubt
    return FormReading(values, unreadable)


def map_form(content: WordContent, spec: FormSpec) -> dict[str, object]:
    """Only the values of read_form."""
    return read_form(content, spec).values


def form_score(content: WordContent, spec: FormSpec) -> int:
    """How much `content` looks like this form: 1 per distinct label found, 5 per title."""
    keys = [_key(text) for text in _units(content)]
    labels = {squash(label).rstrip(":") for f in spec.fields for label in f.labels}
    found = sum(1 for label in labels if any(k.startswith(label) for k in keys))
    everything = squash(content.all_text())
    return found + sum(5 for title in spec.titles if squash(title) in everything)


# ---- text primitives ------------------------------------------------------------------

def _key(text: str) -> str:
    """How a cell is compared with labels: squashed, simplified, without a trailing colon."""
    return simplified(squash(text)).rstrip(":")


def _labelled(text: str, labels: frozenset[str], own: frozenset[str] = frozenset()) -> bool:
    """A label cell, or a re-typed "label：value" cell of a field other than `own`'s: another
    field's place, never a value."""
    key = _key(text)
    return key in labels or any(key.startswith((label + ":", label + "("))
                                for label in labels - own)


def _after(text: str, label: str) -> str | None:
    """The text after `label` when `text` starts with it (ignoring whitespace and traditional
    characters: 單位名稱 is 单位名称), else None."""
    if not simplified(squash(text)).startswith(label):
        return None
    normal, seen = nfkc(text), 0
    for index, ch in enumerate(normal):
        if seen == len(label):
            return normal[index:]
        if squash(ch):
            seen += 1
    return ""


# A word limit re-typed after a label: "案例简介（800字以内）：…", "案例简介(限200字)".
_LIMIT = re.compile(r"\s*\([^()]{0,30}?字[^()]{0,30}?\)")


def _past_limit(rest: str | None) -> str | None:
    """What follows a label, past a word limit written right after it."""
    if rest is None:
        return None
    found = _LIMIT.match(rest)
    return rest[found.end():] if found else rest


def _strip_prompts(text: str, prompts: tuple[str, ...]) -> str:
    """The applicant's text: the form's own instructions removed, then cleaned."""
    normal = nfkc(text)
    for prompt in sorted({p for p in prompts if squash(p)}, key=lambda p: -len(squash(p))):
        normal = re.sub(loose_pattern(prompt), " ", normal)
    return clean(normal).lstrip(":").strip()


def _prompts(field: FieldSpec) -> tuple[str, ...]:
    return field.prompts + GENERIC_PROMPTS


def _label_keys(spec: FormSpec) -> frozenset[str]:
    """Every squashed label and column header of the spec: cells that are never values."""
    keys = {squash(label).rstrip(":") for f in spec.fields for label in f.labels}
    keys |= {squash(f.column) for f in spec.fields if f.column}
    return frozenset(keys)


def _units(content: WordContent) -> list[str]:
    """Every cell, every line of a cell and every paragraph: where a label may stand."""
    units = [p.text for p in content.paragraphs]
    for table in content.tables:
        for row in table:
            for cell in row:
                units.append(cell.text)
                units.extend(cell.text.splitlines())
    return units


# ---- finding labels -------------------------------------------------------------------

def _cells(tables: tuple[Table, ...]) -> Iterator[tuple[_Spot, Cell]]:
    """(spot, cell) in reading order, each merged cell once (at its first grid position)."""
    seen: set[int] = set()
    for t, table in enumerate(tables):
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                if id(cell) not in seen:
                    seen.add(id(cell))
                    yield _Spot(t, r, c), cell


def _claimed_by_other(key: str, label: str, field: FieldSpec, spec: FormSpec) -> bool:
    """A longer label of another field that this cell starts with: the cell is that field's."""
    own = {squash(x) for x in field.labels}
    return any(len(squash(other)) > len(label) and key.startswith(squash(other))
               for f in spec.fields for other in f.labels if squash(other) not in own)


def _prefix_rest(text: str, label: str, field: FieldSpec, spec: FormSpec,
                 labels: frozenset[str]) -> str | None:
    """What follows `label` at the start of `text`, or None when the cell is not this label's.

    "日 期：2022年9月1日" gives "2022年9月1日". Without a colon the rest must not be another
    label ("联系人职务" is not 联系人 = "职务"), and a name tail ("联系人姓名") means the
    value is elsewhere, as for an exact label.
    """
    rest = _past_limit(_after(text, label))
    key = _key(text)
    if rest is None or _claimed_by_other(key, label, field, spec):
        return None
    tail = squash(rest)
    if tail.startswith(":"):
        return rest.strip().lstrip(":")
    if tail.rstrip(":") in _NAME_TAILS:
        return ""
    if any(tail.startswith(other) for other in labels):
        return None
    return rest


def _find(content: WordContent, field: FieldSpec, spec: FormSpec,
          labels: frozenset[str]) -> _Found | None:
    """The first cell that is this field's label: exact cells first, then label + value cells,
    then "label：value" lines inside a cell, then such lines in body paragraphs."""
    own = sorted({squash(x).rstrip(":") for x in field.labels}, key=len, reverse=True)
    cells = list(_cells(content.tables))
    for spot, cell in cells:
        if _key(cell.text) in own:
            return _Found(spot)
    for spot, cell in cells:
        for label in own:
            rest = _prefix_rest(cell.text, label, field, spec, labels)
            if rest is not None:
                return _Found(spot, rest)
    for spot, cell in cells:
        if (rest := _line_value(cell.text, own)) is not None:
            return _Found(spot, rest, inline=True)
    for paragraph in content.paragraphs:
        rest = _line_value(paragraph.text, own)
        if rest and _strip_prompts(rest.split("\n")[0], _prompts(field)):
            return _Found(None, rest, inline=True)
    return None


def _line_value(text: str, labels: list[str]) -> str | None:
    """After "label：" at the start of one of the lines of `text` (to the end of the text)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        for label in labels:
            rest = _past_limit(_after(line, label))
            if rest is not None and squash(rest).startswith(":"):
                following = "\n".join([rest.strip().lstrip(":")] + lines[index + 1:])
                return following
    return None


# ---- neighbours -----------------------------------------------------------------------

def _is_repeat(cell: Cell, label: Cell) -> bool:
    """A merged label's own copy in the next grid column or row, not a value."""
    return cell is label or (cell.text == label.text and cell.has_image == label.has_image)


def _right(table: Table, spot: _Spot, labels: frozenset[str],
           own: frozenset[str] = frozenset()) -> Cell | None:
    row, label = table[spot.row], table[spot.row][spot.col]
    for cell in row[spot.col + 1:]:
        if _is_repeat(cell, label):
            continue
        return None if _labelled(cell.text, labels, own) else cell
    return None


def _below(table: Table, spot: _Spot, labels: frozenset[str],
           own: frozenset[str] = frozenset()) -> Cell | None:
    label = table[spot.row][spot.col]
    for row in table[spot.row + 1:]:
        cell = row[spot.col] if spot.col < len(row) else None
        if cell is None or _is_repeat(cell, label):
            continue
        return None if _labelled(cell.text, labels, own) else cell
    return None


def _neighbour(tables: tuple[Table, ...], spot: _Spot, labels: frozenset[str],
               own: frozenset[str] = frozenset()) -> Cell | None:
    """The value cell of a label cell: the next cell to the right, else the one below."""
    table = tables[spot.table]
    return _right(table, spot, labels, own) or _below(table, spot, labels, own)


# ---- values ---------------------------------------------------------------------------

_DISTINCT_PROMPT = 8


def _field_value(content: WordContent, spec: FormSpec, field: FieldSpec,
                 labels: frozenset[str]) -> tuple[object, str]:
    """The field's value, and why a person should look at it ("" when it was read)."""
    if field.column:
        return judged(field, _grid_text(content.tables, field))
    found = _find(content, field, spec, labels) if field.labels else None
    if field.type == "choice":
        return _choice(content, field, found, labels)
    if field.type == "seal":
        return _seal(content.tables, found), ""
    if found is None:
        # A labelled field whose label is gone may still sit under its own long prompt; short
        # prompts such as "年 月 日" are everywhere and prove nothing.
        shortest = 0 if not field.labels else _DISTINCT_PROMPT
        value, doubt = judged(field, _prompted_text(content, field, shortest))
        return value, doubt or _lost_label(content, field, value)
    return judged(field, _found_text(content.tables, found, field, labels))


def _lost_label(content: WordContent, field: FieldSpec, value: object) -> str:
    """A doubt when the field's label is in the form but its place is not: text glued
    together by a conversion ("单位名称示例公司联系人…"), never an answer left out."""
    if value not in ("", None):
        return ""
    everything = simplified(squash(content.all_text()))
    if not any(squash(label) in everything for label in field.labels):
        return ""
    return "申报表的表格结构未能识别，无法确定这一项所填的内容"


def _found_text(tables: tuple[Table, ...], found: _Found, field: FieldSpec,
                labels: frozenset[str]) -> str:
    """The value beside a label: after it in its own cell, else in the neighbouring cell."""
    value = ""
    if found.rest is not None:
        written = found.rest.split("\n")[0] if found.inline else found.rest
        value = _strip_prompts(written, _prompts(field))
        if usable(field, value) or found.inline or found.spot is None:
            return value
    own = frozenset(squash(label).rstrip(":") for label in field.labels)
    cell = _neighbour(tables, found.spot, labels, own)
    if cell is None:
        return value
    return _strip_prompts(_without_label(cell.text, own), _prompts(field))


def _without_label(text: str, own: frozenset[str]) -> str:
    """A value cell that repeats its label ("填表日期：2024年4月8日"), without the label."""
    for label in own:
        rest = _after(text, label)
        if rest is not None and squash(rest).startswith(":"):
            return rest.strip().lstrip(":")
    return text


def _prompted_text(content: WordContent, field: FieldSpec, shortest: int) -> str:
    """The cell (or paragraph) holding one of the field's own prompts, without the prompt."""
    prompts = [squash(p) for p in field.prompts if squash(p) and len(squash(p)) >= shortest]
    texts = [cell.text for _, cell in _cells(content.tables)]
    for text in texts + [p.text for p in content.paragraphs]:
        if any(prompt in squash(text) for prompt in prompts):
            return _strip_prompts(text, _prompts(field))
    return ""


# ---- grids: 企业负责人 × 姓名 ----------------------------------------------------------

def _grid_text(tables: tuple[Table, ...], field: FieldSpec) -> str:
    """The cell where the row labelled like the field meets the field's column header."""
    row_labels = {squash(x).rstrip(":") for x in field.labels}
    column = squash(field.column or "")
    for table in tables:
        for r, row in enumerate(table):
            at = next((c for c, cell in enumerate(row) if _key(cell.text) in row_labels), None)
            if at is not None:
                cell = _grid_cell(table, r, at, column)
                return _strip_prompts(cell.text, _prompts(field)) if cell is not None else ""
    return ""


def _grid_cell(table: Table, r: int, at: int, column: str) -> Cell | None:
    """Under the nearest header row above holding `column`, or after `column` in the row."""
    row, label = table[r], table[r][at]
    for c, cell in enumerate(row):
        if c > at and _key(cell.text) == column:
            return _right(table, _Spot(0, r, c), frozenset())
    for header in reversed(table[:r]):
        col = next((c for c, cell in enumerate(header) if _key(cell.text) == column), None)
        if col is not None:
            cell = row[col] if col < len(row) else None
            return None if cell is None or _is_repeat(cell, label) else cell
    return None


# ---- seals ----------------------------------------------------------------------------

def _seal(tables: tuple[Table, ...], found: _Found | None) -> bool:
    """An image in the seal label's row or just below it.

    The whole row, not only the label and value cells: a seal picture dragged over the 盖章
    cell is often anchored in the cell beside it (填表日期's value).
    """
    if found is None or found.spot is None:
        return False
    table, spot = tables[found.spot.table], found.spot
    nearby = list(table[spot.row])
    if spot.row + 1 < len(table) and spot.col < len(table[spot.row + 1]):
        nearby.append(table[spot.row + 1][spot.col])
    return any(cell.has_image for cell in nearby)


# ---- choices: where the options are ---------------------------------------------------

def _distinct(cells: tuple[Cell, ...]) -> list[Cell]:
    """Each merged cell once, in order."""
    out: list[Cell] = []
    for cell in cells:
        if not any(cell is seen for seen in out):
            out.append(cell)
    return out


def _choice_region(tables: tuple[Table, ...], found: _Found, labels: frozenset[str]) -> str:
    """The label's rest and the cells right of it, over every row a merged label spans."""
    if found.spot is None or found.inline:
        return found.rest or ""
    table, spot = tables[found.spot.table], found.spot
    label, parts = table[spot.row][spot.col], [found.rest or ""]
    for row in table[spot.row:]:
        if spot.col >= len(row) or row[spot.col] is not label:
            break
        for cell in _distinct(row[spot.col + 1:]):
            if _labelled(cell.text, labels):
                break
            if not _is_repeat(cell, label):
                parts.append(cell.text)
    if len(parts) == 1 and (below := _below(table, spot, labels)) is not None:
        parts.append(below.text)
    return "\n".join(parts)


def _choice_fallback(content: WordContent, choices: tuple[str, ...]) -> str:
    """The first row or paragraph naming two options or more, preferring one with boxes; else
    one that is a single option alone (the others deleted by the applicant)."""
    rows = ["\n".join(c.text for c in _distinct(row)) for table in content.tables for row in table]
    everything = rows + [p.text for p in content.paragraphs]
    texts = [t for t in everything if len(named_options(t, choices)) >= 2]
    alone = {squash(c) for c in choices}
    kept = [t for t in everything if squash(t).strip("".join(MARKS)) in alone]
    return next((t for t in texts if has_marks(t)), texts[0] if texts else "".join(kept[:1]))


def _choice(content: WordContent, field: FieldSpec, found: _Found | None,
            labels: frozenset[str]) -> tuple[tuple[str, ...], str]:
    """The options marked beside the field's label, else in the first list of them elsewhere;
    a doubt when a mark is there that belongs to no option, or a box that could not be read."""
    region = _choice_region(content.tables, found, labels) if found is not None else ""
    if not named_options(region, field.choices):
        region = _choice_fallback(content, field.choices)
    marked = marked_options(region, field.choices)
    stray = not marked and (checked_marks(region) or UNREAD_BOX in region)
    return marked, as_written(region) if stray else ""
