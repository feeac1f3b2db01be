"""The visible text of WordprocessingML elements (runs, fields, content controls, symbol fonts)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "w14": W14, "mc": MC, "v": "urn:schemas-microsoft-com:vml",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


def w(tag: str) -> str:
    """The Clark name of a w: element or attribute: w("p") is {…/main}p."""
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

# Subtrees whose text is not the visible text of the element being read: deleted revisions,
# the fallback copy of alternate content, hidden properties, and nested tables (read apart).
_SKIP = {w("del"), w("moveFrom"), w("delText"), w("tbl"), f"{{{MC}}}Fallback",
         w("rPr"), w("pPr"), w("tcPr"), w("trPr"), w("tblPr"), w("sectPr"),
         w("sdtPr"), w("sdtEndPr")}
_IMAGES = {w("drawing"), w("pict"), w("object")}
_PICTURE = etree.XPath(".//a:blip | .//v:imagedata", namespaces=NS)
_FALSE = {"0", "false", "off", "none"}


def _text_boxes(drawing: etree._Element) -> list[etree._Element]:
    """The drawing's own text boxes; a box inside one of them is read with its parent."""
    boxes = []
    for box in drawing.iterdescendants(w("txbxContent")):
        outer = next((a for a in box.iterancestors() if a is drawing or a.tag == w("txbxContent")))
        if outer is drawing:
            boxes.append(box)
    return boxes


def flag(element: etree._Element | None) -> bool | None:
    """An on/off property such as <w:b/>: present without a value means on."""
    if element is None:
        return None
    return element.get(w("val"), "1").lower() not in _FALSE


def is_placeholder(sdt: etree._Element) -> bool:
    """A content control still showing its "click here to enter text" prompt."""
    return sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None


# Around a highlighted, shaded, bold or underlined run of a cell: an option marked that way
# (parsers/choices.py). Private-use characters that every text helper drops (parsers/text.py).
EMPHASIS = ("\ue100", "\ue101")


def visible_text(element: etree._Element, emphasis: bool = False) -> tuple[str, bool]:
    """The text a reader sees in `element` (a paragraph or cell), and whether it shows an image;
    with `emphasis`, emphasised runs are put between the EMPHASIS marks."""
    reader = _Reader(emphasis)
    reader.walk(element)
    return reader.text(), reader.image


# ---- reading --------------------------------------------------------------------------

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

    def __init__(self, emphasis: bool = False) -> None:
        self.emphasis = emphasis
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
                self.picture(child, font)
            else:
                self.walk(child, font)

    def picture(self, element: etree._Element, font: str) -> None:
        """A drawing: a picture (maybe a pasted seal), or a text box whose text is on the page."""
        boxes = _text_boxes(element)
        for box in boxes:
            self.walk(box, font)
        if not boxes or _PICTURE(element):
            self.image = True


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
        code = int(element.get(w("char"), ""), 16)
    except ValueError:
        return
    reader.emit(_symbol(element.get(w("font"), ""), code))


def _on_p(reader: _Reader, element: etree._Element, font: str) -> None:
    reader.walk(element, font)
    reader.parts.append("\n")


def _run_font(run: etree._Element) -> str:
    fonts = run.find("w:rPr/w:rFonts", NS)
    if fonts is None:
        return ""
    return fonts.get(w("ascii")) or fonts.get(w("hAnsi")) or ""


def _emphasised(run: etree._Element) -> bool:
    """Highlighted, shaded, bold or underlined by the run's own properties."""
    props = run.find("w:rPr", NS)
    if props is None:
        return False
    highlight, shading, underline = (props.find(f"w:{tag}", NS) for tag in ("highlight", "shd", "u"))
    fill = (shading.get(w("fill"), "") if shading is not None else "").lower()
    return bool(flag(props.find("w:b", NS))
                or (highlight is not None and highlight.get(w("val"), "none") != "none")
                or fill not in ("", "auto", "ffffff")
                or (underline is not None and underline.get(w("val"), "single") != "none"))


def _on_r(reader: _Reader, element: etree._Element, font: str) -> None:
    if flag(element.find("w:rPr/w:vanish", NS)):
        return  # hidden text is not on the page
    marked = reader.emphasis and _emphasised(element)
    if marked:
        reader.emit(EMPHASIS[0])
    reader.walk(element, _run_font(element) or font)
    if marked:
        reader.emit(EMPHASIS[1])


def _on_sdt(reader: _Reader, element: etree._Element, font: str) -> None:
    box = element.find("w:sdtPr/w14:checkbox", NS)
    if box is not None:
        # The control's own glyph (☐/☒ in some font) is in sdtContent: the state says it all.
        checked = box.find("w14:checked", NS)
        value = checked.get(f"{{{W14}}}val", "0") if checked is not None else "0"
        reader.emit(CHECKED if value.lower() in ("1", "true") else UNCHECKED)
        return
    content = element.find("w:sdtContent", NS)
    if content is not None and not is_placeholder(element):
        reader.walk(content, font)


def _form_checkbox(fld_char: etree._Element) -> str | None:
    """☑/□ for a legacy FORMCHECKBOX field (w:checked wins over w:default), else None."""
    box = fld_char.find("w:ffData/w:checkBox", NS)
    if box is None:
        return None
    state = flag(box.find("w:checked", NS))
    if state is None:
        state = bool(flag(box.find("w:default", NS)))
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
    kind = element.get(w("fldCharType"))
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
    w("t"): _on_t, w("instrText"): _on_instr, w("sym"): _on_sym, w("p"): _on_p,
    w("r"): _on_r, w("sdt"): _on_sdt, w("fldChar"): _on_fld_char,
    w("tab"): _emit(" "), w("ptab"): _emit(" "), w("br"): _emit("\n"), w("cr"): _emit("\n"),
    w("noBreakHyphen"): _emit("-"),
}
