"""Word's own controls written into a filled form, as Word and WPS users insert them.

The form is built with two private-use glyphs where the checkboxes go; each is then replaced by
one of Word's checkbox encodings, the unit's name is put in a content control, the fill date in
a DATE field's result, and a long answer gets a soft line break (Shift+Enter).
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

CHECKED, UNCHECKED = "\ue000", "\ue001"
PLACEHOLDERS = (CHECKED, UNCHECKED)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_NS = f'xmlns:w="{W}" xmlns:w14="{W14}"'
# The checkbox encodings, by name: the XML of a checked and of an empty box.
ENCODINGS: dict[str, tuple[str, str]] = {
    "Wingdings 2 w:sym": ('<w:r {ns}><w:sym w:font="Wingdings 2" w:char="F052"/></w:r>',
                          '<w:r {ns}><w:sym w:font="Wingdings 2" w:char="F0A3"/></w:r>'),
    "content-control checkbox": (
        '<w:sdt {ns}><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr>'
        '<w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt>',
        '<w:sdt {ns}><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/></w14:checkbox></w:sdtPr>'
        '<w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>'),
    "FORMCHECKBOX field": (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>'
        '<w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r {ns}><w:instrText>'
        ' FORMCHECKBOX </w:instrText></w:r><w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>'
        '<w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r {ns}><w:instrText>'
        ' FORMCHECKBOX </w:instrText></w:r><w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>'),
    "Wingdings character": (
        '<w:r {ns}><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/></w:rPr><w:t>\u00fe</w:t></w:r>',
        '<w:r {ns}><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/></w:rPr><w:t>\u00a8</w:t></w:r>'),
}


# The chosen option emphasised instead of boxed: the run property that marks it.
EMPHASES = {"highlighted option": '<w:highlight w:val="yellow"/>', "bold option": "<w:b/>",
            "shaded option": '<w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/>'}
MARKINGS = (*ENCODINGS, *EMPHASES)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _fragment(xml: str) -> list[etree._Element]:
    wrapper = etree.fromstring(f"<w:body {_NS}>{xml.format(ns=_NS)}</w:body>")
    return list(wrapper)


def _split_marks(run: etree._Element, marking: str) -> None:
    """A run whose text holds the placeholders becomes runs and checkboxes in its place; or,
    for an emphasis, the chosen option's own emphasised run and no boxes at all."""
    text = run.findtext(_w("t")) or ""
    parent, at = run.getparent(), run.getparent().index(run)
    pieces: list[etree._Element] = []
    chunk, emphasis = "", None
    for ch in text:
        if ch not in PLACEHOLDERS:
            chunk += ch
            continue
        pieces += _text_run(run, chunk, emphasis)
        chunk, emphasis = "", EMPHASES.get(marking) if ch == CHECKED else None
        if marking in ENCODINGS:
            pieces += _fragment(ENCODINGS[marking][PLACEHOLDERS.index(ch)])
    pieces += _text_run(run, chunk, emphasis)
    parent.remove(run)
    for offset, piece in enumerate(pieces):
        parent.insert(at + offset, piece)


def _text_run(model: etree._Element, text: str, emphasis: str | None = None) -> list[etree._Element]:
    if not text:
        return []
    run = etree.Element(_w("r"))
    if (props := model.find(_w("rPr"))) is not None:
        run.append(etree.fromstring(etree.tostring(props)))
    if emphasis:
        props = run.find(_w("rPr"))
        if props is None:
            props = etree.SubElement(run, _w("rPr"))
        props.append(_fragment(emphasis)[0])
    t = etree.SubElement(run, _w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [run]


def _wrap(run: etree._Element, xml: str) -> None:
    """`run` moved inside the element `xml` makes (its last child receives it)."""
    outer = _fragment(xml)[0]
    inner = outer if len(outer) == 0 else list(outer.iter())[-1]
    run.addprevious(outer)
    inner.append(run)


def _features(root: etree._Element, marking: str, unit: str, date: str) -> None:
    for run in [r for r in root.iter(_w("r")) if set(r.findtext(_w("t")) or "") & set(PLACEHOLDERS)]:
        _split_marks(run, marking)
    for t in list(root.iter(_w("t"))):
        run = t.getparent()
        if unit and t.text == unit:
            _wrap(run, '<w:sdt {ns}><w:sdtPr><w:alias w:val="单位名称"/></w:sdtPr><w:sdtContent/></w:sdt>')
        elif date and t.text == date:
            _wrap(run, '<w:fldSimple {ns} w:instr=" DATE \\@ &quot;yyyy年M月d日&quot; "/>')
        elif t.text and len(t.text) > 120:  # a long answer: a soft line break in its middle
            middle = len(t.text) // 2
            rest = etree.SubElement(run, _w("t"))
            rest.text, t.text = t.text[middle:], t.text[:middle]
            t.addnext(etree.Element(_w("br")))


def word_features(docx: bytes, marking: str, unit: str, date: str) -> bytes:
    """`docx` with its placeholder checkboxes marked the `marking` way (ENCODINGS, EMPHASES)
    and Word's controls around values."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(source.read("word/document.xml"))
    _features(root, marking, unit, date)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue()
