"""Word (.docx) files to WordContent: the project's only importer of python-docx."""
from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from itertools import islice
from typing import Iterator

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import Part
from docx.package import Package
from docx.styles import BabelFish
from lxml import etree

from parsers.members import MAX_MEMBER_BYTES, MAX_RATIO, MAX_TOTAL_BYTES, MIB, RATIO_FLOOR
from parsers.types import Cell, Paragraph, WordContent
from parsers.wordml import MC, NS, flag, is_placeholder, visible_text, w
from pipeline.errors import UnreadableDocument

_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "legacy or encrypted Word file (OLE2 container: a .doc, or a password-protected .docx)"),
    (b"{\\rtf", "an RTF file, not a .docx"),
    (b"%PDF", "a PDF file, not a .docx"),
)

Grid = tuple[tuple[Cell, ...], ...]

# A 300-page report has about 10 000 paragraphs; a million empty ones is a file built to make
# the reader (and the worker that receives what it read) hold gigabytes.
MAX_PARAGRAPHS = 100_000
# The largest XML part python-docx may parse into a tree (which takes about ten times its size);
# the document.xml of a 500-page report is under 20 MB.
MAX_XML_PART_BYTES = 64 * MIB
# Where an XML part's DOCTYPE would be: after the declaration, at the very start.
_PROLOG_BYTES = 4096

TOO_BIG = f"Word文件解压后过大（上限{MAX_TOTAL_BYTES // MIB}MB），疑似异常文件"
BOMB = "Word文件压缩比异常（疑似压缩炸弹），已拒绝读取"
HAS_DTD = "Word文件内含DTD实体声明（正常Word文件不会有），疑似构造的攻击文件，已拒绝读取"
TOO_DEEP = "Word文件结构嵌套过深（疑似构造的异常文件），已拒绝读取"
TOO_MANY_PARAGRAPHS = f"Word文件段落过多（超过{MAX_PARAGRAPHS}段），疑似异常文件"


def read_word(data: bytes) -> WordContent:
    """Paragraphs, tables (one Cell per grid column) and image count of a .docx file."""
    part = _main_part(data)
    body, styles = _body(part), _styles(_styles_root(part))
    if next(islice(body.iter(w("p")), MAX_PARAGRAPHS, None), None) is not None:
        raise UnreadableDocument(TOO_MANY_PARAGRAPHS)
    paragraphs: list[Paragraph] = []
    tables: list[Grid] = []
    for block in _blocks(body):
        if block.tag == w("p"):
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
    _check_parts(data)
    try:
        return Package.open(io.BytesIO(data))
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(_xml_reason(error, "not a readable .docx")) from error
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise UnreadableDocument(f"not a readable .docx: {error}") from error


def _check_parts(data: bytes) -> None:
    """Refuse, from the zip directory and each XML part's first bytes, what python-docx would
    otherwise inflate and parse whole: parts over the size limits, a package whose declared
    size is a bomb's ratio of its bytes, and DTDs (OPC forbids them in a package, and only a
    DTD can declare the entities of an XXE or a billion-laughs file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_TOTAL_BYTES or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
                raise UnreadableDocument(TOO_BIG)
            if total > max(MAX_RATIO * len(data), RATIO_FLOOR):
                raise UnreadableDocument(BOMB)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_xml_part(package, info)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
            zlib.error) as error:  # RuntimeError: an encrypted part; NotImplementedError: a method
        raise UnreadableDocument(f"not a readable .docx: {error}") from error


def _check_xml_part(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_XML_PART_BYTES:
        raise UnreadableDocument(
            f"Word文件内容过大（{info.filename}超过{MAX_XML_PART_BYTES // MIB}MB），疑似异常文件")
    with package.open(info) as part:
        prolog = part.read(_PROLOG_BYTES)
    if b"<!DOCTYPE" in prolog or "<!DOCTYPE".encode("utf-16-le") in prolog:
        raise UnreadableDocument(HAS_DTD)


def _xml_reason(error: etree.XMLSyntaxError, otherwise: str) -> str:
    """libxml2's refusals of hostile XML in words for the applicant; other errors as they are."""
    text = str(error).lower()
    if "depth" in text:
        return TOO_DEEP
    if "amplification" in text or "entity reference loop" in text:
        return HAS_DTD
    return f"{otherwise}: {error}"


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
        reason = _xml_reason(error, "word/document.xml is not well-formed")
        raise UnreadableDocument(reason) from error


def _body(part: Part) -> etree._Element:
    root = _root(part)
    body = root.find(w("body"))
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


def _style(element: etree._Element) -> _Style:
    name, based = element.find("w:name", NS), element.find("w:basedOn", NS)
    stored = name.get(w("val"), "") if name is not None else ""
    return _Style(name=BabelFish.internal2ui(stored or element.get(w("styleId"), "")),
                  based_on=based.get(w("val")) if based is not None else None,
                  bold=flag(element.find("w:rPr/w:b", NS)))


def _styles(root: etree._Element | None) -> _Styles:
    if root is None:
        return _Styles({}, None)
    elements = list(root.iterfind("w:style", NS))
    default = next((e.get(w("styleId")) for e in elements
                    if e.get(w("type")) == "paragraph" and e.get(w("default")) in ("1", "true")),
                   None)
    return _Styles({e.get(w("styleId"), ""): _style(e) for e in elements}, default)


# ---- paragraphs -----------------------------------------------------------------------

_NOT_ON_PAGE = {w("del"), w("moveFrom"), f"{{{MC}}}Fallback", w("txbxContent")}


def _runs(paragraph: etree._Element) -> Iterator[etree._Element]:
    """The paragraph's own runs with visible text (not deleted, not in a text box)."""
    for run in paragraph.iter(w("r")):
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
    explicit = flag(run.find("w:rPr/w:b", NS))
    if explicit is not None:
        return explicit
    char_style = run.find("w:rPr/w:rStyle", NS)
    if char_style is not None and (bold := styles.bold(char_style.get(w("val")))) is not None:
        return bold
    return bool(styles.bold(paragraph_style))


def _paragraph(p: etree._Element, styles: _Styles) -> Paragraph:
    style_el = p.find("w:pPr/w:pStyle", NS)
    style_id = style_el.get(w("val")) if style_el is not None else styles.default_paragraph
    runs = list(_runs(p))
    bold = bool(runs) and all(_run_bold(r, styles, style_id) for r in runs)
    return Paragraph(text=visible_text(p)[0], style=styles.name(style_id), bold=bold)


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Body paragraphs and tables in order, looking inside block-level content controls."""
    for child in container:
        if child.tag in (w("p"), w("tbl")):
            yield child
        elif child.tag == w("sdt") and not is_placeholder(child):
            content = child.find("w:sdtContent", NS)
            if content is not None:
                yield from _blocks(content)
        elif child.tag == w("customXml"):
            yield from _blocks(child)


# ---- tables ---------------------------------------------------------------------------

def _wrapped(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children with `tag`, also those wrapped in row- or cell-level content controls."""
    for child in parent:
        if child.tag == w(tag):
            yield child
        elif child.tag == w("sdt"):
            content = child.find("w:sdtContent", NS)
            if content is not None:
                yield from _wrapped(content, tag)
        elif child.tag == w("customXml"):
            yield from _wrapped(child, tag)


def _int(element: etree._Element, path: str, default: int) -> int:
    found = element.find(path, NS)
    try:
        return int(found.get(w("val"))) if found is not None else default
    except (TypeError, ValueError):
        return default


def _cell(tc: etree._Element, upper: Cell | None) -> Cell:
    """The cell's content; a vMerge continuation is the same Cell as the one above it."""
    merge = tc.find("w:tcPr/w:vMerge", NS)
    if merge is not None and merge.get(w("val"), "continue") == "continue" and upper is not None:
        return upper
    text, image = visible_text(tc)
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
    return next((a for a in tbl.iterancestors(w("tbl"))), None)


def _tables(tbl: etree._Element) -> list[Grid]:
    """The table, then each table nested in it (depth first): flattened, none lost."""
    nested = [t for t in tbl.iterdescendants(w("tbl")) if _owner(t) is tbl]
    return [_grid(tbl)] + [grid for inner in nested for grid in _tables(inner)]


# Alternate content carries a fallback copy of each picture: count the choice only.
_PICTURES = etree.XPath(".//a:blip[not(ancestor::mc:Fallback)]"
                        " | .//v:imagedata[not(ancestor::mc:Fallback)]", namespaces=NS)


def _image_count(body: etree._Element) -> int:
    return len(_PICTURES(body))
