"""Reading attachments once: expand archives, convert legacy Word, then parse each file's bytes.

Reading is split in three so that the middle step, the only one that runs third-party parsers
on untrusted bytes, can run in a child process with limits (pipeline/workers/reader.py):
`plan` (here, cheap: format and conversion), `read_content` (the parsers) and `finish`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Iterable, Protocol, Sequence

from parsers import archive, sniff
from parsers.doctext import repaired
from parsers.errors import UnreadableDocument
from parsers.images import ImageInfo, read_image, seal_on_image
from parsers.kinds import kind_by_name, wordish
from parsers.members import Limits
from parsers.model import Attachment, WordContent
from parsers.pdf import PdfContent, read_pdf
from parsers.video import VideoInfo, probe_video
from parsers.word import read_word

# An archive inside an archive inside the mail is still read; deeper nesting is not.
MAX_DEPTH = 2


@dataclass(frozen=True)
class RawFile:
    name: str
    data: bytes
    container: str | None = None
    depth: int = 0
    # Why the file could not be opened as an archive, found while expanding it.
    error: str | None = None
    # Set, with data b"", for a member whose bytes no parser reads (text, bytes of no known
    # format): its format, digest and size stand for it (see `_lean`).
    sniffed: str = ""
    sha256: str = ""
    size: int = -1

    @property
    def length(self) -> int:
        return len(self.data) if self.size < 0 else self.size

    @property
    def digest(self) -> str:
        return self.sha256 or hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Content:
    """What the parsers made of a file's bytes; `error` says why nothing could be read."""

    word: WordContent | None = None
    pdf: PdfContent | None = None
    image: ImageInfo | None = None
    video: VideoInfo | None = None
    # A red ring on a picture of the sealed form (None: not a form scan, or grey-scale).
    seal: bool | None = None
    error: str | None = None


@dataclass(frozen=True)
class Job:
    """A file ready for its parser: the bytes to read (a legacy file's .docx) and its format."""

    file: RawFile
    format: str
    sha256: str
    data: bytes
    error: str | None = None


@dataclass(frozen=True)
class Inspected:
    """One file read once, before any campaign's labels are applied."""

    file: RawFile
    format: str
    sha256: str
    content: Content
    # True when the Word content came from LibreOffice's conversion of a legacy file.
    converted: bool = False


class Converter(Protocol):
    """Legacy Word to .docx (parsers/office.py); results keyed by the input's sha256."""

    def convert_many(self, items: Sequence[tuple[bytes, str]]) -> dict[str, "Converted"]: ...


class Converted(Protocol):
    docx: bytes | None
    error: str | None


class Pending(Protocol):
    """Files being read; `result()` waits for them, `cancel()` gives them up."""

    def result(self) -> list[Inspected]: ...

    def cancel(self) -> None: ...


class Reader(Protocol):
    """Expands and reads files into Inspected values, in this process or isolated in a child."""

    def expand(self, attachments: Sequence[Attachment], lean: bool = False) -> list[RawFile]: ...

    def read(self, files: Sequence[RawFile]) -> list[Inspected]: ...

    def start(self, files: Sequence[RawFile]) -> Pending: ...


# ---- expanding archives ---------------------------------------------------------------

def expand(attachments: Iterable[Attachment], lean: bool = False) -> list[RawFile]:
    """Attachments plus the members of archives (the archive itself stays, as kind archive)."""
    return expand_all([RawFile(a.name, a.data) for a in attachments], lean=lean)


def expand_all(files: Sequence[RawFile], limits: Limits = Limits(),
               lean: bool = False) -> list[RawFile]:
    """The files of one message with the members of its archives, all under one budget: ten
    harmless-looking zips in a mail may together expand to what one may, not ten times that.

    With `lean`, members whose bytes no parser reads are kept as digest and size only (see
    RawFile), so that a worker hands the pipeline only bytes it will read.
    """
    return [f for found in expand_each(files, limits, lean) for f in found]


def expand_each(files: Sequence[RawFile], limits: Limits = Limits(),
                lean: bool = False) -> list[list[RawFile]]:
    """expand_all, file by file: each file followed by its members."""
    result: list[list[RawFile]] = []
    for file in files:
        found, limits = _expand_within(file, limits)
        result.append([found[0]] + [_lean(f) if lean else f for f in found[1:]])
    return result


def expand_one(file: RawFile) -> list[RawFile]:
    """One attachment and the files inside it (expand_all of one file)."""
    return expand_all([file])


def _expand_within(file: RawFile, limits: Limits) -> tuple[list[RawFile], Limits]:
    """An attachment, then the files inside it down to MAX_DEPTH, within `limits`; and what is
    left of them.

    An archive refused for its size, ratio or depth anywhere inside makes the attachment itself
    unreadable, with one finding: a bomb nested in a harmless-looking zip is still a bomb.
    """
    fmt = sniff.sniff(file.data)
    if fmt not in sniff.ARCHIVE_FORMATS:
        return [file], limits
    if limits.refusal:  # the message's budget is spent by the archives before this one
        return [replace(file, error=limits.refusal)], limits
    try:
        nested, left = archive.expand_nested_within(file.data, fmt, file.name, MAX_DEPTH, limits)
    except UnreadableDocument as error:
        return [replace(file, error=str(error))], limits.after_refusal(file.data)
    hostile = next((n.error for n in nested if archive.is_hostile(n.error)), None)
    if hostile:
        return [replace(file, error=hostile)], left
    return [file] + [RawFile(n.member.name, n.member.data, n.container, n.depth, n.error)
                     for n in nested], left


# Formats no parser reads: a member in one of them reaches the pipeline as digest and size.
UNREAD_FORMATS = frozenset({"unknown", "text"})


def _lean(file: RawFile) -> RawFile:
    """A member as format, digest and size when no parser will read its bytes; a file named
    like a Word file keeps them, to be told apart from a damaged form."""
    fmt = sniff.sniff(file.data)
    if fmt in UNREAD_FORMATS and not wordish(file.name):
        return replace(file, data=b"", sniffed=fmt, sha256=file.digest, size=file.length)
    return file


# ---- plan: format and conversion ------------------------------------------------------

_NO_CONVERTER = "旧版Word格式（.doc/.wps/RTF）暂不能自动读取，请另存为.docx后重新发送"


def legacy_word(fmt: str, name: str) -> bool:
    """A file LibreOffice must turn into .docx before it can be read as a Word form."""
    if fmt in ("doc", "rtf", "wordml"):
        return True
    # A damaged .doc may not show its Word stream; HTML is a Word file only when named like one.
    return fmt in ("html", "ole2") and wordish(name)


def legacy_files(files: Sequence[RawFile]) -> list[tuple[bytes, str]]:
    """(bytes, format) of the files LibreOffice must convert."""
    return [(f.data, fmt) for f in files if legacy_word(fmt := sniff.sniff(f.data), f.name)]


def plan(files: Sequence[RawFile], converter: Converter | None) -> list[Job]:
    """Each file's format by magic bytes; legacy Word files converted in one batch."""
    jobs = [Job(f, _format(f), f.digest, f.data, f.error) for f in files]
    legacy = [(j.file.data, j.format) for j in jobs if legacy_word(j.format, j.file.name)]
    converted = converter.convert_many(legacy) if legacy and converter else {}
    return [_converted(job, converted) if legacy_word(job.format, job.file.name) else job
            for job in jobs]


def _format(file: RawFile) -> str:
    """The format by magic bytes; a lean member's was found where its bytes were."""
    return file.sniffed or sniff.sniff(file.data)


def _converted(job: Job, results: dict[str, Converted]) -> Job:
    result = results.get(job.sha256)
    if result is None:
        return replace(job, error=_NO_CONVERTER)
    if result.docx is None:
        return replace(job, error=result.error or _NO_CONVERTER)
    return replace(job, data=result.docx)


# ---- read: the parsers ----------------------------------------------------------------

def read_content(job: Job) -> Content:
    """Run the parser the format calls for; a failure is recorded, never raised."""
    if job.error:
        return Content(error=job.error)
    try:
        return _read(job)
    except UnreadableDocument as error:
        return Content(error=str(error))


def _read(job: Job) -> Content:
    fmt, data, name = job.format, job.data, job.file.name
    if fmt == "doc":
        # LibreOffice glues the cells of some .doc tables into paragraphs: the .doc's own text
        # (job.file.data; job.data is the conversion) still holds them.
        return Content(word=repaired(read_word(data), job.file.data))
    if fmt == "docx" or legacy_word(fmt, name):
        return Content(word=read_word(data))
    if fmt == "pdf":
        return Content(pdf=read_pdf(data))
    if fmt in sniff.IMAGE_FORMATS:
        image = read_image(data)
        # The ring test costs a few tens of ms: only pictures of the sealed form get it.
        looked = kind_by_name(name, fmt) == "form_scan"
        return Content(image=image, seal=seal_on_image(data) if looked else None)
    if fmt in sniff.VIDEO_FORMATS:
        return Content(video=probe_video(data))
    if fmt == "encrypted_office":
        raise UnreadableDocument("文件已加密（设置了打开密码），请取消密码后重新发送")
    if fmt == "zip" and wordish(name):
        raise UnreadableDocument("Word文件已损坏（不是有效的.docx），请重新保存后发送")
    if fmt in sniff.ARCHIVE_FORMATS:
        return Content()  # opened by expand_one: its members are files of their own
    if fmt in ("unknown", "tnef") and wordish(name):
        raise UnreadableDocument("文件已损坏，无法作为Word文档打开")
    if fmt == "tnef":
        raise UnreadableDocument("Outlook附件包（winmail.dat）无法解开，请以普通附件重新发送")
    return Content()


def finish(job: Job, content: Content) -> Inspected:
    return Inspected(file=job.file, format=job.format, sha256=job.sha256, content=content,
                     converted=job.data is not job.file.data)


class InlineReader:
    """Reads in this process, without limits: for unit tests and trusted files."""

    def __init__(self, converter: Converter | None = None):
        self.converter = converter

    def expand(self, attachments: Sequence[Attachment], lean: bool = False) -> list[RawFile]:
        return expand(attachments, lean)

    def read(self, files: Sequence[RawFile]) -> list[Inspected]:
        return [finish(job, read_content(job)) for job in plan(files, self.converter)]

    def start(self, files: Sequence[RawFile]) -> Pending:
        return _Read(self.read(files))


@dataclass(frozen=True)
class _Read:
    """Files already read."""

    items: list[Inspected]

    def result(self) -> list[Inspected]:
        return self.items

    def cancel(self) -> None:
        pass
