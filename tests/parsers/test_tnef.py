"""winmail.dat as Outlook writes it, built here by a small TNEF writer with real checksums."""
from __future__ import annotations

import struct

import pytest

from parsers.tnef import TnefFile, is_tnef, unwrap

SIGNATURE = 0x223E9F78
PT_LONG, PT_BOOLEAN, PT_STRING8, PT_UNICODE, PT_OBJECT = 0x0003, 0x000B, 0x001E, 0x001F, 0x000D
LONG_FILENAME, MIME_TAG, ATTACH_METHOD, DATA_OBJ = 0x3707, 0x370E, 0x3705, 0x3701


def attribute(level: int, tag: int, data: bytes) -> bytes:
    """One TNEF attribute: level, tag (type << 16 | id), length, data, 16-bit byte-sum checksum."""
    return struct.pack("<BII", level, tag, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def variable(kind: int, prop: int, value: bytes) -> bytes:
    """A string/binary MAPI property: one value, padded to four bytes."""
    return struct.pack("<HHII", kind, prop, 1, len(value)) + value + b"\0" * (-len(value) % 4)


def fixed(kind: int, prop: int, value: int) -> bytes:
    return struct.pack("<HHI", kind, prop, value)


def named_flag() -> bytes:
    """A named boolean property (GUID + UTF-16 name), which a reader must step over."""
    name = "Hidden\0".encode("utf-16-le")
    return (struct.pack("<HH", PT_BOOLEAN, 0x8001) + bytes(range(16))
            + struct.pack("<II", 1, len(name)) + name + b"\0" * (-len(name) % 4) + struct.pack("<I", 0))


def props(*encoded: bytes) -> bytes:
    return struct.pack("<I", len(encoded)) + b"".join(encoded)


def unicode_name(name: str) -> bytes:
    return variable(PT_UNICODE, LONG_FILENAME, (name + "\0").encode("utf-16-le"))


def string8_name(name: str, codec: str = "gbk") -> bytes:
    return variable(PT_STRING8, LONG_FILENAME, name.encode(codec) + b"\0")


def tnef_file(title: bytes, data: bytes | None, mapi: bytes = b"") -> bytes:
    """One attachment's attributes: attAttachRendData opens it, then title, data, MAPI props."""
    out = attribute(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
    out += attribute(2, 0x00018010, title + b"\0")
    if data is not None:
        out += attribute(2, 0x0006800F, data)
    return out + (attribute(2, 0x00069005, mapi) if mapi else b"")


def tnef(*files: bytes, codepage: int | None = 936) -> bytes:
    """A whole winmail.dat: signature, key, version, code page, message class, attachments."""
    out = struct.pack("<IH", SIGNATURE, 0x1A2B)
    out += attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
    if codepage is not None:
        out += attribute(1, 0x00069007, struct.pack("<II", codepage, 0))
    out += attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")
    return out + b"".join(files)


DOCX = b"PK\x03\x04 a docx, as far as this test cares"
WINMAIL = tnef(
    tnef_file("SBB~1.DOC".encode(), DOCX, props(
        fixed(PT_LONG, ATTACH_METHOD, 1), named_flag(), unicode_name("【示例公司】申报表.docx"),
        variable(PT_STRING8, MIME_TAG, b"application/vnd.openxmlformats-officedocument."
                                       b"wordprocessingml.document\0"))),
    tnef_file(b"PHOTO~1.JPG", b"\xff\xd8\xff\xe0 jpeg", props(string8_name("现场照片（一）.jpg"))),
)


def test_every_file_with_its_chinese_long_name():
    assert unwrap(WINMAIL) == (
        TnefFile("【示例公司】申报表.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX),
        TnefFile("现场照片（一）.jpg", "", b"\xff\xd8\xff\xe0 jpeg"),
    )


def test_a_gbk_title_without_mapi_properties():
    """GIVEN only attAttachTitle in code page 936 WHEN unwrapped THEN the title is the name."""
    data = tnef(tnef_file("申报书.doc".encode("gbk"), b"\xd0\xcf\x11\xe0 doc"))
    assert unwrap(data) == (TnefFile("申报书.doc", "", b"\xd0\xcf\x11\xe0 doc"),)


def test_without_a_code_page_8bit_names_are_windows_1252():
    data = tnef(tnef_file("Résumé.pdf".encode("cp1252"), b"%PDF-1.4"), codepage=None)
    assert unwrap(data)[0].name == "Résumé.pdf"


def test_embedded_outlook_items_are_not_files():
    embedded = props(variable(PT_OBJECT, DATA_OBJ, bytes(16) + b"\x78\x9f\x3e\x22"))
    assert unwrap(tnef(tnef_file(b"Item", None, embedded))) == ()


def test_a_body_only_winmail_has_no_files():
    assert unwrap(tnef()) == ()


def broken_checksum(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def unknown_property_type(data: bytes) -> bytes:
    return tnef(tnef_file(b"A.DOC", b"x", props(struct.pack("<HHI", 0x0999, 0x3001, 0))))


@pytest.mark.parametrize("damage", [
    broken_checksum,
    lambda data: data[:-40],
    lambda data: data[:len(data) // 2] + b"\xff" * 20,
    unknown_property_type,
])
def test_damaged_tnef_is_reported_as_none(damage):
    assert unwrap(damage(WINMAIL)) is None


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04", b"\x78\x9f\x3e"])
def test_bytes_that_are_not_tnef(data):
    assert not is_tnef(data)
    assert unwrap(data) is None
