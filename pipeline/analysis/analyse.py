"""Raw bytes to an Analysis: parse, classify, extract. Pure: no database, no clock."""
from __future__ import annotations

from dataclasses import dataclass

from parsers.automatic import automatic_kind
from parsers.bounces import BounceReport, read_bounce
from parsers.errors import UnreadableMail
from parsers.largelink import find_large_links
from parsers.mail import parse_mail
from parsers.model import Attachment, Document, LargeLink, ParsedMail
from parsers.reading import InlineReader, Inspected, Pending, RawFile, Reader
from pipeline import stages
from pipeline.analysis import documents as docs
from pipeline.analysis.classify import SubjectMatch, by_form, match_keywords, match_subject
from rules.profile import Profile

NOTES = {
    "auto_reply": "自动回复，不予回复",
    "bounce": "退信，不予回复",
    "receipt": "已读回执，不予回复",
    "inquiry": "咨询或非申报邮件，请秘书处人工处理",
    "unknown_campaign": "带有附件但未能识别所属征集活动，请秘书处人工处理",
    "unreadable": "邮件无法解析，请秘书处人工查看原始邮件",
}


@dataclass(frozen=True)
class Analysis:
    """What a message is, before the database says whether it is new."""

    mail: ParsedMail | None
    # submission, auto_reply, bounce, receipt, inquiry, unknown_campaign or unreadable.
    kind: str
    match: SubjectMatch
    documents: tuple[Document, ...] = ()
    error: str = ""
    # 超大附件 download links in the body, standing for files that were not attached.
    large_links: tuple[LargeLink, ...] = ()
    # For a bounce: which of our mails it returns, to whom, and why.
    bounce: BounceReport | None = None

    @property
    def note(self) -> str:
        return NOTES.get(self.kind, "")


_NO_MATCH = SubjectMatch(None, None, False)
# Far more files than any notice asks for (a form, a write-up, photos, videos, proofs): a mail
# of 100 000 parts, or of zips holding thousands, has its first MAX_FILES files read (counted
# after archives are opened) and the rest reported as one unreadable file.
MAX_FILES = 300


def _files(reader: Reader, attachments: tuple[Attachment, ...]) -> list[RawFile]:
    files = reader.expand(attachments[:MAX_FILES], lean=True)
    total = len(files) + max(0, len(attachments) - MAX_FILES)
    if total <= MAX_FILES:
        return files
    extra = total - MAX_FILES
    return files[:MAX_FILES] + [RawFile(f"（其余{extra}个文件）", b"", error=(
        f"邮件共有{total}个文件（含压缩包内的文件），超过{MAX_FILES}个的上限，其余{extra}个未读取；"
        "请只发送通知要求的材料"))]


@dataclass(frozen=True)
class Prepared:
    """A message parsed, its files in the reader's hands: `analysed` finishes it."""

    mail: ParsedMail | None
    # Done already: unreadable mail, auto-replies, bounces and read receipts.
    done: Analysis | None = None
    pending: Pending | None = None

    def cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancel()


def prepare(data: bytes, reader: Reader) -> Prepared:
    """Parse the mail and hand its files to the reader, without waiting for them."""
    try:
        with stages.stage("parse"):
            mail = parse_mail(data)
    except UnreadableMail as error:
        return Prepared(None, Analysis(None, "unreadable", _NO_MATCH, error=str(error)))
    automatic = automatic_kind(mail)
    if automatic:
        bounce = read_bounce(data, mail) if automatic == "bounce" else None
        return Prepared(mail, Analysis(mail, automatic, _NO_MATCH, bounce=bounce))
    with stages.stage("documents: handing to parsers"):
        return Prepared(mail, pending=reader.start(_files(reader, mail.attachments)))


def analysed(prepared: Prepared, profiles: dict[str, Profile]) -> Analysis:
    """Wait for the files, then classify the message and read its campaign's fields."""
    if prepared.done is not None:
        return prepared.done
    mail, pending = prepared.mail, prepared.pending
    assert mail is not None and pending is not None, "prepare() gives a result or both"
    with stages.stage("documents: waiting for parsers"):
        inspected = pending.result()
    with stages.stage("classify"):
        match, links = _classify(mail, inspected, profiles)
    with stages.stage("documents: fields"):
        profile = profiles[match.campaign] if match.campaign else None
        documents = docs.read_documents(inspected, profile)
    if match.campaign is None:
        kind = "unknown_campaign" if mail.attachments or links else "inquiry"
        return Analysis(mail, kind, match, documents, large_links=links)
    return Analysis(mail, "submission", match, documents, large_links=links)


def analyse(data: bytes, profiles: dict[str, Profile], reader: Reader | None = None) -> Analysis:
    """Everything about one message that does not depend on earlier messages.

    The reader runs the document parsers: isolated in worker processes in the pipeline, in
    this process (no legacy conversion) when none is given.
    """
    return analysed(prepare(data, reader or InlineReader()), profiles)


def _classify(mail: ParsedMail, inspected: list[Inspected],
              profiles: dict[str, Profile]) -> tuple[SubjectMatch, tuple[LargeLink, ...]]:
    """The prescribed subject, then the form's title, then a notice's words in the subject."""
    match = match_subject(mail.subject, profiles)
    if match.campaign is None and (campaign := docs.campaign_by_form(inspected, profiles)):
        match = by_form(campaign, profiles)
    if match.campaign is None:
        match = match_keywords(mail.subject, profiles)
    return match, find_large_links(mail.text, mail.html)
