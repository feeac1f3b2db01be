"""Fetching one source into the raw store and the ledger: first contact, UIDVALIDITY, size limit."""
from __future__ import annotations

import logging
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Callable, Iterator

from parsers.mail import arrived_at, decode_bytes, decode_words
from parsers.skeleton import end_of_headers
from pipeline import failpoints
from pipeline.config.sources import SourceConfig
from pipeline.sources.base import Incoming, Source
from pipeline.store.database import Database, FolderState
from pipeline.store.raw import RawStore

log = logging.getLogger("intake")


def ledger_row(source: str, message: Incoming, sha256: str, path: Path,
               now: datetime) -> dict[str, object]:
    """The ledger's view of a stored message: identity plus a few headers for people."""
    headers = BytesHeaderParser().parsebytes(_head(message.data))
    return {
        "source": source, "folder": message.folder, "uidvalidity": message.uidvalidity,
        "uid": message.uid, "sha256": sha256, "raw_path": str(path), "size": message.size,
        "message_id": str(headers.get("message-id", "")).strip()[:500],
        "subject": _text(headers, "subject")[:500],
        "sender": _text(headers, "from")[:500],
        "received_at": (arrived_at(headers) or now).isoformat(), "fetched_at": now.isoformat(),
    }


def _text(headers: Message, name: str) -> str:
    """A header's first value as people read it. Its raw value, not `headers.get`: for 8-bit
    bytes (UTF-8 or GB18030 unencoded, as some Chinese clients send them) that gives a Header
    whose str() is U+FFFD for each byte. Unfolded as parsers/mail.py reads headers."""
    value = next((v for k, v in headers.raw_items() if k.lower() == name), "")
    value = re.sub(r"\r?\n(?=[ \t])", "", value)
    if not value.isascii():  # the parser keeps 8-bit bytes surrogate-escaped
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return decode_words(value)


def _head(data: bytes) -> bytes:
    """The header block (at most 64 KB): the parser need not read the body's lines."""
    end = end_of_headers(data, 0, 65536)
    return data[:end] if end >= 0 else data[:65536]


class SourceLedger:
    """The ledger as one source sees it (the Ledger protocol of pipeline.sources.base)."""

    def __init__(self, db: Database, source: str):
        self.db, self.source = db, source

    def last_uid(self, folder: str, uidvalidity: str) -> int:
        return self.db.last_uid(self.source, folder, uidvalidity)

    def known(self, folder: str, uidvalidity: str) -> set[str]:
        return self.db.known_uids(self.source, folder, uidvalidity)


class Storing:
    """Raw files written by two threads while the next mails arrive, recorded in order.

    Hashing, writing and fsync release the GIL, so storing one mail overlaps with receiving
    the next. The ledger still takes each mail only once its file is durable, and strictly in
    the order of arrival: a poll resumes after the highest uid recorded, so a later mail
    recorded before an earlier one whose write failed would hide the earlier one for good.
    """

    THREADS = 2
    # Mails in flight (stored or being stored, not yet recorded); their ledger rows are then
    # recorded together, in one transaction: a commit costs an fsync.
    WINDOW = 8
    WINDOW_BYTES = 64 * 1024 * 1024

    def __init__(self, store: RawStore):
        self.store = store
        self.pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="intake-store")
        self.pending: deque[tuple[Incoming, Future[tuple[str, Path]]]] = deque()

    def __enter__(self) -> Storing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True)  # a failure leaves no write running behind it

    def put(self, message: Incoming) -> Iterator[tuple[Incoming, tuple[str, Path]]]:
        """Start storing one mail. When too many are in flight: one by one, the first mail
        (waited for) and those stored right after it."""
        self.pending.append((message, self.pool.submit(self.store.put, message.data)))
        return self._ready()

    def _ready(self) -> Iterator[tuple[Incoming, tuple[str, Path]]]:
        held = sum(len(m.data) for m, _ in self.pending)
        if len(self.pending) <= self.WINDOW and held <= self.WINDOW_BYTES:
            return
        yield self._take()
        while self.pending and self.pending[0][1].done():
            yield self._take()

    def rest(self) -> Iterator[tuple[Incoming, tuple[str, Path]]]:
        """Every mail still being stored, one by one, in order."""
        while self.pending:
            yield self._take()

    def _take(self) -> tuple[Incoming, tuple[str, Path]]:
        message, future = self.pending.popleft()
        return message, future.result()  # a failed write is raised here, in its turn


@dataclass
class FetchResult:
    fetched: int = 0
    missing: list[str] = field(default_factory=list)


class Fetcher:
    """Brings one source's new mail into the raw store and the ledger, folder by folder."""

    def __init__(self, config: SourceConfig, source: Source, db: Database, store: RawStore,
                 clock: Callable[[], datetime], stopping: Callable[[], bool] = lambda: False):
        self.config, self.source, self.db, self.store = config, source, db, store
        self.clock, self.stopping = clock, stopping
        self.ledger = SourceLedger(db, source.name)
        self.result = FetchResult()

    def run(self) -> FetchResult:
        first = self.source.sure_folders()
        for folder in first:
            if self.stopping():
                return self.result
            self._folder(folder)
        present, missing = self.source.folders()
        for folder in missing:  # said in this poll's record each time, not as a new event
            log.warning("%s: folder %s does not exist", self.source.name, folder)
        self.result.missing = missing
        for folder in present:
            if self.stopping():
                break
            if folder not in first:
                self._folder(folder)
        return self.result

    def _folder(self, folder: str) -> None:
        uidvalidity = self.source.open_folder(folder)
        state = self._enter(folder, uidvalidity)
        with Storing(self.store) as storing:
            try:
                for message in self.source.incoming(folder, uidvalidity, self.ledger):
                    self._record_all(storing.put(message), state)
                    if self.stopping():
                        break
            finally:  # a lost connection still records what is safely on disk
                self._record_all(storing.rest(), state)

    def _record_all(self, stored: Iterator[tuple[Incoming, tuple[str, Path]]],
                    state: FolderState) -> None:
        """Ledger rows in one transaction; a failed write rolls back the whole group, whose
        mails the next poll fetches again."""
        first = next(stored, None)
        if first is None:
            return
        with self.db.transaction():
            for done in (first, *stored):
                self._record(*done, state)

    def _enter(self, folder: str, uidvalidity: str) -> FolderState:
        """First contact records where the backlog ends; a new UIDVALIDITY starts a rescan."""
        state = self.db.folder_state(self.source.name, folder)
        if state is not None and state.uidvalidity == uidvalidity:
            return state
        newest = self.source.newest(folder)
        if state is None:
            state = FolderState(uidvalidity, backlog_uid=newest,
                                first_seen_at=self.clock().isoformat())
        else:
            self._warn(folder, "uidvalidity", f"{self.source.name}/{folder} 的 UIDVALIDITY 由 "
                       f"{state.uidvalidity} 变为 {uidvalidity}：重新扫描，已处理的邮件按内容识别，不重复处理")
            state = replace(state, uidvalidity=uidvalidity, backlog_uid="", rescan_uid=newest)
        self.db.save_folder_state(self.source.name, folder, state)
        return state

    def _record(self, message: Incoming, stored: tuple[str, Path], state: FolderState) -> None:
        """The ledger row of a message whose raw file is on disk (fsynced) already."""
        sha256, path = stored
        failpoints.reach("after_store")
        row = ledger_row(self.source.name, message, sha256, path, self.clock())
        if not message.complete:
            row.update(status="parked", error=self._too_large(message))
            self._warn(message.folder, "too_large", f"uid {message.uid}: {row['error']}")
        elif self.source.is_at_or_before(message.uid, state.rescan_uid) and \
                self._recognised(message, row):
            return
        elif self.config.backlog == "record":
            row["backlog"] = int(self.source.is_at_or_before(message.uid, state.backlog_uid))
        self.db.record_fetched(row)
        self.result.fetched += 1

    def _recognised(self, message: Incoming, row: dict[str, object]) -> bool:
        """Mail processed under the old UIDVALIDITY: the row follows it, nothing is redone."""
        found = self.db.recognise(self.source.name, message.folder, message.uidvalidity,
                                  str(row["sha256"]), str(row["message_id"]))
        if found is None:
            return False
        earlier, same_bytes = found
        if same_bytes:
            self.db.relocate(earlier, message.uidvalidity, message.uid)
        else:  # same Message-ID, other bytes (a server rewrote headers): a duplicate, no reply
            self.db.record_fetched({**row, "status": "done", "verdict": "duplicate",
                                    "note": f"UIDVALIDITY 变更后重新出现，与第 {earlier} 封的 Message-ID 相同"})
        return True

    def _too_large(self, message: Incoming) -> str:
        size, limit = message.size / 1048576, self.config.imap.max_size_mb if self.config.imap else 0
        return (f"邮件大小 {size:.1f} MB 超过上限 {limit:g} MB（max_size_mb）：只保存了邮件头，"
                "未下载全文，请人工在邮箱中处理")

    def _warn(self, folder: str, kind: str, detail: str) -> None:
        log.warning("%s/%s: %s", self.source.name, folder, detail)
        self.db.record_event(self.clock().isoformat(), self.source.name, folder, kind, detail)
