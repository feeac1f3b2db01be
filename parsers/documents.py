"""Attachments to Documents: expand archives, read each file once, then give it a kind."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from parsers import archive, sniff
from parsers.form import form_score, map_form
from parsers.images import ImageInfo, read_image
from parsers.pdf import PdfContent, read_pdf
from parsers.text import squash
from parsers.types import Attachment, Document, WordContent
from parsers.word import read_word
from parsers.writeup import read_writeup
from pipeline.errors import UnreadableDocument
from rules.profile import Profile

MAX_DEPTH = 2
_LEGACY_WORD = {"ole2", "rtf", "wordml", "html"}
_PROOF_WORDS = ("营业执照", "检测报告", "知识产权", "专利", "使用报告", "获奖", "证书", "证明", "鉴定")
_FORM_WORDS = ("申报表", "推荐表", "信息表", "申请表")
_SCAN_WORDS = ("扫描", "盖章")
_WRITEUP_WORDS = ("案例报告", "编写模板", "编辑模板", "案例模板", "案例材料", "案例正文")


@dataclass(frozen=True)
class RawFile:
    name: str
    data: bytes
    container: str | None = None
    depth: int = 0


@dataclass(frozen=True)
class Inspected:
    """One file read once, before any campaign's labels are applied."""

    file: RawFile
    format: str
    sha256: str
    word: WordContent | None = None
    pdf: PdfContent | None = None
    image: ImageInfo | None = None
    error: str | None = None


def expand(attachments: Iterable[Attachment]) -> list[RawFile]:
    """Attachments plus the members of archives (the archive itself stays, as kind archive)."""
    files: list[RawFile] = []
    for attachment in attachments:
        files.extend(_expand(RawFile(attachment.name, attachment.data)))
    return files


def _expand(file: RawFile) -> list[RawFile]:
    if sniff.sniff(file.data) != "zip" or file.depth >= MAX_DEPTH:
        return [file]
    try:
        members = archive.expand_zip(file.data)
    except UnreadableDocument:
        return [file]  # inspect() reads it again and records why it failed
    result = [file]
    for member in members:
        result.extend(_expand(RawFile(member.name, member.data, file.name, file.depth + 1)))
    return result


def inspect(file: RawFile) -> Inspected:
    """Read the file by its magic bytes; a failure is recorded, never raised."""
    fmt = sniff.sniff(file.data)
    base = Inspected(file=file, format=fmt, sha256=hashlib.sha256(file.data).hexdigest())
    try:
        return _read(base, fmt)
    except UnreadableDocument as error:
        return replace(base, error=str(error))


def _read(base: Inspected, fmt: str) -> Inspected:
    data = base.file.data
    if fmt == "docx":
        return replace(base, word=read_word(data))
    if fmt == "pdf":
        return replace(base, pdf=read_pdf(data))
    if fmt in sniff.IMAGE_FORMATS:
        return replace(base, image=read_image(data))
    if fmt == "zip" and _wordish(base.file.name):
        raise UnreadableDocument("Word文件已损坏（不是有效的.docx），请重新保存后发送")
    if fmt == "zip":
        archive.expand_zip(data)  # raises for corrupt, encrypted and bomb archives
        return base
    if fmt in _LEGACY_WORD and _wordish(base.file.name):
        raise UnreadableDocument("旧版Word格式（.doc/.wps/RTF）暂不能自动读取，请另存为.docx后重新发送")
    if fmt in ("rar", "7z"):
        raise UnreadableDocument(f"暂不支持{fmt.upper()}压缩格式，请改用ZIP")
    if fmt == "unknown" and _wordish(base.file.name):
        raise UnreadableDocument("文件已损坏，无法作为Word文档打开")
    return base


def _wordish(name: str) -> bool:
    return bool(re.search(r"\.(docx?|wps|rtf)$", name, re.I))


def campaign_by_form(items: Sequence[Inspected], profiles: dict[str, Profile]) -> str | None:
    """The campaign whose form title appears in a Word attachment (the best label score wins)."""
    best: tuple[int, str] | None = None
    for item in items:
        if item.word is None:
            continue
        text = squash(item.word.all_text())
        for profile in profiles.values():
            if any(squash(title) in text for title in profile.form.titles):
                score = form_score(item.word, profile.form)
                best = max(best or (score, profile.id), (score, profile.id))
    return best[1] if best else None


def to_document(item: Inspected, profile: Profile | None) -> Document:
    """Give the file its kind (content first, file name second) and its campaign fields."""
    doc = Document(name=item.file.name, kind=_kind_by_name(item), format=item.format,
                   size=len(item.file.data), sha256=item.sha256, container=item.file.container,
                   error=item.error)
    if item.error:
        return doc
    if doc.kind == "archive":
        return doc
    if item.word is not None:
        return _word_document(doc, item.word, profile)
    if item.pdf is not None:
        return replace(doc, pages=item.pdf.pages)
    if item.image is not None:
        return replace(doc, width=item.image.width, height=item.image.height)
    return doc


def _word_document(doc: Document, word: WordContent, profile: Profile | None) -> Document:
    if profile is None:
        return doc
    text = squash(word.all_text())
    is_form = any(squash(t) in text for t in profile.form.titles) or (
        doc.kind == "form" and word.tables)
    if is_form and profile.form.fields:
        fields = map_form(word, profile.form)
        return replace(doc, kind="form", fields=fields, seal=fields.get("seal"))
    if profile.writeup and sum(squash(m) in text for m in profile.writeup.markers) >= 2:
        writeup = read_writeup(word, profile.writeup)
        return replace(doc, kind="writeup", title=writeup.title, subtitle=writeup.subtitle,
                       sections=writeup.sections)
    return doc


def _kind_by_name(item: Inspected) -> str:
    """The kind a file name suggests, for files whose content does not say."""
    name, fmt = squash(item.file.name), item.format
    if fmt in sniff.ARCHIVE_FORMATS and not _wordish(name):
        return "archive"
    if fmt in sniff.VIDEO_FORMATS or re.search(r"\.(mp4|mov|avi|wmv|mkv)$", name, re.I):
        return "video"
    if any(w in name for w in _SCAN_WORDS) and fmt in sniff.IMAGE_FORMATS | {"pdf"}:
        return "form_scan"
    if any(w in name for w in _PROOF_WORDS):
        return "proof"
    if any(w in name for w in _FORM_WORDS):
        return "form_scan" if fmt in sniff.IMAGE_FORMATS | {"pdf"} else "form"
    if any(w in name for w in _WRITEUP_WORDS) and fmt not in sniff.IMAGE_FORMATS:
        return "writeup"
    return "photo" if fmt in sniff.IMAGE_FORMATS else "other"


def read_documents(items: Sequence[Inspected], profile: Profile | None) -> tuple[Document, ...]:
    return tuple(to_document(item, profile) for item in items)
