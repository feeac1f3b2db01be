"""The values parsers return: frozen dataclasses, no library types."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parsers.forward import Forwarded


@dataclass(frozen=True)
class Attachment:
    """One attached file as the mail carried it; `name` is for display, never a path."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    """A mail reduced to what classification and the rules need."""

    message_id: str
    subject: str
    from_addr: str
    from_name: str
    to: tuple[str, ...]
    return_path: str | None
    date: datetime | None
    # First Received header's date, else Date: what time-dependent rules use.
    arrived_at: datetime | None
    text: str
    html: str
    in_reply_to: str
    references: tuple[str, ...]
    # Lower-cased header name -> first value, for classification (Auto-Submitted, ...).
    headers: dict[str, str]
    attachments: tuple[Attachment, ...]
    content_type: str = "text/plain"
    # The original sender and subject when this mail forwards another (inline or attached).
    forwarded: Forwarded | None = None
    # Every Authentication-Results header, topmost first (parsers/authresults.py reads them).
    authentication: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cell:
    """A table cell's visible text (checkbox marks rendered as ☑/□) and whether it holds an image."""

    text: str
    has_image: bool = False


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""
    bold: bool = False


@dataclass(frozen=True)
class WordContent:
    """What a Word file says, before any campaign's labels are applied."""

    paragraphs: tuple[Paragraph, ...]
    # Each table is a tuple of rows; merged cells appear once per grid column they span.
    tables: tuple[tuple[tuple[Cell, ...], ...], ...]
    image_count: int = 0

    def all_text(self) -> str:
        """Every paragraph and cell, one per line: for recognising titles and labels."""
        lines = [p.text for p in self.paragraphs]
        for table in self.tables:
            for row in table:
                lines.extend(c.text for c in row)
        return "\n".join(lines)


@dataclass(frozen=True)
class Section:
    name: str
    text: str
    chars: int


@dataclass(frozen=True)
class Document:
    """One file of a submission after extraction.

    `kind` is a document kind of campaigns.md; `error` is set when the file could not be
    read, and then only name, size and sha256 are meaningful.
    """

    name: str
    kind: str
    format: str
    size: int
    sha256: str
    fields: dict[str, object] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    sections: tuple[Section, ...] = ()
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    seal: bool | None = None
    # A photo's perceptual hash (16 hex digits): the same picture sent twice hashes alike.
    phash: str | None = None
    container: str | None = None
    error: str | None = None
    # True when LibreOffice turned a legacy .doc/.wps/RTF into the .docx that was read.
    converted: bool = False
    # Form fields whose answer is there but could not be read (key -> what is written there):
    # a person should look; never "the applicant left it out".
    unreadable: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The `documents[]` / `intake extract` shape of DESIGN.md; empty values left out."""
        out: dict[str, object] = {"name": self.name, "kind": self.kind, "format": self.format,
                                  "size": self.size, "sha256": self.sha256}
        optional = {
            "fields": self.fields or None,
            "title": self.title or None,
            "subtitle": self.subtitle or None,
            "sections": [{"name": s.name, "chars": s.chars} for s in self.sections] or None,
            "pages": self.pages, "width": self.width, "height": self.height,
            "duration": self.duration, "phash": self.phash, "container": self.container,
            "error": self.error, "converted": self.converted or None,
            "unreadable": self.unreadable or None,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.kind in ("form", "form_scan"):
            out["seal"] = self.seal
        return out


@dataclass(frozen=True)
class LargeLink:
    """A provider's 超大附件 or cloud-drive share link found in the body instead of the file."""

    name: str
    url: str
    # '2026-12-20 10:00' or '2026-12-20' when the body gives a date; else its words ("30天后过期").
    expires: str = ""
    size: int | None = None
    # Who hosts it: qq, exmail, 163, 126, yeah, qiye163, 139, coremail, onedrive, sharepoint,
    # baidu, aliyun or weiyun.
    provider: str = ""
    # The access code a share link asks for (提取码, 访问码, 密码, ?pwd=); "" when none is given.
    code: str = ""
