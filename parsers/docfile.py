"""Word 97-2003 (.doc) files as stored (MS-DOC): the File Information Block, the piece table
and the main document's text.

The WordDocument stream holds the text in pieces listed by the CLX of the 0Table/1Table
stream; each piece is cp1252 (one byte a character) or UTF-16LE. The text ends each paragraph
with \\r and each table cell or row with \\x07. What the paragraphs' properties say of
tables is read by parsers/docprops.py, the tables themselves by parsers/doctext.py.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from itertools import pairwise

from parsers.errors import UnreadableDocument
from parsers.ole import read_streams

# FibBase (MS-DOC 2.5.2): "Word binary file", Word 97 or later, which table stream, a password.
_WORD_IDENT, _WORD97 = 0xA5EC, 0x00C1
_WHICH_TABLE, _ENCRYPTED = 0x0200, 0x0100
_FIB_BASE = 32
# Indexes into FibRgLw97 (ccpText) and into FibRgFcLcb97's (fc, lcb) pairs.
_CCP_TEXT, _BTE_PAPX, _CLX = 3, 13, 33
_COMPRESSED = 0x40000000
# Compressed pieces are cp1252, except that its five holes stand for themselves.
_CP1252 = str.maketrans({chr(b): bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                         if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)})

DAMAGED = "Word 97-2003文件（.doc）已损坏"


@dataclass(frozen=True)
class Fib:
    """Where the File Information Block says the main text and its properties are."""

    table: str
    ccp_text: int
    clx: tuple[int, int]
    bte_papx: tuple[int, int]


@dataclass(frozen=True)
class Piece:
    """Characters [cp, end) of the text, stored from byte `fc` of the WordDocument stream:
    one cp1252 byte each when compressed, else UTF-16LE."""

    cp: int
    end: int
    fc: int
    compressed: bool

    @property
    def width(self) -> int:
        return 1 if self.compressed else 2

    def fc_of(self, cp: int) -> int:
        return self.fc + (cp - self.cp) * self.width


@dataclass(frozen=True)
class Doc:
    word: bytes
    table: bytes
    data: bytes
    fib: Fib
    pieces: tuple[Piece, ...]
    text: str


def _ints(fmt: str, data: bytes, at: int, what: str) -> tuple[int, ...]:
    """struct.unpack_from, a short buffer told as a damaged `what`."""
    if at < 0 or at + struct.calcsize(fmt) > len(data):
        raise UnreadableDocument(f"{DAMAGED}：{what}不完整")
    return struct.unpack_from(fmt, data, at)


def _fib(word: bytes) -> Fib:
    ident, nfib = _ints("<HH", word, 0, "文件头")
    if ident != _WORD_IDENT:
        raise UnreadableDocument(f"{DAMAGED}：不是Word文件头")
    if nfib < _WORD97:
        raise UnreadableDocument("Word 6.0/95格式的.doc无法直接读取，请另存为.docx后发送")
    (flags,) = _ints("<H", word, 10, "文件头")
    if flags & _ENCRYPTED:
        raise UnreadableDocument("文件已加密（设置了打开密码），请取消密码后重新发送")
    # FibBase, then three arrays each led by its count: csw words, cslw longs, fc/lcb pairs.
    (csw,) = _ints("<H", word, _FIB_BASE, "文件头")
    at = _FIB_BASE + 2 + 2 * csw
    (cslw,) = _ints("<H", word, at, "文件头")
    longs = _ints(f"<{cslw}i", word, at + 2, "文件头")
    at += 2 + 4 * cslw
    (pairs,) = _ints("<H", word, at, "文件头")
    fclcb = _ints(f"<{2 * pairs}I", word, at + 2, "文件头")
    if cslw <= _CCP_TEXT or pairs <= _CLX or longs[_CCP_TEXT] < 0:
        raise UnreadableDocument(f"{DAMAGED}：文件头不完整")
    return Fib(table="1Table" if flags & _WHICH_TABLE else "0Table",
               ccp_text=longs[_CCP_TEXT],
               clx=(fclcb[2 * _CLX], fclcb[2 * _CLX + 1]),
               bte_papx=(fclcb[2 * _BTE_PAPX], fclcb[2 * _BTE_PAPX + 1]))


def _pieces(clx: bytes) -> tuple[Piece, ...]:
    """The piece table (Pcdt) of a CLX, after the Prc property lists it may open with."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:
        (size,) = _ints("<h", clx, at + 1, "文本索引")
        if size < 0:
            raise UnreadableDocument(f"{DAMAGED}：文本索引不完整")
        at += 3 + size
    if at >= len(clx) or clx[at] != 0x02:
        raise UnreadableDocument(f"{DAMAGED}：找不到文本索引（piece table）")
    (size,) = _ints("<I", clx, at + 1, "文本索引")
    plc = clx[at + 5:at + 5 + size]
    if len(plc) < size or size < 16 or (size - 4) % 12:
        raise UnreadableDocument(f"{DAMAGED}：文本索引不完整")
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc)
    if cps[0] != 0 or any(b < a for a, b in pairwise(cps)):
        raise UnreadableDocument(f"{DAMAGED}：文本索引次序错乱")
    return tuple(_piece(cps[i], cps[i + 1], plc, 4 * (count + 1) + 8 * i) for i in range(count))


def _piece(cp: int, end: int, plc: bytes, at: int) -> Piece:
    (fc,) = struct.unpack_from("<I", plc, at + 2)  # a PCD: 2 bytes of flags, fc, prm
    compressed = bool(fc & _COMPRESSED)
    fc &= 0x3FFFFFFF
    return Piece(cp, end, fc // 2 if compressed else fc, compressed)


def _decode(raw: bytes, compressed: bool) -> str:
    if compressed:
        return raw.decode("latin-1").translate(_CP1252)
    return raw.decode("utf-16-le", "replace")


def _text(word: bytes, pieces: tuple[Piece, ...], ccp_text: int) -> str:
    """The first `ccp_text` characters: the main document (notes and headers follow it)."""
    parts: list[str] = []
    for piece in pieces:
        if piece.cp >= ccp_text:
            break
        size = (min(piece.end, ccp_text) - piece.cp) * piece.width
        raw = word[piece.fc:piece.fc + size]
        if len(raw) < size:
            raise UnreadableDocument(f"{DAMAGED}：正文超出文件末尾")
        parts.append(_decode(raw, piece.compressed))
    text = "".join(parts)
    if len(text) < ccp_text:
        raise UnreadableDocument(f"{DAMAGED}：正文不完整")
    return text


def open_doc(data: bytes) -> Doc:
    streams = read_streams(data, ("WordDocument", "0Table", "1Table", "Data"))
    if "WordDocument" not in streams:
        raise UnreadableDocument(f"{DAMAGED}：没有WordDocument数据流")
    word = streams["WordDocument"]
    fib = _fib(word)
    if fib.table not in streams:
        raise UnreadableDocument(f"{DAMAGED}：没有{fib.table}数据流")
    table = streams[fib.table]
    fc, lcb = fib.clx
    if fc + lcb > len(table):
        raise UnreadableDocument(f"{DAMAGED}：文本索引超出文件末尾")
    pieces = _pieces(table[fc:fc + lcb])
    return Doc(word, table, streams.get("Data", b""), fib, pieces,
               _text(word, pieces, fib.ccp_text))


def main_text(data: bytes) -> str:
    """The main document's text as stored: \\r ends a paragraph, \\x07 a cell or a row, fields
    are \\x13 code \\x14 result \\x15. UnreadableDocument for what is not a readable .doc."""
    return open_doc(data).text
