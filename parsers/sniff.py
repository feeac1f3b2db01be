"""File type by magic bytes, never by extension."""
from __future__ import annotations

import io
import zipfile

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"{\\rtf", "rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"RIFF", "riff"),
)


def sniff(data: bytes) -> str:
    """A short format name: docx, xlsx, zip, pdf, jpeg, png, ole2, rtf, mp4, html, text, ..."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return _riff(data) if name == "riff" else name
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_flavour(data)
    if data[4:8] == b"ftyp":
        return "heic" if data[8:12] in (b"heic", b"heix", b"mif1") else "mp4"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html")) or b"<html" in head:
        return "html"
    if head.startswith(b"<?xml") and b"w:worddocument" in data[:4096].lower():
        return "wordml"
    return "text" if _looks_like_text(data[:2048]) else "unknown"


def _riff(data: bytes) -> str:
    return {b"AVI ": "avi", b"WEBP": "webp", b"WAVE": "wav"}.get(data[8:12], "unknown")


def _zip_flavour(data: bytes) -> str:
    """OOXML files are zips: tell a .docx from a plain archive by its parts."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    return bool(head) and b"\x00" not in head


IMAGE_FORMATS = frozenset({"jpeg", "png", "gif", "bmp", "tiff", "heic", "webp"})
VIDEO_FORMATS = frozenset({"mp4", "avi"})
ARCHIVE_FORMATS = frozenset({"zip", "rar", "7z"})
