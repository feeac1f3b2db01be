"""One pass of the pipeline: fetch into the raw store and ledger, process what is pending, send."""
from __future__ import annotations

import fcntl
import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Callable

from outbox.compose import ReplySettings
from outbox.spool import Sender, SpoolSender
from parsers.mail import arrived_at, decode_words, parse_mail
from parsers.reading import legacy_files
from pipeline import failpoints
from pipeline.analyse import analyse
from pipeline.config import Config
from pipeline.db import Database, MessageRow
from pipeline.errors import AlreadyRunning, UnreadableMail
from pipeline.isolation import IsolatedReader
from pipeline.office import Converter
from pipeline.process import Outcome, Processor
from pipeline.sources import Source, SourceMessage, open_source
from pipeline.store import RawStore
from rules.profile import Profile

log = logging.getLogger("intake")


@dataclass
class RunReport:
    fetched: int = 0
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)
    parked: list[tuple[int, str]] = field(default_factory=list)
    retried: int = 0
    sent: int = 0


def settings_of(config: Config) -> ReplySettings:
    replies = config.replies
    return ReplySettings(from_addr=replies.from_addr, from_name=replies.from_name,
                         domain=replies.domain, secretariat_name=config.secretariat_name,
                         secretariat_contact=config.secretariat_contact)


# How an OLE2 (.doc, .wps) or RTF file begins once base64-encoded at the start of a line.
_LEGACY_HINTS = (b"\n0M8R4KGxGuE", b"\ne1xydGY")


def document_reader(config: Config) -> IsolatedReader:
    """Parsers in a limited child process; legacy Word converted by LibreOffice, cached."""
    converter = Converter(config.cache / "converted", timeout=config.convert_timeout)
    return IsolatedReader(config.limits, converter)


def ledger_row(source: str, message: SourceMessage | None, sha256: str, path: Path, data: bytes,
               now: datetime, uid: str | None = None) -> dict[str, object]:
    """The ledger's view of a stored message: identity plus a few headers for people."""
    headers = BytesHeaderParser().parsebytes(data[:65536])
    return {
        "source": source, "folder": message.folder if message else "",
        "uidvalidity": message.uidvalidity if message else "", "uid": uid or message.uid,
        "sha256": sha256, "raw_path": str(path),
        "message_id": str(headers.get("message-id", "")).strip()[:500],
        "subject": decode_words(headers.get("subject", ""))[:500],
        "sender": decode_words(headers.get("from", ""))[:500],
        "received_at": (arrived_at(headers) or now).isoformat(), "fetched_at": now.isoformat(),
    }


class RunLock:
    """One intake process per database: a second run refuses to start."""

    def __init__(self, database: Path):
        database.parent.mkdir(parents=True, exist_ok=True)
        self.path = database.with_name(database.name + ".lock")
        self.handle = None

    def __enter__(self) -> RunLock:
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise AlreadyRunning(f"another intake process is using {self.path.with_suffix('')}")
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle:
            self.handle.close()


class Pipeline:
    """The three steps of a pass, each resumable from the ledger after a crash."""

    def __init__(self, config: Config, db: Database, clock: Callable[[], datetime],
                 sender: Sender | None = None):
        self.config, self.db, self.clock = config, db, clock
        self.store = RawStore(config.raw)
        self.sender = sender or SpoolSender(config.replies.spool)
        self.profiles = config.profiles()
        self.sources: dict[str, Source] = {s.name: open_source(s) for s in config.sources}
        self.served = {s.name: self._served(s.name, s.campaigns) for s in config.sources}
        self.processors: dict[str, Processor] = {}
        self.reader = document_reader(config)

    def _served(self, source: str, campaigns: tuple[str, ...]) -> dict[str, Profile]:
        """The campaigns a mailbox receives: its config's list and each profile's mailboxes."""
        return {k: v for k, v in self.profiles.items()
                if (not campaigns or k in campaigns) and (not v.mailboxes or source in v.mailboxes)}

    def fetch(self) -> int:
        """Store every new message durably and enter it in the ledger; nothing else yet."""
        count = 0
        for name, source in self.sources.items():
            def known(folder: str, uidvalidity: str, name: str = name) -> set[str]:
                return self.db.known_uids(name, folder, uidvalidity)

            for message in source.messages(known):
                try:
                    data = message.read()
                except OSError as error:  # gone or unreadable for now: the next pass tries again
                    log.warning("cannot read %s %s: %s", name, message.uid, error)
                    continue
                sha256, path = self.store.put(data)
                failpoints.reach("after_store")
                self.db.record_fetched(ledger_row(name, message, sha256, path, data, self.clock()))
                count += 1
        return count

    def processor(self, source: str) -> Processor:
        if source not in self.processors:
            profiles = self.served.get(source, self.profiles)
            self.processors[source] = Processor(self.db, profiles, settings_of(self.config))
        return self.processors[source]

    def process_pending(self, report: RunReport) -> None:
        rows = self.db.pending()
        self._convert_ahead(rows)
        for row in rows:
            self._process_one(row, report)

    def _convert_ahead(self, rows: list[MessageRow]) -> None:
        """One LibreOffice start for the legacy Word files of every pending message.

        Starting LibreOffice costs about a second and a file in a batch a few hundredths, so
        the files are converted here together; processing then finds them in the cache. Only
        mails whose base64 shows an OLE2 or RTF file are parsed for this.
        """
        items = []
        for row in rows:
            data = self.store.get(row.sha256)
            if not any(hint in data for hint in _LEGACY_HINTS):
                continue
            try:
                attachments = parse_mail(data).attachments
            except UnreadableMail:
                continue
            items.extend(legacy_files(self.reader.expand(attachments)))
        if len(items) > 1 and self.reader.converter is not None:
            self.reader.converter.convert_many(items)

    def _process_one(self, row: MessageRow, report: RunReport) -> None:
        """Try a message until it succeeds or has used its attempts; then park it."""
        while True:
            attempts = self.db.begin_attempt(row.id)
            if attempts > self.config.max_attempts:
                error = f"放弃处理：已尝试{attempts - 1}次（处理中进程中断或出错）"
                self.db.set_error(row.id, error, park=True)
                report.parked.append((row.id, error))
                return
            started = time.monotonic()
            try:
                profiles = self.processor(row.source).profiles
                analysis = analyse(self.store.get(row.sha256), profiles, self.reader)
                outcome = self.processor(row.source).process(row.id, row.sha256, analysis,
                                                             self.clock())
            except Exception:  # the one broad except: record, retry, then park for a person
                error = traceback.format_exc()
                park = attempts >= self.config.max_attempts
                self.db.set_error(row.id, error, park=park)
                log.warning("message %s attempt %s failed", row.id, attempts, exc_info=True)
                if park:
                    report.parked.append((row.id, error.strip().splitlines()[-1]))
                    return
                report.retried += 1
                continue
            log.info("message %s %s uid=%s verdict=%s %.0f ms", row.id, row.source, row.uid,
                     outcome.verdict, (time.monotonic() - started) * 1000)
            report.outcomes.append((row.id, outcome))
            return

    def drain_outbox(self) -> int:
        sent = 0
        for row in self.db.due_replies():
            try:
                self.sender.send(row.id, row.to_addr, row.message_id, row.raw)
            except OSError as error:
                self.db.mark_send_failed(row.id, str(error))
                continue
            failpoints.reach("after_send")
            self.db.mark_sent(row.id, self.clock().isoformat())
            sent += 1
        return sent

    def run_once(self) -> RunReport:
        report = RunReport()
        report.fetched = self.fetch()
        self.process_pending(report)
        report.sent = self.drain_outbox()
        return report


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def run(config: Config, clock: Callable[[], datetime] = utc_now) -> RunReport:
    """`intake run`: one locked pass over every configured source."""
    with RunLock(config.database):
        db = Database(config.database)
        try:
            return Pipeline(config, db, clock).run_once()
        finally:
            db.close()
