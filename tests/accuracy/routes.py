"""The authoring routes: the ways a filled form reaches us as a file.

Each route starts from the same Layout (the notice's form, filled in) and makes the file an
applicant's tools would: Word itself (python-docx), LibreOffice Writer, the notice's web page
opened in Writer, Word 97 `.doc`, WPS's binary Word file, a page saved as "Word" by a web
system, and the form typed again by hand. LibreOffice runs once per step for all cases.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from pipeline.demo.samples.forms import Layout, Marks, build_form, form_layout, render_form
from pipeline.demo.samples.word import Box, box
from tests.accuracy.convert import convert_all
from tests.accuracy.html import form_html
from tests.accuracy.wordxml import MARKINGS, PLACEHOLDERS, word_features

ROUTES = ("word", "wordxml", "libreoffice", "html", "doc97", "wps", "htmldoc", "retyped")
# What each route is, for the table and the README.
DESCRIPTIONS = {
    "word": "filled in Word (.docx as python-docx writes it)",
    "wordxml": "filled in Word with its controls: symbol-font, content-control and form-field "
               "checkboxes or the chosen option highlighted, bold or shaded; values in content "
               "controls and fields; soft line breaks",
    "libreoffice": "filled in LibreOffice Writer, saved as .docx (via .odt)",
    "html": "the notice's web page opened in Writer, saved as .docx",
    "doc97": "saved by LibreOffice as Word 97-2003 .doc (straight from .docx)",
    "wps": "WPS's binary Word file, stood in for by Writer's from .odt (named .wps; .doc where the notice names .doc)",
    "htmldoc": "a web page saved as \"Word\" (HTML with Word's namespaces, named .doc)",
    "retyped": "re-typed: label and answer in one cell, labels above long answers, "
               "spaced, full-width or traditional labels, word limits in brackets",
}


@dataclass(frozen=True)
class Request:
    """One case's form to be made: its campaign, layout and how it is written."""

    campaign: str
    route: str
    values: dict
    marks: Marks | None
    variant: int


@dataclass(frozen=True)
class Made:
    suffix: str
    data: bytes


def make_forms(requests: Sequence[Request]) -> list[Made]:
    """Every request's file; the LibreOffice steps of all requests run together."""
    docx = [_docx(r) for r in requests]
    html = {i: form_html(_layout(r)) for i, r in enumerate(requests) if r.route == "html"}
    odt_needed = [i for i, r in enumerate(requests) if r.route in ("libreoffice", "wps")]
    odt = dict(zip(odt_needed, convert_all([(docx[i], ".docx") for i in odt_needed], "odt")))
    made: dict[int, Made] = {}
    _convert(made, {i: (html[i], ".html") for i in html}, "docx", ".docx")
    _convert(made, {i: (odt[i], ".odt") for i, r in enumerate(requests) if r.route == "libreoffice"},
             "docx", ".docx")
    _convert(made, {i: (odt[i], ".odt") for i, r in enumerate(requests) if r.route == "wps"},
             "doc", ".wps")
    _convert(made, {i: (docx[i], ".docx") for i, r in enumerate(requests) if r.route == "doc97"},
             "doc", ".doc")
    for i, r in enumerate(requests):
        if r.route == "htmldoc":
            made[i] = Made(".doc", form_html(_layout(r), word_namespaces=True))
        elif r.route in ("word", "wordxml", "retyped"):
            made[i] = Made(".docx", docx[i])
    return [made[i] for i in range(len(requests))]


def _convert(made: dict[int, Made], items: dict[int, tuple[bytes, str]], target: str,
             suffix: str) -> None:
    keys = list(items)
    for key, data in zip(keys, convert_all([items[k] for k in keys], target)):
        made[key] = Made(suffix, data)


def _layout(request: Request) -> Layout:
    layout = form_layout(request.campaign, request.values, marks=request.marks)
    return retype(layout, request.variant) if request.route == "retyped" else layout


def _docx(request: Request) -> bytes:
    if request.route == "retyped":
        return render_form(_layout(request), author=str(request.values.get("contact_name", "")))
    if request.route == "wordxml":
        docx = build_form(request.campaign, request.values, marks=PLACEHOLDERS)
        marking = MARKINGS[request.variant % len(MARKINGS)]
        return word_features(docx, marking, str(request.values.get("unit_name", "")),
                             str(request.values.get("fill_date", "")))
    return build_form(request.campaign, request.values, marks=request.marks)


# ---- re-typed forms -------------------------------------------------------------------

# Labels as applicants re-type them: spaced out, traditional characters.
_TRADITIONAL = str.maketrans("单称联系话邮简报题类别机业荐实施属规职务营总资产负责责电们", "單稱聯繫話郵簡報題類別機業薦實施屬規職務營總資產負責責電們")
_LONG = 60


def _text(b: Box) -> str:
    return "\n".join(b.lines)


def _spell(label: str, variant: int) -> str:
    """The label as typed: as printed, spaced out, or in traditional characters."""
    if variant % 3 == 1:
        return " ".join(label)
    if variant % 3 == 2:
        return label.translate(_TRADITIONAL)
    return label


def _is_label(b: Box) -> bool:
    text = _text(b)
    return 2 <= len(text) <= 14 and "\n" not in text and not b.seal and not b.up


def _pair(label: Box, value: Box, span: int, variant: int) -> list[list[Box]]:
    """A label and its answer as one re-typed cell, or two rows for a long answer."""
    name, lines = _spell(_text(label), variant), value.lines
    if sum(len(line) for line in lines) <= _LONG:
        colon = "：" if variant % 2 == 0 else ":"
        prompt = lines[0] if len(lines) > 1 and lines[0].startswith("（") else ""
        answer = " ".join(lines[1:] if prompt else lines)
        return [[box(f"{name}{prompt}{colon}{answer}", span=span, seal=value.seal)]]
    prompt, *answer = lines
    words = re.search(r"(\d+)字", prompt)
    limit = "" if not words else prompt if variant % 4 < 2 else f"（{words.group(1)}字以内）"
    if variant % 2 == 0:  # the label in a merged row above the answer, the limit beside it
        return [[box(f"{name}{limit}", span=span)], [box(*answer, span=span)]]
    return [[box(f"{name}{limit}：", *answer, span=span)]]  # label, line break, text


def _row(row: tuple[Box, ...], cols: int, variant: int) -> list[list[Box]]:
    if any(b.up for b in row) or not _is_label(row[0]) or len(row) not in (2, 4):
        return [list(row)]
    if len(row) == 2:
        return _pair(row[0], row[1], cols, variant)
    if _is_label(row[2]):
        half = cols // 2
        left = _pair(row[0], row[1], half, variant)[0]
        right = _pair(row[2], row[3], cols - half, variant)[0]
        return [[*left, *right]]
    return [list(row)]


def retype(layout: Layout, variant: int) -> Layout:
    """The form typed again from the notice by the applicant, label by label."""
    rows: list[list[Box]] = []
    for index, row in enumerate(layout.rows):
        merged_below = index + 1 < len(layout.rows) and any(b.up for b in layout.rows[index + 1])
        rows += [list(row)] if merged_below else _row(row, layout.cols, variant)
    return replace(layout, rows=tuple(tuple(r) for r in rows))
