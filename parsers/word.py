"""Word (.docx) files to WordContent: the project's only importer of python-docx."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterator

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import Part
from docx.package import Package
from docx.styles import BabelFish
from lxml import etree

from parsers.types import Cell, Paragraph, WordContent
from pipeline.errors import UnreadableDocument

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "w14": W14, "mc": MC, "v": "urn:schemas-microsoft-com:vml",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


CHECKED, UNCHECKED, CHECK = "☑", "□", "√"

# Symbol fonts draw boxes and ticks from private code points (w:sym w:char="F052", or the
# character itself in a run set in that font). Every checked box becomes ☑, every empty one
# □; a bare tick stays √ because, unlike a box, it may follow the option it marks.
_SYMBOLS: dict[str, dict[int, str]] = {
    "wingdings": {0x6E: CHECKED, 0x6F: UNCHECKED, 0x70: UNCHECKED, 0x71: UNCHECKED,
                  0x72: UNCHECKED, 0x78: CHECKED, 0xA8: UNCHECKED, 0xFC: CHECK,
                  0xFD: CHECKED, 0xFE: CHECKED},
    "wingdings 2": {0x2A: UNCHECKED, 0x50: CHECK, 0x51: CHECKED, 0x52: CHECKED,
                    0x53: CHECKED, 0x54: CHECKED, 0xA0: CHECKED, 0xA2: CHECKED,
                    0xA3: UNCHECKED, 0xA8: CHECKED},
    "symbol": {0xD6: CHECK},
}

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "legacy or encrypted Word file (OLE2 container: a .doc, or a password-protected .docx)"),
    (b"{\\rtf", "an RTF file, not a .docx"),
    (b"%PDF", "a PDF file, not a .docx"),
)

# Subtrees whose text is not the visible text of the element being read: deleted revisions,
# the fallback copy of alternate content, hidden properties, and nested tables (read apart).
_SKIP = {_w("del"), _w("moveFrom"), _w("delText"), _w("tbl"), f"{{{MC}}}Fallback",
         _w("rPr"), _w("pPr"), _w("tcPr"), _w("trPr"), _w("tblPr"), _w("sectPr"),
         _w("sdtPr"), _w("sdtEndPr")}
_IMAGES = {_w("drawing"), _w("pict"), _w("object")}
_FALSE = {"0", "false", "off", "none"}

Grid = tuple[tuple[Cell, ...], ...]


def read_word(data: bytes) -> WordContent:
    """Paragraphs, tables (one Cell per grid column) and image count of a .docx file."""
    part = _main_part(data)
    body, styles = _body(part), _styles(_styles_root(part))
    paragraphs: list[Paragraph] = []
    tables: list[Grid] = []
    for block in _blocks(body):
        if block.tag == _w("p"):
            paragraphs.append(_paragraph(block, styles))
        else:
            tables.extend(_tables(block))
    return WordContent(paragraphs=tuple(paragraphs), tables=tuple(tables),
                       image_count=_image_count(body))


# ---- opening --------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def _package(data: bytes) -> Package:
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            raise UnreadableDocument(reason)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument("not a .docx: not a zip archive")
    try:
        return Package.open(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile,
            etree.XMLSyntaxError) as error:
        raise UnreadableDocument(f"not a readable .docx: {error}") from error


def _main_part(data: bytes) -> Part:
    try:
        return _package(data).main_document_part
    except KeyError as error:
        raise UnreadableDocument("not a .docx: no word/document.xml (main part)") from error


def _root(part: Part) -> etree._Element:
    # A .docm or .dotx main part is not a DocumentPart to python-docx: parse its bytes.
    element = getattr(part, "element", None)
    if element is not None:
        return element
    try:
        return etree.fromstring(part.blob, _PARSER)
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(f"word/document.xml is not well-formed: {error}") from error


def _body(part: Part) -> etree._Element:
    root = _root(part)
    body = root.find(_w("body"))
    if body is None:
        if "purl.oclc.org/ooxml" in root.tag:
            raise UnreadableDocument("Strict Open XML Word files are not supported")
        raise UnreadableDocument("not a .docx: word/document.xml has no body")
    return body


def _styles_root(part: Part) -> etree._Element | None:
    try:
        return _root(part.part_related_by(RT.STYLES))
    except (KeyError, UnreadableDocument):
        return None  # styles are a nicety: without them every paragraph is unstyled


# ---- styles ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    bold: bool | None


@dataclass(frozen=True)
class _Styles:
    """styles.xml reduced to names and boldness; built-in names as Word shows them: "Heading 1"."""

    by_id: dict[str, _Style]
    default_paragraph: str | None

    def name(self, style_id: str | None) -> str:
        style = self.by_id.get(style_id or self.default_paragraph or "")
        return style.name if style else ""

    def bold(self, style_id: str | None) -> bool | None:
        """Bold as the style or the first style it is based on that says so."""
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            if style.bold is not None:
                return style.bold
            style_id = style.based_on
        return None


def _flag(element: etree._Element | None) -> bool | None:
    """An on/off property such as <w:b/>: present without a value means on."""
    if element is None:
        return None
    return element.get(_w("val"), "1").lower() not in _FALSE


def _style(element: etree._Element) -> _Style:
    name, based = element.find("w:name", NS), element.find("w:basedOn", NS)
    stored = name.get(_w("val"), "") if name is not None else ""
    return _Style(name=BabelFish.internal2ui(stored or element.get(_w("styleId"), "")),
                  based_on=based.get(_w("val")) if based is not None else None,
                  bold=_flag(element.find("w:rPr/w:b", NS)))


def _styles(root: etree._Element | None) -> _Styles:
    if root is None:
        return _Styles({}, None)
    elements = list(root.iterfind("w:style", NS))
    default = next((e.get(_w("styleId")) for e in elements
                    if e.get(_w("type")) == "paragraph" and e.get(_w("default")) in ("1", "true")),
                   None)
    return _Styles({e.get(_w("styleId"), ""): _style(e) for e in elements}, default)


# ---- visible text ---------------------------------------------------------------------

@dataclass
class _Field:
    """A complex field (w:fldChar begin … separate … end) being read."""

    instr: list[str] = field(default_factory=list)
    mark: str | None = None
    in_code: bool = True
    shown: bool = False


class _Reader:
    """Collects the visible text of one paragraph or cell, and whether it holds an image.

    python-docx's .text misses content controls, symbol-font checkboxes and form fields; this
    walks the XML itself: w:t, w:sym, w:tab -> space, w:br and paragraph ends -> newline.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.fields: list[_Field] = []
        self.image = False

    def text(self) -> str:
        return "".join(self.parts).strip()

    def emit(self, text: str) -> None:
        # Inside a field's code, text belongs to the instruction (EQ \o(□,√)), not the page.
        if self.fields and self.fields[-1].in_code:
            self.fields[-1].instr.append(text)
        else:
            self.parts.append(text)

    def walk(self, element: etree._Element, font: str = "") -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue  # comments and processing instructions have no str tag
            handler = _HANDLERS.get(tag)
            if handler is not None:
                handler(self, child, font)
            elif tag in _IMAGES:
                self.image = True
            else:
                self.walk(child, font)


def _font_key(name: str) -> str:
    return name.replace(" ", "").lower().replace("wingdings2", "wingdings 2")


def _symbol(font: str, code: int) -> str:
    """The rendering of one symbol-font character; unknown glyphs are dropped, not guessed."""
    table = _SYMBOLS.get(_font_key(font))
    if table is None:
        return chr(code) if code < 0xF000 else ""
    return table.get(code - 0xF000 if code >= 0xF000 else code, "")


def _decode(text: str, font: str) -> str:
    if _font_key(font) not in _SYMBOLS:
        return text
    return "".join(ch if ch.isspace() else _symbol(font, ord(ch)) for ch in text)


def _on_t(reader: _Reader, element: etree._Element, font: str) -> None:
    reader.emit(_decode(element.text or "", font))


def _on_instr(reader: _Reader, element: etree._Element, font: str) -> None:
    if reader.fields:
        reader.fields[-1].instr.append(_decode(element.text or "", font))


def _on_sym(reader: _Reader, element: etree._Element, font: str) -> None:
    try:
        code = int(element.get(_w("char"), ""), 16)
    except ValueError:
        return
    reader.emit(_symbol(element.get(_w("font"), ""), code))


def _on_p(reader: _Reader, element: etree._Element, font: str) -> None:
    reader.walk(element, font)
    reader.parts.append("\n")


def _run_font(run: etree._Element) -> str:
    fonts = run.find("w:rPr/w:rFonts", NS)
    if fonts is None:
        return ""
    return fonts.get(_w("ascii")) or fonts.get(_w("hAnsi")) or ""


def _on_r(reader: _Reader, element: etree._Element, font: str) -> None:
    if _flag(element.find("w:rPr/w:vanish", NS)):
        return  # hidden text is not on the page
    reader.walk(element, _run_font(element) or font)


def _placeholder(sdt: etree._Element) -> bool:
    """A content control still showing its "click here to enter text" prompt."""
    return sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None


def _on_sdt(reader: _Reader, element: etree._Element, font: str) -> None:
    box = element.find("w:sdtPr/w14:checkbox", NS)
    if box is not None:
        # The control's own glyph (☐/☒ in some font) is in sdtContent: the state says it all.
        checked = box.find("w14:checked", NS)
        value = checked.get(f"{{{W14}}}val", "0") if checked is not None else "0"
        reader.emit(CHECKED if value.lower() in ("1", "true") else UNCHECKED)
        return
    content = element.find("w:sdtContent", NS)
    if content is not None and not _placeholder(element):
        reader.walk(content, font)


def _form_checkbox(fld_char: etree._Element) -> str | None:
    """☑/□ for a legacy FORMCHECKBOX field (w:checked wins over w:default), else None."""
    box = fld_char.find("w:ffData/w:checkBox", NS)
    if box is None:
        return None
    state = _flag(box.find("w:checked", NS))
    if state is None:
        state = bool(_flag(box.find("w:default", NS)))
    return CHECKED if state else UNCHECKED


_BOXES, _TICKS = set("□☐⬜◻○◯" + UNCHECKED), set("√✓✔" + CHECKED)


def _field_result(item: _Field) -> str | None:
    """What a field shows that is not in its result runs: a checkbox, or 带圈字符 EQ \\o(□,√)."""
    if item.mark is not None:
        return item.mark
    code = "".join(item.instr)
    if re.match(r"\s*eq\b", code, re.IGNORECASE) and _BOXES & set(code) and _TICKS & set(code):
        return CHECKED
    return None


def _show(reader: _Reader, item: _Field) -> None:
    item.in_code, item.shown = False, True
    if (result := _field_result(item)) is not None:
        reader.emit(result)


def _on_fld_char(reader: _Reader, element: etree._Element, font: str) -> None:
    kind = element.get(_w("fldCharType"))
    if kind == "begin":
        reader.fields.append(_Field(mark=_form_checkbox(element)))
    elif kind == "separate" and reader.fields:
        _show(reader, reader.fields[-1])
    elif kind == "end" and reader.fields:
        item = reader.fields.pop()
        if not item.shown:
            _show(reader, item)


def _emit(text: str) -> Callable[[_Reader, etree._Element, str], None]:
    return lambda reader, element, font: reader.emit(text)


_HANDLERS = {
    _w("t"): _on_t, _w("instrText"): _on_instr, _w("sym"): _on_sym, _w("p"): _on_p,
    _w("r"): _on_r, _w("sdt"): _on_sdt, _w("fldChar"): _on_fld_char,
    _w("tab"): _emit(" "), _w("ptab"): _emit(" "), _w("br"): _emit("\n"), _w("cr"): _emit("\n"),
    _w("noBreakHyphen"): _emit("-"),
}


def _visible_text(element: etree._Element) -> tuple[str, bool]:
    reader = _Reader()
    reader.walk(element)
    return reader.text(), reader.image


# ---- paragraphs -----------------------------------------------------------------------

_NOT_ON_PAGE = {_w("del"), _w("moveFrom"), f"{{{MC}}}Fallback", _w("txbxContent")}


def _runs(paragraph: etree._Element) -> Iterator[etree._Element]:
    """The paragraph's own runs with visible text (not deleted, not in a text box)."""
    for run in paragraph.iter(_w("r")):
        hidden = any(a.tag in _NOT_ON_PAGE for a in _ancestors(run, paragraph))
        text = "".join(t.text or "" for t in run.iterfind("w:t", NS)).strip()
        if not hidden and (text or run.find("w:sym", NS) is not None):
            yield run


def _ancestors(element: etree._Element, stop: etree._Element) -> Iterator[etree._Element]:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return
        yield ancestor


def _run_bold(run: etree._Element, styles: _Styles, paragraph_style: str | None) -> bool:
    explicit = _flag(run.find("w:rPr/w:b", NS))
    if explicit is not None:
        return explicit
    char_style = run.find("w:rPr/w:rStyle", NS)
    if char_style is not None and (bold := styles.bold(char_style.get(_w("val")))) is not None:
        return bold
    return bool(styles.bold(paragraph_style))


def _paragraph(p: etree._Element, styles: _Styles) -> Paragraph:
    style_el = p.find("w:pPr/w:pStyle", NS)
    style_id = style_el.get(_w("val")) if style_el is not None else styles.default_paragraph
    runs = list(_runs(p))
    bold = bool(runs) and all(_run_bold(r, styles, style_id) for r in runs)
    return Paragraph(text=_visible_text(p)[0], style=styles.name(style_id), bold=bold)


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Body paragraphs and tables in order, looking inside block-level content controls."""
    for child in container:
        if child.tag in (_w("p"), _w("tbl")):
            yield child
        elif child.tag == _w("sdt") and not _placeholder(child):
            content = child.find("w:sdtContent", NS)
            if content is not None:
                yield from _blocks(content)
        elif child.tag == _w("customXml"):
            yield from _blocks(child)


# ---- tables ---------------------------------------------------------------------------

def _wrapped(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children with `tag`, also those wrapped in row- or cell-level content controls."""
    for child in parent:
        if child.tag == _w(tag):
            yield child
        elif child.tag == _w("sdt"):
            content = child.find("w:sdtContent", NS)
            if content is not None:
                yield from _wrapped(content, tag)
        elif child.tag == _w("customXml"):
            yield from _wrapped(child, tag)


def _int(element: etree._Element, path: str, default: int) -> int:
    found = element.find(path, NS)
    try:
        return int(found.get(_w("val"))) if found is not None else default
    except (TypeError, ValueError):
        return default


def _cell(tc: etree._Element, upper: Cell | None) -> Cell:
    """The cell's content; a vMerge continuation is the same Cell as the one above it."""
    merge = tc.find("w:tcPr/w:vMerge", NS)
    if merge is not None and merge.get(_w("val"), "continue") == "continue" and upper is not None:
        return upper
    text, image = _visible_text(tc)
    return Cell(text=text, has_image=image)


def _grid(tbl: etree._Element) -> Grid:
    """One Cell per grid column: a cell spanning columns or rows appears at each of them."""
    rows: list[tuple[Cell, ...]] = []
    above: tuple[Cell, ...] = ()
    for tr in _wrapped(tbl, "tr"):
        row = [Cell("")] * _int(tr, "w:trPr/w:gridBefore", 0)
        for tc in _wrapped(tr, "tc"):
            upper = above[len(row)] if len(row) < len(above) else None
            row.extend([_cell(tc, upper)] * max(1, _int(tc, "w:tcPr/w:gridSpan", 1)))
        above = tuple(row)
        rows.append(above)
    return tuple(rows)


def _owner(tbl: etree._Element) -> etree._Element | None:
    return next((a for a in tbl.iterancestors(_w("tbl"))), None)


def _tables(tbl: etree._Element) -> list[Grid]:
    """The table, then each table nested in it (depth first): flattened, none lost."""
    nested = [t for t in tbl.iterdescendants(_w("tbl")) if _owner(t) is tbl]
    return [_grid(tbl)] + [grid for inner in nested for grid in _tables(inner)]


# Alternate content carries a fallback copy of each picture: count the choice only.
_PICTURES = etree.XPath(".//a:blip[not(ancestor::mc:Fallback)]"
                        " | .//v:imagedata[not(ancestor::mc:Fallback)]", namespaces=NS)


def _image_count(body: etree._Element) -> int:
    return len(_PICTURES(body))
