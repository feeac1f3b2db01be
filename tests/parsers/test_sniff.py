"""Type by magic bytes, never by extension."""
from __future__ import annotations

import io
import struct
import zipfile

import docx
import pytest
from PIL import Image

from parsers.sniff import ARCHIVE_FORMATS, IMAGE_FORMATS, LEGACY_WORD, VIDEO_FORMATS, sniff
from tests.parsers.test_archive import rar4, rar5, seven_zip
from tests.support.cfb import compound_file
from tests.support.office import office_convert


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, b"x")
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format=fmt)
    return out.getvalue()


def _ftyp(brand: bytes) -> bytes:
    return struct.pack(">L", 24) + b"ftyp" + brand + b"\0\0\0\0" + b"isom" * 2


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n", "pdf"), (b"\r\n\r\n%PDF-1.4\n%%EOF\n", "pdf"),  # stray bytes first
    (b"a note on the %PDF-1.4 header\n", "text"),
    (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
    (_image("BMP"), "bmp"), (_image("WEBP"), "webp"), (_image("TIFF"), "tiff"),
    (b"BMW X5 and other text", "text"),  # "BM" alone is not a bitmap
    (_ftyp(b"heic"), "heic"), (_ftyp(b"heix"), "heic"), (_ftyp(b"mif1"), "heic"),
    (_ftyp(b"msf1"), "heic"), (_ftyp(b"hevc"), "heic"),
    (_ftyp(b"mp42"), "mp4"), (_ftyp(b"isom"), "mp4"), (_ftyp(b"qt  "), "mov"),
    (struct.pack(">L", 8) + b"wide" + struct.pack(">L", 16) + b"mdat", "mov"),  # pre-ftyp MOV
    (b"RIFF\0\0\0\0AVI LIST", "avi"), (b"RIFF\0\0\0\0WAVEfmt ", "wav"),
    (b"Rar!\x1a\x07\x00", "rar"), (b"Rar!\x1a\x07\x01\x00", "rar"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
    (struct.pack("<L", 0x223E9F78) + b"\x01\x00", "tnef"),
    (b"{\\rtf1\\ansi", "rtf"), (b"\xef\xbb\xbf{\\rtf1", "rtf"),
    (b"<html><body>x</body></html>", "html"), (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
    (b'<?xml version="1.0"?><w:wordDocument xmlns:w="x">', "wordml"),
    (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><a/>', "wordml"),
    (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><a/>', "text"),
    (_zip("word/document.xml"), "docx"), (_zip("xl/workbook.xml"), "xlsx"),
    (_zip("ppt/presentation.xml"), "pptx"), (_zip("photo.jpg"), "zip"),
    ("申报材料说明".encode("gbk"), "text"), (b"\x00\x01\x02\x03", "unknown"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_magic(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize("streams, expected", [
    ({"WordDocument": b"\xec\xa5" + b"\0" * 600, "1Table": b"\0" * 100}, "doc"),
    ({"Workbook": b"\x09\x08" + b"\0" * 100}, "xls"),
    ({"Book": b"\x09\x08" + b"\0" * 100}, "xls"),  # Excel 5/95
    ({"PowerPoint Document": b"\0" * 100, "Current User": b"\0" * 20}, "ppt"),
    ({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 60, "EncryptedPackage": b"\0" * 4096},
     "encrypted_office"),  # a .docx or .xlsx with a password to open
    ({"WordDocument": b"\xec\xa5" + b"\0" * 8 + b"\x00\x01" + b"\0" * 600}, "encrypted_office"),
    ({"__substg1.0_0037001F": "申报材料".encode("utf-16-le"),
      "__properties_version1.0": b"\0" * 32}, "msg"),
    ({"Equation Native": b"\0" * 64}, "ole2"),
], ids=["doc", "xls", "xls-biff5", "ppt", "encrypted-docx", "encrypted-doc", "msg", "other"])
def test_ole2_flavours_by_directory(streams, expected):
    assert sniff(compound_file(streams)) == expected


def test_damaged_ole2_is_still_ole2():
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600) == "ole2"


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("绿色投资环境创新案例申报表")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("target, expected", [
    ("doc", "doc"), ("rtf", "rtf"), ("xml:MS Word 2003 XML", "wordml"),
    ("html:HTML (StarWriter)", "html"),
])
def test_what_libreoffice_writes(target, expected):
    """A real .doc (the format Kingsoft .wps files share), RTF, Word 2003 XML and HTML."""
    converted = office_convert(_docx(), ".docx", target)
    assert sniff(converted) == expected
    assert expected in LEGACY_WORD


def test_archives_written_by_their_tools_sniff_as_archives():
    for data, expected in ((rar4({"a.txt": b"x"}), "rar"), (rar5({"a.txt": b"x"}), "rar"),
                           (seven_zip({"a.txt": b"x"}), "7z")):
        assert sniff(data) == expected


def test_a_zip_with_too_many_entries_is_not_parsed_for_its_flavour():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", b"x")
        for i in range(5001):
            archive.writestr(f"{i}", b"")
    assert sniff(buffer.getvalue()) == "zip"


def test_the_format_sets():
    assert {"mp4", "mov", "avi"} == VIDEO_FORMATS
    assert {"zip", "rar", "7z"} == ARCHIVE_FORMATS
    assert {"heic", "webp", "bmp"} <= IMAGE_FORMATS
    assert LEGACY_WORD == {"doc", "rtf", "wordml", "html"}
