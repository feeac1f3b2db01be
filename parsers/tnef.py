"""Outlook's winmail.dat (TNEF, application/ms-tnef) unwrapped into the files it carries.

A minimal reader of MS-OXTNEF written here rather than the tnefparse library: tnefparse decodes
attAttachTitle as UTF-8 (a GBK title raises), fails when attOemCodepage is missing, only logs bad
checksums, and raises half a dozen exception types on damaged input. We need four attributes
and one MAPI property list, with Chinese names and damage reported as a value.
"""
from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from typing import Iterator

SIGNATURE = 0x223E9F78
_MESSAGE, _ATTACHMENT = 1, 2
# Attribute ids (the low word of the TNEF attribute tag).
_REND_DATA, _TITLE, _DATA, _MAPI, _OEM_CODEPAGE = 0x9002, 0x8010, 0x800F, 0x9005, 0x9007
# MAPI property ids within attAttachment.
_LONG_FILENAME, _FILENAME, _DISPLAY_NAME, _DATA_BIN, _MIME_TAG = (
    0x3707, 0x3704, 0x3001, 0x3701, 0x370E)
# MAPI property types: fixed sizes as TNEF pads them (16-bit values take 4 bytes).
_FIXED = {0x0001: 0, 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x000A: 4, 0x000B: 4, 0x0005: 8,
          0x0006: 8, 0x0007: 8, 0x0014: 8, 0x0040: 8, 0x0048: 16}
_STRING8, _UNICODE, _OBJECT, _BINARY = 0x001E, 0x001F, 0x000D, 0x0102
# Chinese Windows writes code page 936 (GBK); GB18030 decodes it and what GBK lacks.
_CODEPAGES = {936: "gb18030", 20936: "gb18030", 54936: "gb18030", 65001: "utf-8", 950: "big5"}


@dataclass(frozen=True)
class TnefFile:
    """One file carried in a TNEF stream; `content_type` is empty when Outlook did not say."""

    name: str
    content_type: str
    data: bytes


def is_tnef(data: bytes) -> bool:
    """Whether the bytes start with the TNEF signature 0x223E9F78 (little-endian)."""
    return len(data) >= 6 and struct.unpack_from("<I", data)[0] == SIGNATURE


def unwrap(data: bytes) -> tuple[TnefFile, ...] | None:
    """The files in a TNEF stream, in order; None when it is not TNEF or is damaged.

    Damaged means a bad checksum, a length running past the end, or an unknown MAPI type: the
    caller then keeps winmail.dat itself so that a person sees it could not be opened.
    """
    if not is_tnef(data):
        return None
    try:
        records = list(_records(data))
        codepage = _codepage(records)
        return tuple(f for group in _groups(records) if (f := _file(group, codepage)))
    except (struct.error, ValueError):
        return None


def _records(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(level, attribute id, payload) for each attribute, checksums verified."""
    offset = 6
    while offset + 11 <= len(data):
        level, tag, length = struct.unpack_from("<BII", data, offset)
        start, end = offset + 9, offset + 9 + length
        payload = data[start:end]
        (checksum,) = struct.unpack_from("<H", data, end)
        if checksum != sum(payload) & 0xFFFF:
            raise ValueError("TNEF attribute checksum mismatch")
        yield level, tag & 0xFFFF, payload
        offset = end + 2
    if data[offset:].strip(b"\0"):
        raise ValueError("TNEF stream ends inside an attribute")


def _codepage(records: list[tuple[int, int, bytes]]) -> str:
    """The codec for 8-bit strings, from attOemCodepage; Windows-1252 when absent."""
    for level, attribute, payload in records:
        if level == _MESSAGE and attribute == _OEM_CODEPAGE and len(payload) >= 4:
            number = struct.unpack_from("<I", payload)[0]
            name = _CODEPAGES.get(number, f"cp{number}")
            try:
                return codecs.lookup(name).name
            except LookupError:
                break
    return "cp1252"


def _groups(records: list[tuple[int, int, bytes]]) -> list[list[tuple[int, bytes]]]:
    """Attachment-level attributes, one list per attachment: attAttachRendData opens each."""
    groups: list[list[tuple[int, bytes]]] = []
    for level, attribute, payload in records:
        if level != _ATTACHMENT:
            continue
        if attribute == _REND_DATA or not groups:
            groups.append([])
        groups[-1].append((attribute, payload))
    return groups


def _file(group: list[tuple[int, bytes]], codepage: str) -> TnefFile | None:
    """One attachment: the long file name first, then the 8.3 title; None without data."""
    attributes = dict(reversed(group))
    props = _mapi(attributes.get(_MAPI, b""), codepage)
    data = attributes.get(_DATA, props.get(_DATA_BIN))
    if not isinstance(data, bytes):
        return None  # An embedded Outlook item, not a file.
    title = _string8(attributes.get(_TITLE, b""), codepage)
    names = (props.get(_LONG_FILENAME), title, props.get(_FILENAME), props.get(_DISPLAY_NAME))
    name = next((n for n in names if isinstance(n, str) and n.strip()), "unnamed")
    mime = props.get(_MIME_TAG)
    return TnefFile(name.strip(), mime if isinstance(mime, str) else "", data)


def _string8(raw: bytes, codepage: str) -> str:
    return raw.split(b"\0", 1)[0].decode(codepage, "replace")


def _mapi(data: bytes, codepage: str) -> dict[int, object]:
    """Property id -> first value of an attAttachment property list (strings decoded)."""
    if not data:
        return {}
    (count,) = struct.unpack_from("<I", data)
    offset, props = 4, {}
    for _ in range(count):
        kind, prop = struct.unpack_from("<HH", data, offset)
        offset += 4
        if prop >= 0x8000:
            offset = _skip_name(data, offset)
        values, offset = _values(data, offset, kind, codepage)
        if values:
            props.setdefault(prop, values[0])
    return props


def _skip_name(data: bytes, offset: int) -> int:
    """Past a named property's GUID and its numeric id or UTF-16 name."""
    (kind,) = struct.unpack_from("<I", data, offset + 16)
    offset += 20
    if kind == 0:
        return offset + 4
    (length,) = struct.unpack_from("<I", data, offset)
    return offset + 4 + _padded(length)


def _values(data: bytes, offset: int, kind: int, codepage: str) -> tuple[list[object], int]:
    """The values of one property and the offset after them."""
    multi, kind = kind & 0x1000, kind & 0x0FFF
    if kind in _FIXED:
        count = struct.unpack_from("<I", data, offset)[0] if multi else 1
        start = offset + (4 if multi else 0)
        return [], start + count * _FIXED[kind]
    if kind not in (_STRING8, _UNICODE, _OBJECT, _BINARY):
        raise ValueError(f"unknown MAPI property type {kind:#06x}")
    (count,) = struct.unpack_from("<I", data, offset)
    offset, values = offset + 4, []
    for _ in range(count):
        (length,) = struct.unpack_from("<I", data, offset)
        raw = data[offset + 4:offset + 4 + length]
        if len(raw) != length:
            raise ValueError("MAPI value runs past the end")
        values.append(_value(raw, kind, codepage))
        offset += 4 + _padded(length)
    return values, offset


def _value(raw: bytes, kind: int, codepage: str) -> object:
    if kind == _UNICODE:
        return raw.decode("utf-16-le", "replace").split("\0", 1)[0]
    if kind == _STRING8:
        return _string8(raw, codepage)
    # An embedded object starts with its interface id; it is an Outlook item, not a file.
    return None if kind == _OBJECT else raw


def _padded(length: int) -> int:
    return length + (-length % 4)
