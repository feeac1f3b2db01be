"""Inspected files to Documents: the kind (content first, file name second) and the campaign's fields."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from parsers.form import form_score, read_form
from parsers.kinds import kind_by_name
from parsers.model import Document, WordContent
from parsers.pdf import PdfContent
from parsers.reading import Inspected
from parsers.text import squash
from parsers.writeup import read_writeup
from rules.profile import Profile


def readable_word(item: Inspected) -> WordContent | None:
    """The Word view of a file: a .docx, a converted legacy file, or a PDF with a text layer."""
    if item.content.word is not None:
        return item.content.word
    if item.content.pdf is not None and not item.content.pdf.is_scan:
        return item.content.pdf.as_word()
    return None


def campaign_by_form(items: Sequence[Inspected], profiles: dict[str, Profile]) -> str | None:
    """The campaign whose form title appears in a Word or PDF attachment (best label score wins)."""
    best: tuple[int, str] | None = None
    for item in items:
        word = readable_word(item)
        if word is None:
            continue
        text = squash(word.all_text())
        for profile in profiles.values():
            if any(squash(title) in text for title in profile.form.titles):
                score = form_score(word, profile.form)
                best = max(best or (score, profile.id), (score, profile.id))
    return best[1] if best else None


def to_document(item: Inspected, profile: Profile | None) -> Document:
    """Give the file its kind (content first, file name second) and its campaign fields."""
    doc = Document(name=item.file.name, kind=kind_by_name(item.file.name, item.format), format=item.format,
                   size=item.file.length, sha256=item.sha256, container=item.file.container,
                   error=item.content.error, converted=item.converted)
    if item.content.error or doc.kind == "archive":
        return doc
    if item.content.word is not None:
        return _word_document(doc, item.content.word, profile)
    if item.content.pdf is not None:
        return _pdf_document(doc, item.content.pdf, profile)
    if item.content.image is not None:
        image = item.content.image
        return replace(doc, width=image.upright_width, height=image.upright_height,
                       phash=image.phash or None, seal=item.content.seal)
    if item.content.video is not None:
        video = item.content.video
        return replace(doc, kind="video", duration=round(video.duration, 1), width=video.width,
                       height=video.height)
    return doc


def _pdf_document(doc: Document, pdf: PdfContent, profile: Profile | None) -> Document:
    """A scan of the form is a form_scan; a form exported from Word is read like the Word form."""
    doc = replace(doc, pages=pdf.pages)
    if pdf.is_scan:
        return replace(doc, seal=pdf.seal) if doc.kind == "form_scan" else doc
    formed = _word_document(doc, pdf.as_word(), profile)
    if formed.kind != "form":
        return formed
    # Its seal is a picture on the page (a pasted e-seal, a stamp), not an image in a cell.
    fields = {**formed.fields, "seal": pdf.seal} if "seal" in formed.fields else formed.fields
    return replace(formed, fields=fields, seal=pdf.seal)


def _word_document(doc: Document, word: WordContent, profile: Profile | None) -> Document:
    if profile is None:
        return doc
    text = squash(word.all_text())
    is_form = any(squash(t) in text for t in profile.form.titles) or (
        doc.kind == "form" and word.tables)
    if is_form and profile.form.fields:
        form = read_form(word, profile.form)
        return replace(doc, kind="form", fields=form.values, seal=form.values.get("seal"),
                       unreadable=form.unreadable)
    if profile.writeup and sum(squash(m) in text for m in profile.writeup.markers) >= 2:
        writeup = read_writeup(word, profile.writeup)
        return replace(doc, kind="writeup", title=writeup.title, subtitle=writeup.subtitle,
                       sections=writeup.sections)
    return doc


def read_documents(items: Sequence[Inspected], profile: Profile | None) -> tuple[Document, ...]:
    return tuple(to_document(item, profile) for item in items)
