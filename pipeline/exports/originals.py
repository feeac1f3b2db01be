"""A submission's document bytes, found again in the raw mails of its versions by sha256.

The database keeps what was read from each file, not the file: the bytes live in the raw
store's .eml files. A current version's documents can come from an earlier version's mail
(versions merge), so every version's mail is searched, archives opened (in the isolated child,
as when the mail was first read) only when a document is still missing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from parsers.errors import UnreadableMail
from parsers.mail import parse_mail
from parsers.model import Attachment
from pipeline.config.settings import Config
from pipeline.store.database import Database
from pipeline.store.exports import version_mails
from pipeline.store.raw import RawStore
from pipeline.workers.reader import IsolatedReader


@dataclass
class Found:
    """Bytes by sha256, and why the mails that could not be searched were not."""

    data: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def missing(self, wanted: Iterable[str]) -> set[str]:
        return set(wanted) - set(self.data)

    def reason(self, sha256: str) -> str:
        """Why one document's bytes were not found."""
        if self.problems:
            return "；".join(self.problems)
        return f"在该案例各版本的原始邮件中找不到此文件（sha256 {sha256[:12]}）"


def _raw_bytes(store: RawStore, mail: dict) -> bytes | None:
    for path in (store.path_for(mail["sha256"]), Path(mail["raw_path"] or "")):
        if path.is_file():
            return path.read_bytes()
    return None


def _keep(found: Found, files: Iterable[bytes], wanted: set[str]) -> None:
    for data in files:
        sha = hashlib.sha256(data).hexdigest()
        if sha in wanted:
            found.data.setdefault(sha, data)


def _attachments(store: RawStore, mail: dict, found: Found) -> tuple[Attachment, ...]:
    data = _raw_bytes(store, mail)
    if data is None:
        found.problems.append(f"第{mail['number']}版的原始邮件不在原始邮件库中"
                              f"（{mail['sha256'][:12]}.eml）")
        return ()
    try:
        return parse_mail(data).attachments
    except UnreadableMail as error:
        found.problems.append(f"第{mail['number']}版的原始邮件无法解析：{error}")
        return ()


def find_originals(db: Database, config: Config, submission_id: int,
                   wanted: Sequence[str]) -> Found:
    """The bytes of the wanted sha256s from the submission's mails; archives opened last."""
    found, store, todo = Found(), RawStore(config.raw), set(wanted)
    mails = [_attachments(store, m, found) for m in version_mails(db, submission_id)]
    for attachments in mails:
        _keep(found, (a.data for a in attachments), todo)
    if found.missing(todo):
        reader = IsolatedReader(config.limits)
        for attachments in mails:
            if attachments and found.missing(todo):
                _keep(found, (f.data for f in reader.expand(attachments)), todo)
    if not found.missing(todo):
        found.problems.clear()  # a lost mail whose files all came from another is no problem
    return found
