"""Type by magic bytes, never by extension."""
from __future__ import annotations

import io
import zipfile

import pytest

from parsers.sniff import sniff


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, b"x")
    return buffer.getvalue()


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n", "pdf"), (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"), (b"{\\rtf1\\ansi", "rtf"),
    (b"\x00\x00\x00\x18ftypmp42", "mp4"), (b"Rar!\x1a\x07\x00", "rar"),
    (b"<html><body>x</body></html>", "html"), (_zip("word/document.xml"), "docx"),
    (_zip("photo.jpg"), "zip"), (b"\x00\x01\x02\x03", "unknown"),
])
def test_magic(data, expected):
    assert sniff(data) == expected
