"""OLE2 compound files: the root directory, and Word's "encrypted" flag."""
from __future__ import annotations

import io

import docx
import pytest

from parsers.errors import UnreadableDocument
from parsers.ole import read_compound
from tests.support.cfb import compound_file
from tests.support.office import office_convert

FIB = b"\xec\xa5\xc1\x00" + b"\0" * 6  # wIdent 0xA5EC, nFib 0xC1 (Word 97), then the flags


def test_root_names_small_and_large_streams():
    data = compound_file({"WordDocument": FIB + b"\0\0" + b"x" * 5000, "1Table": b"t" * 100})
    compound = read_compound(data)
    assert compound.names == {"WordDocument", "1Table"}
    assert compound.has("worddocument") and not compound.has("Workbook")
    assert compound.encrypted_word is False


@pytest.mark.parametrize("flags, expected", [
    (b"\x00\x01", True),   # fEncrypted
    (b"\x00\x81", True),   # fEncrypted with fObfuscated: XOR "encryption", a password too
    (b"\x00\x02", False),  # fWhichTblStm only
])
def test_a_word_file_with_a_password_to_open(flags, expected):
    data = compound_file({"WordDocument": FIB + flags + b"\0" * 500})
    assert read_compound(data).encrypted_word is expected


def test_the_encrypted_flag_only_counts_in_a_word_fib():
    data = compound_file({"WordDocument": b"\0" * 10 + b"\x00\x01" + b"\0" * 500})
    assert read_compound(data).encrypted_word is False


@pytest.mark.parametrize("data", [
    b"not an ole file at all" * 100,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600,
    compound_file({"WordDocument": FIB + b"\0" * 600})[:700],
], ids=["not-ole", "damaged-header", "truncated"])
def test_what_is_not_a_readable_compound_file(data):
    with pytest.raises(UnreadableDocument):
        read_compound(data)


def test_short_bytes_are_never_taken_for_a_file_name():
    """olefile reads a file from disk when given bytes shorter than 1536: never here."""
    with pytest.raises(UnreadableDocument):
        read_compound(b"/etc/passwd")


def test_a_doc_written_by_libreoffice():
    document = docx.Document()
    document.add_paragraph("案例申报表")
    out = io.BytesIO()
    document.save(out)
    compound = read_compound(office_convert(out.getvalue(), ".docx", "doc"))
    assert compound.has("WordDocument") and compound.encrypted_word is False
