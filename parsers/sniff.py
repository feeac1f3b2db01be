"""File type by magic bytes, never by extension."""
from __future__ import annotations

import io
import struct
import zipfile

from parsers import ole
from parsers.errors import UnreadableDocument

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"Rar!\x1a\x07\x00", "rar"),  # RAR 1.5 to 4.x
    (b"Rar!\x1a\x07\x01\x00", "rar"),  # RAR 5
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x78\x9f\x3e\x22", "tnef"),  # winmail.dat: the signature 0x223E9F78, little-endian
)
# ISO media brands (ftyp at offset 4): HEIF stills from iPhones and Huawei phones, QuickTime.
_HEIC_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}
# QuickTime files older than the ftyp atom start straight with one of these atoms.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"pnot"}
# A .docx has a few dozen parts; far more central directory entries is an archive (or a
# hostile one) and is not worth parsing just to name its flavour.
_MAX_OOXML_PARTS = 5000


def sniff(data: bytes) -> str:
    """A short format name: docx, doc, xls, zip, rar, pdf, jpeg, heic, mov, rtf, html, text, ..."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data.startswith(_OLE2):
        return _ole_flavour(data)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_flavour(data)
    return _media(data) or _markup(data)


def _media(data: bytes) -> str | None:
    if data.startswith(b"RIFF"):
        return {b"AVI ": "avi", b"WEBP": "webp", b"WAVE": "wav"}.get(data[8:12], "unknown")
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "heic" if brand in _HEIC_BRANDS else "mov" if brand == b"qt  " else "mp4"
    if data[4:8] in _QUICKTIME_ATOMS and _atom_size_ok(data):
        return "mov"
    if _is_bmp(data):
        return "bmp"
    return None


def _markup(data: bytes) -> str:
    if b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]:
        # Some systems put a few bytes before the header and readers accept that; the end
        # marker keeps a text that merely mentions "%PDF-" a text.
        return "pdf"
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"<html", b"<!doctype html")) or b"<html" in head:
        return "html"
    if head.startswith(b"<?xml") and _word_xml(data[:4096].lower()):
        return "wordml"
    return "text" if _looks_like_text(data[:2048]) else "unknown"


def _word_xml(head: bytes) -> bool:
    """Word 2003 XML: the w:wordDocument root, or Word's processing instruction naming it."""
    return b"w:worddocument" in head or b'progid="word.document"' in head


def _atom_size_ok(data: bytes) -> bool:
    size = struct.unpack(">L", data[:4])[0]
    return size == 1 or size >= 8  # 1: a 64-bit size follows the atom type


def _is_bmp(data: bytes) -> bool:
    """"BM" alone starts too much text: the reserved words are zero and the DIB header is known."""
    if len(data) < 18 or not data.startswith(b"BM") or data[6:10] != b"\0\0\0\0":
        return False
    return struct.unpack("<L", data[14:18])[0] in {12, 40, 52, 56, 64, 108, 124}


def _ole_flavour(data: bytes) -> str:
    """Legacy Office, WPS and Outlook files share one container: its directory names the kind."""
    try:
        compound = ole.read_compound(data)
    except UnreadableDocument:
        return "ole2"
    if compound.encrypted_word or (compound.has("EncryptionInfo")
                                   and compound.has("EncryptedPackage")):
        return "encrypted_office"  # a password-protected .docx/.xlsx, or a .doc with one
    if any(name.startswith("__substg1.0_") for name in compound.names):
        return "msg"
    if compound.has("WordDocument"):
        return "doc"  # Kingsoft .wps files are this same Word binary format
    if compound.has("Workbook") or compound.has("Book"):
        return "xls"
    if compound.has("PowerPoint Document"):
        return "ppt"
    return "ole2"


def _zip_flavour(data: bytes) -> str:
    """OOXML files are zips: tell a .docx from a plain archive by its parts."""
    if data.count(b"PK\x01\x02") > _MAX_OOXML_PARTS:
        return "zip"
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
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
VIDEO_FORMATS = frozenset({"mp4", "mov", "avi"})
ARCHIVE_FORMATS = frozenset({"zip", "rar", "7z"})
# What LibreOffice must convert to .docx before a Word form in it can be read.
LEGACY_WORD = frozenset({"doc", "rtf", "wordml", "html"})
