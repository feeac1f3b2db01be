"""Which files the review folder hands on as they are, and which wait for a person: pure.

Windows opens a file with the program its name's suffix names, so a name is a promise about
what double-clicking it does. A file is placed in a submission's folder only when its bytes are
a format on ALLOWED (Word, PDF, images, videos, archives as sent, by parsers/sniff.py) and it is
written under one of that format's suffixes. Everything else, an executable, a script, a
shortcut, unknown bytes, a macro-enabled Word file, a name claiming another kind of file, goes
to the folder's 待人工检查 subfolder with `.quarantine` added (nothing opens it by accident)
and the index says why.
"""
from __future__ import annotations

import io
import zipfile

from parsers import ole
from parsers.errors import UnreadableDocument
from parsers.sniff import ARCHIVE_FORMATS, IMAGE_FORMATS, VIDEO_FORMATS, sniff
from pipeline.exports.winnames import plausible_suffix

QUARANTINE_DIR, QUARANTINE_SUFFIX = "待人工检查", ".quarantine"

# Format (as sniffed) -> the suffixes it may be written with; the first is given when the
# name's own is not one of them. Not here, so never placed as they are: .docm (a docx with a
# VBA project), Excel and PowerPoint, HTML and text (scripts are text), executables, shortcuts.
ALLOWED: dict[str, tuple[str, ...]] = {
    "docx": (".docx",), "doc": (".doc", ".wps"), "rtf": (".rtf",),
    "pdf": (".pdf",),
    "jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"), "png": (".png",), "gif": (".gif",),
    "bmp": (".bmp",), "tiff": (".tif", ".tiff"), "heic": (".heic", ".heif"), "webp": (".webp",),
    "mp4": (".mp4", ".m4v"), "mov": (".mov",), "avi": (".avi",),
    "zip": (".zip",), "rar": (".rar",), "7z": (".7z",),
}
# A name may claim another format of the same family: a .doc that is a .docx or an RTF, a
# .jpg that is a PNG are common and harmless once the suffix follows the bytes. A name that
# claims another family (a .pdf that is a zip) or anything else (.exe) is a person's to judge.
_FAMILIES = (frozenset({"docx", "doc", "rtf"}), frozenset({"pdf"}), IMAGE_FORMATS,
             VIDEO_FORMATS, ARCHIVE_FORMATS)
_WORDS = {"unknown": "无法识别的内容（可能是可执行文件、快捷方式或损坏的文件）",
          "text": "纯文本（可能是脚本）", "html": "网页（HTML，可含脚本）",
          "wordml": "Word 2003 XML（可含宏）", "xlsx": "Excel 表格", "xls": "Excel 表格",
          "pptx": "PowerPoint 演示文稿", "ppt": "PowerPoint 演示文稿", "msg": "Outlook 邮件",
          "tnef": "winmail.dat", "encrypted_office": "加密的 Office 文件（无法检查其内容）",
          "ole2": "无法识别的 Office 文件", "wav": "音频"}
# Enough of [Content_Types].xml to find the main part's type; a bigger one is hostile anyway.
_CONTENT_TYPES_BYTES = 256 * 1024


def format_words(fmt: str) -> str:
    return _WORDS.get(fmt, fmt)


def claimed_suffix(name: str) -> str:
    """The suffix a (cleaned) name claims: ".exe"; "" for none, or for digits only (a date or
    a version: 报告2024.1), which claim no program."""
    suffix = plausible_suffix(name)
    return "" if suffix[1:].isdigit() else suffix


def export_suffix(name: str, fmt: str) -> str:
    """The suffix a file is written with: the name's own when the format may carry it, else
    the format's; a format not allowed keeps the name's own (the quarantine shows the claim)."""
    claimed = claimed_suffix(name)
    if fmt not in ALLOWED:
        return claimed
    return claimed if claimed in ALLOWED[fmt] else ALLOWED[fmt][0]


def _family(fmt: str) -> frozenset[str]:
    return next((f for f in _FAMILIES if fmt in f), frozenset({fmt}))


def name_reason(name: str, fmt: str) -> str:
    """Why a file of this (cleaned) name and recorded format waits for a person; "" when it
    may be placed."""
    if fmt not in ALLOWED:
        return f"内容为{format_words(fmt)}，不是可直接打开的文档、图片、视频或压缩包"
    claimed = claimed_suffix(name)
    if claimed and claimed not in {s for f in _family(fmt) for s in ALLOWED.get(f, ())}:
        return f"文件名后缀{claimed}与内容（{fmt}）不符"
    return ""


def content_reason(data: bytes, fmt: str) -> str:
    """Why these bytes wait for a person although their recorded format is allowed: they are
    not that format now, or they carry macros; "" when they may be placed."""
    sniffed = sniff(data)
    if sniffed != fmt:
        return f"文件内容（{format_words(sniffed)}）与读取时识别的格式（{fmt}）不符"
    macros = _ooxml_macros(data) if fmt == "docx" else _ole_macros(data) if fmt == "doc" else False
    if macros is None:
        return "无法检查此 Word 文档是否含宏"
    return "含宏（VBA）的 Word 文档，打开可能运行其中的代码" if macros else ""


def quarantine_path(name: str) -> str:
    """Where a file waiting for a person goes, relative to its submission's folder."""
    return f"{QUARANTINE_DIR}/{name}{QUARANTINE_SUFFIX}"


def _ooxml_macros(data: bytes) -> bool | None:
    """A .docm saved as .docx: a vbaProject part, or the macro-enabled main content type;
    None when the parts cannot be read to tell."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {n.replace("\\", "/").lower() for n in archive.namelist()}
            if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
                return True
            if "[content_types].xml" not in names:
                return False
            member = next(n for n in archive.namelist() if n.lower() == "[content_types].xml")
            with archive.open(member) as handle:
                return b"macroenabled" in handle.read(_CONTENT_TYPES_BYTES).lower()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None  # sniff() listed its parts, yet a part cannot be read: a person looks


def _ole_macros(data: bytes) -> bool:
    """A Word 97 file with a VBA project: the Macros storage Word writes it in."""
    try:
        compound = ole.read_compound(data)
    except UnreadableDocument:
        return False
    return compound.has("Macros") or compound.has("_VBA_PROJECT_CUR")
