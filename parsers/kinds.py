"""The document kind a file name suggests, for files whose content does not say."""
from __future__ import annotations

import re

from parsers import sniff
from parsers.text import squash

_PROOF_WORDS = ("营业执照", "检测报告", "知识产权", "专利", "使用报告", "获奖", "证书", "证明", "鉴定")
_FORM_WORDS = ("申报表", "推荐表", "信息表", "申请表")
_SCAN_WORDS = ("扫描", "盖章")
_WRITEUP_WORDS = ("案例报告", "编写模板", "编辑模板", "案例模板", "案例材料", "案例正文")
_PAGED = sniff.IMAGE_FORMATS | {"pdf"}


def wordish(name: str) -> bool:
    """A name a Word file would have (.doc, .docx, .wps, .rtf, .dot)."""
    return bool(re.search(r"\.(docx?|wps|rtf|dot)$", name, re.I))


def kind_by_name(name: str, fmt: str) -> str:
    """form, form_scan, writeup, proof, photo, video, archive or other, by name and format."""
    name = squash(name)
    if fmt in sniff.ARCHIVE_FORMATS and not wordish(name):
        return "archive"
    if fmt in sniff.VIDEO_FORMATS or re.search(r"\.(mp4|mov|avi|wmv|mkv)$", name, re.I):
        return "video"
    if any(w in name for w in _SCAN_WORDS) and fmt in _PAGED:
        return "form_scan"
    if any(w in name for w in _PROOF_WORDS):
        return "proof"
    if any(w in name for w in _FORM_WORDS):
        return "form_scan" if fmt in _PAGED else "form"
    if any(w in name for w in _WRITEUP_WORDS) and fmt not in sniff.IMAGE_FORMATS:
        return "writeup"
    return "photo" if fmt in sniff.IMAGE_FORMATS else "other"
