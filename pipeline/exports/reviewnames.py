"""Names in the review folder, pure: `<受理编号>_<单位>_<案例名称>` folders and the clean file
names of a submission's documents (申报表, the notice's word for the write-up, 照片01, ...).

A name's suffix follows the document's format (pipeline/exports/screening.py), never the name
the applicant gave: a 照片.exe is not a photo because it is called one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from parsers.model import Document
from pipeline.exports.screening import claimed_suffix, export_suffix, name_reason
from pipeline.exports.winnames import clean_file_name, clean_name, share, shorten

# The order files are listed in, and each kind's clean name (the write-up's is the profile's).
KIND_ORDER = ("form", "form_scan", "writeup", "photo", "video", "proof", "other", "archive")
_STEMS = {"form": "申报表", "form_scan": "申报表盖章扫描件", "photo": "照片", "video": "视频",
          "proof": "证明材料", "other": "其他材料", "archive": "压缩包"}
_ALWAYS_NUMBERED = frozenset({"photo", "video", "proof", "other", "archive"})
# Kinds too broad for a number alone: 证明材料01_营业执照.pdf.
_KEEPS_ORIGINAL_STEM = frozenset({"proof", "other", "archive"})
# Path budget (characters): unit + case name in a folder name, a whole folder name, a file
# name. A folder of 100 and a file of 60 keep every path from DIR under 180 characters, and
# 60 CJK characters (3 bytes each) keep a name within ext4's 255 bytes.
NAME_PARTS, FOLDER_CHARS, FILE_CHARS = 60, 100, 60


@dataclass(frozen=True)
class NamedDocument:
    """A document and the name it gets; `original` names the legacy file kept beside the
    .docx it was converted to; `reason` says why the document's own file (the original, when
    converted) waits for a person instead (screening.name_reason), "" when it may be placed."""

    document: Document
    name: str
    original: str | None = None
    reason: str = ""


def folder_name(reference: str, unit: str, case_name: str) -> str:
    """`<受理编号>_<单位>_<案例名称>`, each part cleaned, unit and case name cut to fit."""
    unit, case_name = clean_name(unit, "未知单位"), clean_name(case_name, "未知案例")
    unit, case_name = share(unit, case_name, NAME_PARTS, NAME_PARTS // 3)
    return shorten(clean_name(f"{clean_name(reference)}_{unit}_{case_name}"), FOLDER_CHARS)


def base_name(name: str) -> str:
    """A file's own name, without the folders of the archive it came in."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def own_name(doc: Document) -> str:
    """The file's own name as it would show: no folders, no bidi or invisible characters."""
    return clean_name(base_name(doc.name), "")


def suffix_of(doc: Document) -> str:
    return export_suffix(own_name(doc), doc.format)


def _stem(doc: Document, word: str, number: int | None) -> str:
    stem = word if doc.kind == "writeup" else _STEMS.get(doc.kind, "其他材料")
    stem += f"{number:02d}" if number is not None else ""
    if doc.kind in _KEEPS_ORIGINAL_STEM:
        own = own_name(doc)
        own = own[:-len(claimed_suffix(own))] if claimed_suffix(own) else own
        stem += f"_{own}" if own.strip() else ""
    return stem


def document_names(documents: Sequence[Document], writeup_word: str) -> list[NamedDocument]:
    """Clean names in KIND_ORDER: 申报表, <write-up word>, 照片01..; a kind that comes more
    than once is numbered; an opened archive is left out (its files are documents too)."""
    kept = [d for d in documents if d.kind != "archive" or d.error]
    kept.sort(key=lambda d: KIND_ORDER.index(d.kind) if d.kind in KIND_ORDER else len(KIND_ORDER))
    counts = {k: sum(d.kind == k for d in kept) for k in {d.kind for d in kept}}
    seen: dict[str, int] = {}
    named = []
    for doc in kept:
        seen[doc.kind] = seen.get(doc.kind, 0) + 1
        numbered = doc.kind in _ALWAYS_NUMBERED or counts[doc.kind] > 1
        stem = _stem(doc, writeup_word, seen[doc.kind] if numbered else None)
        reason = name_reason(own_name(doc), doc.format)
        if doc.converted:
            named.append(NamedDocument(doc, clean_file_name(stem, ".docx", FILE_CHARS),
                                       clean_file_name(f"{stem}（原件）", suffix_of(doc), FILE_CHARS),
                                       reason))
        else:
            named.append(NamedDocument(doc, clean_file_name(stem, suffix_of(doc), FILE_CHARS),
                                       reason=reason))
    return named
