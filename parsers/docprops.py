"""Where Word 97-2003 (.doc) paragraphs sit in tables, from their properties (MS-DOC 2.6).

PlcBtePapx lists the FKP pages; each page gives a run of paragraphs their sprms: in a table
or not, how deeply nested, whether the paragraph's mark ends a row, and a row's cell edges
and merge flags. Character properties are not read.
"""
from __future__ import annotations

import struct
from bisect import bisect_right
from dataclasses import dataclass

from parsers.docfile import DAMAGED, Doc
from parsers.errors import UnreadableDocument

_FKP = 512
# Paragraph sprms (MS-DOC 2.6.2, 2.6.3) that place a paragraph in a table.
_IN_TABLE, _TTP, _ITAP = 0x2416, 0x2417, 0x6649
_INNER_CELL, _INNER_TTP, _HUGE_PAPX = 0x244B, 0x244C, 0x6646
_DEF_TABLE, _VERT_MERGE, _CHG_TABS = 0xD608, 0xD62B, 0xC615
# TC80 flags: fMerged (Word 97's merge across), fVertMerge, fVertRestart.
MERGED, VERT_MERGED, VERT_RESTART = 0x0002, 0x0020, 0x0040
# Operand sizes by the sprm's spra bits; 6 is variable, sized by the operand itself.
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}

# Word nests tables at most 63 deep; a larger itap is a crafted file.
_MAX_NESTING = 64


@dataclass(frozen=True)
class Para:
    """What a paragraph's properties say of its place in a table."""

    depth: int = 0
    # The mark ends a row (fTtp; fInnerTtp in a nested table) / a nested table's cell.
    row_end: bool = False
    cell_end: bool = False
    # A row end's cell boundaries (twips, sprmTDefTable) and each cell's TC80 merge flags.
    edges: tuple[int, ...] = ()
    merges: tuple[int, ...] = ()


BODY = Para()


def _operand_size(sprm: int, grpprl: bytes, at: int) -> int | None:
    spra = sprm >> 13
    if spra != 6:
        return _OPERAND[spra]
    if at >= len(grpprl):
        return None
    if sprm == _DEF_TABLE:  # a 2-byte count of the bytes after it, plus one
        return int.from_bytes(grpprl[at:at + 2], "little") + 1 if at + 2 <= len(grpprl) else None
    if sprm == _CHG_TABS and grpprl[at] == 255:  # tabs deleted (4 bytes each), then added (3)
        deleted = grpprl[at + 1] if at + 1 < len(grpprl) else 0
        added_at = at + 2 + 4 * deleted
        added = grpprl[added_at] if added_at < len(grpprl) else 0
        return 3 + 4 * deleted + 3 * added
    return 1 + grpprl[at]


def _sprms(grpprl: bytes) -> list[tuple[int, bytes]]:
    """(sprm, operand) pairs; a list cut short ends at the last whole one."""
    found, at = [], 0
    while at + 2 <= len(grpprl):
        sprm = int.from_bytes(grpprl[at:at + 2], "little")
        size = _operand_size(sprm, grpprl, at + 2)
        if size is None or at + 2 + size > len(grpprl):
            break
        found.append((sprm, grpprl[at + 2:at + 2 + size]))
        at += 2 + size
    return found


def _expanded(grpprl: bytes, data: bytes) -> list[tuple[int, bytes]]:
    """The sprms, with those a long PAPX keeps in the Data stream (sprmPHugePapx) in its place."""
    out: list[tuple[int, bytes]] = []
    for sprm, operand in _sprms(grpprl):
        if sprm == _HUGE_PAPX and len(operand) == 4:
            at = int.from_bytes(operand, "little")
            size = int.from_bytes(data[at:at + 2], "little")
            out.extend(_sprms(data[at + 2:at + 2 + size]))
        else:
            out.append((sprm, operand))
    return out


def _def_table(operand: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A row's cell edges and each cell's TC80 flags (tcgrf, the first word of 20 bytes)."""
    if len(operand) < 3:
        return (), ()
    count = operand[2]
    tcs_at = 3 + 2 * (count + 1)
    if len(operand) < tcs_at:
        return (), ()
    edges = struct.unpack_from(f"<{count + 1}h", operand, 3)
    tcs = min(count, (len(operand) - tcs_at) // 20)
    return edges, tuple(struct.unpack_from("<H", operand, tcs_at + 20 * i)[0] for i in range(tcs))


def _vert_merged(merges: tuple[int, ...], operand: bytes) -> tuple[int, ...]:
    """sprmTVertMerge (Word 2000 on): cell itc is merged with the one above (1) or starts (3)."""
    if len(operand) < 3:
        return merges
    itc, kind = operand[1], operand[2]
    flags = list(merges) + [0] * (itc + 1 - len(merges))
    flags[itc] = (flags[itc] & ~(VERT_MERGED | VERT_RESTART)) | {
        1: VERT_MERGED, 3: VERT_MERGED | VERT_RESTART}.get(kind, 0)
    return tuple(flags)


def _para(sprms: list[tuple[int, bytes]]) -> Para:
    seen = {sprm: operand for sprm, operand in sprms}
    edges, merges = _def_table(seen.get(_DEF_TABLE, b""))
    for sprm, operand in sprms:
        if sprm == _VERT_MERGE:
            merges = _vert_merged(merges, operand)
    on = {s: bool(seen[s][0]) for s in (_IN_TABLE, _TTP, _INNER_CELL, _INNER_TTP) if s in seen}
    # Word 97 writes no itap: it has no nested tables, and "in a table" is depth 1.
    itap = int.from_bytes(seen.get(_ITAP, b""), "little", signed=True)
    depth = max(0, min(itap, _MAX_NESTING), int(on.get(_IN_TABLE, False)))
    return Para(depth=depth,
                row_end=on.get(_TTP if depth <= 1 else _INNER_TTP, False),
                cell_end=depth > 1 and on.get(_INNER_CELL, False),
                edges=edges, merges=merges)


def _papx(page: bytes, offset: int, data: bytes) -> Para:
    """The PapxInFkp at `offset` of an FKP page (0: the paragraph has no properties of its own)."""
    if offset == 0:
        return BODY
    size = page[offset]
    start, length = (offset + 2, 2 * page[offset + 1]) if size == 0 else (offset + 1, 2 * size - 1)
    grpprl = page[start:min(start + length, _FKP - 1)]
    return _para(_expanded(grpprl[2:], data))  # after the 2-byte style index


def _fkp(doc: Doc, pn: int) -> list[tuple[int, int, Para]]:
    """(first byte, end byte, properties) of each paragraph run in one FKP page."""
    page = doc.word[pn * _FKP:(pn + 1) * _FKP]
    if len(page) < _FKP:
        raise UnreadableDocument(f"{DAMAGED}：段落格式页超出文件末尾")
    runs = page[_FKP - 1]
    if 4 * (runs + 1) + 13 * runs > _FKP - 1:
        raise UnreadableDocument(f"{DAMAGED}：段落格式页已损坏")
    fcs = struct.unpack_from(f"<{runs + 1}I", page)
    read: dict[int, Para] = {}
    out = []
    for k in range(runs):
        offset = 2 * page[4 * (runs + 1) + 13 * k]
        if offset not in read:
            read[offset] = _papx(page, offset, doc.data)
        out.append((fcs[k], fcs[k + 1], read[offset]))
    return out


@dataclass(frozen=True)
class Props:
    """Paragraph runs by the stream offset of their first byte, for bisection."""

    starts: tuple[int, ...]
    runs: tuple[tuple[int, int, Para], ...]

    def at(self, fc: int) -> Para:
        i = bisect_right(self.starts, fc) - 1
        return self.runs[i][2] if i >= 0 and fc < self.runs[i][1] else BODY


def paragraph_props(doc: Doc) -> Props:
    fc, lcb = doc.fib.bte_papx
    plc = doc.table[fc:fc + lcb]
    if lcb < 12 or len(plc) < lcb or (lcb - 4) % 8:
        return Props((), ())  # no paragraph properties: `_placed` reads the text alone
    count = (lcb - 4) // 8
    numbers = struct.unpack_from(f"<{count}I", plc, 4 * (count + 1))
    pages = dict.fromkeys(pn & 0x3FFFFF for pn in numbers)
    runs = sorted((run for pn in pages for run in _fkp(doc, pn)), key=lambda run: run[0])
    return Props(tuple(r[0] for r in runs), tuple(runs))
