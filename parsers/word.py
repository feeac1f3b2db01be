"""Word (.docx) files to WordContent: the package opened with zipfile, its XML read with lxml."""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterator

from lxml import etree

from parsers.errors import UnreadableDocument
from parsers.members import MAX_MEMBER_BYTES, MAX_RATIO, MAX_TOTAL_BYTES, MIB, RATIO_FLOOR
from parsers.model import Cell, Paragraph, WordContent
from parsers.wordml import MC, NS, flag, is_placeholder, visible_text, w

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
# The largest XML part that may be parsed into a tree (which takes about ten times its size);
# the document.xml of a 500-page report is under 20 MB.
MAX_XML_PART_BYTES = 64 * MIB
# Where an XML part's DOCTYPE would be: after the declaration, at the very start.
_PROLOG_BYTES = 4096

TOO_BIG = f"Word文件解压后过大（上限{MAX_TOTAL_BYTES // MIB}MB），疑似异常文件"
BOMB = "Word文件压缩比异常（疑似压缩炸弹），已拒绝读取"
HAS_DTD = "Word文件内含DTD实体声明（正常Word文件不会有），疑似构造的攻击文件，已拒绝读取"
TOO_DEEP = "Word文件结构嵌套过深（疑似构造的异常文件），已拒绝读取"
TOO_MANY_PARAGRAPHS = f"Word文件段落过多（超过{MAX_PARAGRAPHS}段），疑似异常文件"
NO_MAIN_PART = "not a .docx: no word/document.xml (main part)"
UNREADABLE = "not a readable .docx"


def read_word(data: bytes) -> WordContent:
    """Paragraphs, tables (one Cell per grid column) and image count of a .docx file."""
    document, styles = _open(data)
    return word_content(document, styles)


def word_content(document: etree._Element, styles: etree._Element | None) -> WordContent:
    """What the parsed document.xml says, its styles named and resolved through styles.xml."""
    body, named = _body(document), _styles(styles)
    if next(islice(body.iter(w("p")), MAX_PARAGRAPHS, None), None) is not None:
        raise UnreadableDocument(TOO_MANY_PARAGRAPHS)
    paragraphs: list[Paragraph] = []
    tables: list[Grid] = []
    for block in _blocks(body):
        if block.tag == w("p"):
            paragraphs.append(_paragraph(block, named))
        else:
            tables.extend(_tables(block))
    return WordContent(paragraphs=tuple(paragraphs), tables=tuple(tables),
                       image_count=_image_count(body))


# ---- opening --------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def _open(data: bytes) -> tuple[etree._Element, etree._Element | None]:
    """The roots of the main document part and of its styles part (None without one)."""
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            raise UnreadableDocument(reason)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument("not a .docx: not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            package = _Package(archive, _check_parts(archive, len(data)))
            return package.main_and_styles()
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
            zlib.error) as error:  # RuntimeError: an encrypted part; NotImplementedError: a method
        raise UnreadableDocument(f"{UNREADABLE}: {error}") from error


def _check_parts(archive: zipfile.ZipFile, size: int) -> dict[str, bytes]:
    """Refuse, from the zip directory and each XML part's first bytes, what would otherwise be
    inflated and parsed whole: parts over the size limits, a package whose declared size is a
    bomb's ratio of its bytes, and DTDs (OPC forbids them in a package, and only a DTD can
    declare the entities of an XXE or a billion-laughs file) in any XML part, read later or not.
    Returns the parts short enough to have been read whole here (the .rels, [Content_Types].xml),
    by member name, so that they are not inflated twice."""
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
        raise UnreadableDocument(TOO_BIG)
    if total > max(MAX_RATIO * size, RATIO_FLOOR):
        raise UnreadableDocument(BOMB)
    whole: dict[str, bytes] = {}
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            prolog = _prolog(archive, info)
            if len(prolog) == info.file_size < _PROLOG_BYTES:  # read to its end: CRC checked
                whole[info.filename] = prolog
    return whole


def _prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_XML_PART_BYTES:
        raise UnreadableDocument(
            f"Word文件内容过大（{info.filename}超过{MAX_XML_PART_BYTES // MIB}MB），疑似异常文件")
    with archive.open(info) as part:
        prolog = part.read(_PROLOG_BYTES)
    _refuse_dtd(prolog)
    return prolog


def _refuse_dtd(prolog: bytes) -> None:
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


def _parse(blob: bytes) -> etree._Element:
    _refuse_dtd(blob[:_PROLOG_BYTES])  # a part not named .xml escaped _check_parts
    try:
        return etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(_xml_reason(error, UNREADABLE)) from error


def _body(root: etree._Element) -> etree._Element:
    body = root.find(w("body"))
    if body is None:
        if "purl.oclc.org/ooxml" in root.tag:
            raise UnreadableDocument("Strict Open XML Word files are not supported")
        raise UnreadableDocument("not a .docx: word/document.xml has no body")
    return body


# ---- the package (Open Packaging Conventions), read as python-docx reads it -------------

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# python-docx knows the transitional officeDocument type only: a Strict package (its types
# under purl.oclc.org) has no main part to it, and none to us.
_OFFICE_DOCUMENT, _STYLES = f"{_RT}officeDocument", f"{_RT}styles"

# A part's relationships: Id -> (type, target part name); external targets are not parts.
_Rels = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class _ContentTypes:
    """[Content_Types].xml: the part names and extensions it gives a type, in lower case
    (python-docx matches both without regard to case)."""

    names: frozenset[str]
    extensions: frozenset[str]

    def covers(self, partname: str) -> bool:
        extension = posixpath.splitext(partname)[1][1:]
        return partname.lower() in self.names or extension.lower() in self.extensions


def _content_types(root: etree._Element) -> _ContentTypes:
    return _ContentTypes(
        names=frozenset(e.get("PartName", "").lower() for e in root.iterfind(f"{_CT}Override")),
        extensions=frozenset(e.get("Extension", "").lower()
                             for e in root.iterfind(f"{_CT}Default")))


def _rels_name(partname: str) -> str:
    """The member holding a part's relationships: word/_rels/document.xml.rels, _rels/.rels."""
    directory, filename = posixpath.split(partname)
    return posixpath.join(directory, "_rels", f"{filename}.rels")[1:]


def _target(source: str, target: str) -> str:
    """A relationship's target as a part name; relative to the source's folder unless it starts
    with "/". Zip members are matched exactly, as python-docx does (Word ignores case)."""
    return posixpath.normpath(posixpath.join(posixpath.split(source)[0], target))


def _related(rels: _Rels, reltype: str) -> str | None:
    """The part name of the one relationship of `reltype`; python-docx refuses two."""
    found = [target for kind, target in rels.values() if kind == reltype]
    if len(found) > 1:
        raise UnreadableDocument(f"{UNREADABLE}: multiple relationships of type '{reltype}'")
    return found[0] if found else None


class _Package:
    """A .docx zip as python-docx's PackageReader takes it: every part reachable from
    _rels/.rels must be in the zip and have a content type; only [Content_Types].xml, the
    .rels on the way, the main part and its styles are read."""

    def __init__(self, archive: zipfile.ZipFile, small: dict[str, bytes]) -> None:
        self.archive, self.small = archive, small
        self.names = frozenset(archive.namelist())
        self.types = _content_types(_parse(self.blob("[Content_Types].xml")))

    def blob(self, name: str) -> bytes:
        self.require_member(name)
        return self.small[name] if name in self.small else self.archive.read(name)

    def require_member(self, name: str) -> None:
        if name not in self.names:
            raise UnreadableDocument(
                f"{UNREADABLE}: There is no item named '{name}' in the archive")

    def main_and_styles(self) -> tuple[etree._Element, etree._Element | None]:
        graph = self.walk()
        main = _related(graph["/"], _OFFICE_DOCUMENT)
        if main is None:
            raise UnreadableDocument(NO_MAIN_PART)
        styles = _related(graph[main], _STYLES)
        return (_parse(self.blob(main[1:])),
                _parse(self.blob(styles[1:])) if styles is not None else None)

    def walk(self) -> dict[str, _Rels]:
        """The relationships of the package ("/") and of each part reachable from it, each
        part checked on the way (depth first, in document order, as python-docx loads them)."""
        graph: dict[str, _Rels] = {"/": self.rels("/")}
        pending = list(reversed(graph["/"].values()))
        while pending:
            _, part = pending.pop()
            if part not in graph:
                self.require(part)
                graph[part] = self.rels(part)
                pending.extend(reversed(graph[part].values()))
        return graph

    def require(self, partname: str) -> None:
        self.require_member(partname[1:])
        if not self.types.covers(partname):
            raise UnreadableDocument(
                f"{UNREADABLE}: no content type for partname '{partname}' in [Content_Types].xml")

    def rels(self, source: str) -> _Rels:
        name = _rels_name(source)
        if name not in self.names:
            return {}
        return {rel.get("Id", ""): (rel.get("Type", ""), _target(source, rel.get("Target", "")))
                for rel in _parse(self.blob(name)).iterfind(_RELATIONSHIP)
                if rel.get("TargetMode") != "External"}


# ---- styles ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    bold: bool | None


@dataclass(frozen=True)
class _Styles:
    """styles.xml's styles, each reduced to its name and boldness when first asked for (a
    template holds a hundred or more, a form uses a few); built-in names as Word shows them."""

    elements: dict[str, etree._Element]
    default_paragraph: str | None
    reduced: dict[str, _Style] = field(default_factory=dict)

    def style(self, style_id: str) -> _Style | None:
        if style_id not in self.reduced and style_id in self.elements:
            self.reduced[style_id] = _style(self.elements[style_id])
        return self.reduced.get(style_id)

    def name(self, style_id: str | None) -> str:
        style = self.style(style_id or self.default_paragraph or "")
        return style.name if style else ""

    def bold(self, style_id: str | None) -> bool | None:
        """Bold as the style or the first style it is based on that says so."""
        seen: set[str] = set()
        while style_id and style_id not in seen and (style := self.style(style_id)) is not None:
            seen.add(style_id)
            if style.bold is not None:
                return style.bold
            style_id = style.based_on
        return None


# Word stores a few built-in names in lower case ("heading 1") and shows them capitalised;
# python-docx's BabelFish turns them into what Word shows, and so does this.
_SHOWN_NAMES = {name.lower(): name for name in
                ("Caption", "Footer", "Header", *(f"Heading {level}" for level in range(1, 10)))}


def _style(element: etree._Element) -> _Style:
    name, based = element.find("w:name", NS), element.find("w:basedOn", NS)
    stored = name.get(w("val"), "") if name is not None else ""
    stored = stored or element.get(w("styleId"), "")
    return _Style(name=_SHOWN_NAMES.get(stored, stored),
                  based_on=based.get(w("val")) if based is not None else None,
                  bold=flag(element.find("w:rPr/w:b", NS)))


def _styles(root: etree._Element | None) -> _Styles:
    if root is None:
        return _Styles({}, None)
    elements = list(root.iterfind("w:style", NS))
    default = next((e.get(w("styleId")) for e in elements
                    if e.get(w("type")) == "paragraph" and e.get(w("default")) in ("1", "true")),
                   None)
    return _Styles({e.get(w("styleId"), ""): e for e in elements}, default)


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
    text, image = visible_text(tc, emphasis=True)
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
