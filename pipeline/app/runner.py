"""One pass of the pipeline: fetch into the raw store and ledger, process what is pending, send."""
from __future__ import annotations

import itertools
import logging
import re
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from outbox.sender import Sender
from parsers.errors import UnreadableMail
from parsers.mail import parse_mail
from parsers.office import Converter
from parsers.reading import legacy_files
from pipeline import failpoints, stages
from pipeline.analysis.analyse import Prepared, analysed, prepare
from pipeline.app.clock import utc_now
from pipeline.app.process import Outcome, Processor
from pipeline.app.sending import DrainReport, drain, open_sender, policy_of, settings_of
from pipeline.config.settings import Config
from pipeline.errors import MailboxError
from pipeline.sources.base import Source
from pipeline.sources.chooser import open_source
from pipeline.sources.fetch import Fetcher
from pipeline.store.database import Database, MessageRow
from pipeline.store.lock import RunLock
from pipeline.store.outbox import Outbox
from pipeline.store.raw import RawStore
from pipeline.workers.reader import document_reader
from rules.profile import Profile

log = logging.getLogger("intake")


@dataclass
class RunReport:
    fetched: int = 0
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)
    parked: list[tuple[int, str]] = field(default_factory=list)
    retried: int = 0
    sent: int = 0
    send_errors: list[str] = field(default_factory=list)
    # Replies waiting in review mode for `intake outbox approve`.
    held: int = 0
    # Mailboxes a poll could not read, with why ("login: ..."): `intake run` then exits 1.
    unpolled: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PollResult:
    fetched: int
    error: MailboxError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# A poll that loses its connection reconnects this many times, waiting 2 s, 4 s, ... between.
RECONNECTS = 3
BACKOFF = 2.0

# How an OLE2 (.doc, .wps) or RTF attachment begins once base64-encoded: after its part's
# headers and the blank line. One pass of a regular expression over the mail.
_LEGACY_HINT = re.compile(rb"\n\r?\n(?:0M8R4KGxGuE|e1xydGY)")


class Pipeline:
    """The steps of a pass, each resumable from the ledger after a crash.

    stopping() is asked between messages: `intake serve` finishes the message at hand on
    SIGTERM and leaves the rest for the next start. sleep() waits between reconnections.
    """

    def __init__(self, config: Config, db: Database, clock: Callable[[], datetime],
                 sender: Sender | None = None, sleep: Callable[[float], object] = time.sleep,
                 stopping: Callable[[], bool] = lambda: False):
        self.config, self.db, self.clock, self.sleep = config, db, clock, sleep
        self.stopping = stopping
        self.store = RawStore(config.raw)
        # A Pipeline exists only under the RunLock: what a killed run left half-written goes.
        self.store.sweep()
        self.sender = sender or open_sender(config)
        self.profiles = config.profiles()
        self.source_configs = {s.name: s for s in config.sources if s.enabled}
        self.served = {s.name: self._served(s.name, s.campaigns) for s in config.sources}
        self.processors: dict[str, Processor] = {}
        self.reader = document_reader(config)

    def _served(self, source: str, campaigns: tuple[str, ...]) -> dict[str, Profile]:
        """The campaigns a mailbox receives: its config's list and each profile's mailboxes."""
        return {k: v for k, v in self.profiles.items()
                if (not campaigns or k in campaigns) and (not v.mailboxes or source in v.mailboxes)}

    def fetch(self, report: RunReport) -> None:
        """Every enabled source, one after another; a failing one does not stop the others,
        and is named in the report."""
        with stages.stage("fetch: read, store, ledger"):
            for name in self.source_configs:
                if self.stopping():
                    break
                result = self.poll(name)
                report.fetched += result.fetched
                if result.error is not None:
                    report.unpolled.append((name, f"{result.error.kind}: {result.error}"))

    def poll(self, name: str) -> PollResult:
        """Fetch one source, reconnecting with backoff; the poll's outcome goes to the ledger."""
        config, started = self.source_configs[name], self.clock()
        fetched, error = 0, None
        for attempt in range(1, RECONNECTS + 1):
            source = open_source(config)
            fetcher = Fetcher(config, source, self.db, self.store, self.clock, self.stopping)
            try:
                result = fetcher.run()
                error = MailboxError("folder_missing", f"邮箱 {name} 中没有文件夹："
                                     + "、".join(result.missing)) if result.missing else None
                break
            except MailboxError as failure:
                error = failure
                log.warning("%s: %s (%s, attempt %s)", name, failure, failure.kind, attempt)
                if not failure.retryable or attempt == RECONNECTS or self.stopping():
                    break
                self.sleep(BACKOFF * 2 ** (attempt - 1))
            finally:
                fetched += fetcher.result.fetched
                source.close()
        self.db.record_poll({"source": name, "started_at": started.isoformat(),
                             "finished_at": self.clock().isoformat(), "ok": int(error is None),
                             "error_kind": error.kind if error else None,
                             "error": str(error) if error else None, "fetched": fetched})
        return PollResult(fetched, error)

    def file_processed(self, name: str) -> int:
        """Keyword and move the finished mail of one IMAP source, as its config says."""
        config = self.source_configs[name]
        if config.imap is None or not (config.imap.keyword or config.imap.move):
            return 0
        rows = self.db.unfiled(name)
        if not rows:
            return 0
        source = open_source(config)
        try:
            return self._file_rows(source, rows)
        except MailboxError as failure:  # left unfiled: the next poll tries again
            log.warning("%s: filing failed: %s", name, failure)
            return 0
        finally:
            source.close()

    def _file_rows(self, source: Source, rows: list[dict]) -> int:
        for (folder, uidvalidity), group in itertools.groupby(
                rows, key=lambda r: (r["folder"], r["uidvalidity"])):
            group = list(group)
            filed = source.file(folder, uidvalidity, [(r["uid"], r["verdict"]) for r in group])
            by_outcome: dict[str, list[int]] = {}
            for row in group:
                by_outcome.setdefault(filed.get(row["uid"]) or "nothing", []).append(row["id"])
            for outcome, ids in by_outcome.items():
                self.db.mark_filed(ids, outcome)
        return len(rows)

    def processor(self, source: str) -> Processor:
        if source not in self.processors:
            profiles = self.served.get(source, self.profiles)
            self.processors[source] = Processor(self.db, profiles, settings_of(self.config),
                                                policy_of(self.config))
        return self.processors[source]

    def process_pending(self, report: RunReport) -> None:
        """Each pending message in turn. While one is decided, saved and answered, the workers
        already parse the files of the next ones: the two halves of the machine work side by
        side. What is read ahead is pure work, recorded nowhere until its own turn."""
        rows = self.db.pending()
        ahead = ReadAhead(rows, self._prepare_safely)
        try:
            with stages.stage("convert legacy Word"):
                self._convert_ahead(rows, ahead)
            for row in rows:
                if self.stopping():
                    break
                with stages.stage("ledger, raw store"):
                    self._process_one(row, report, ahead)
        finally:
            ahead.cancel()

    def _convert_ahead(self, rows: list[MessageRow], ahead: ReadAhead) -> None:
        """One LibreOffice start for the legacy Word files of every pending message.

        Starting LibreOffice costs about a second and a file in a batch a few hundredths, so
        the files are converted here together; processing then finds them in the cache. Only
        mails whose base64 shows an OLE2 or RTF file are parsed for this. While LibreOffice
        works (in a thread that only waits for it), the parsers start on the mails without
        such files.
        """
        items, legacy = [], set()
        for row in rows:
            data = self.store.get(row.sha256)
            if not _LEGACY_HINT.search(data):
                continue
            legacy.add(row.id)
            try:
                attachments = parse_mail(data).attachments
            except UnreadableMail:
                continue
            items.extend(legacy_files(self.reader.expand(attachments)))
        converter = self.reader.converter
        if len(items) <= 1 or converter is None:
            return
        batch = threading.Thread(target=_convert_logged, args=(converter, items),
                                 name="intake-convert")
        self.reader.pool.start()
        batch.start()
        ahead.fill(self._while_converting(rows, legacy))
        batch.join()

    def _while_converting(self, rows: list[MessageRow], legacy: set[int]) -> list[MessageRow]:
        """The first mails without legacy files, as many as the parsers can read while
        LibreOffice converts (about two seconds), and not too many bytes held at once."""
        chosen, held = [], 0
        for row in rows:
            if row.id in legacy:
                continue
            held += self.store.path_for(row.sha256).stat().st_size
            if len(chosen) == CONVERT_OVERLAP or held > CONVERT_OVERLAP_BYTES:
                break
            chosen.append(row)
        return chosen

    def _process_one(self, row: MessageRow, report: RunReport, ahead: ReadAhead) -> None:
        """Try a message until it succeeds or has used its attempts; then park it."""
        prepared = ahead.take(row.id)
        while True:
            attempts = self.db.begin_attempt(row.id)
            if attempts > self.config.max_attempts:
                error = f"放弃处理：已尝试{attempts - 1}次（处理中进程中断或出错）"
                self.db.set_error(row.id, error, park=True)
                report.parked.append((row.id, error))
                _cancel(prepared)
                return
            started = time.monotonic()
            try:
                profiles = self.processor(row.source).profiles
                failpoints.reach("before_extract")
                given, prepared = prepared, None  # a second attempt reads the files again
                analysis = analysed(_raised(given) or self._prepare(row), profiles)
                ahead.fill_after(row.id)
                failpoints.reach("after_extract")
                outcome = self.processor(row.source).process(row.id, row.sha256, analysis,
                                                             self.clock(), row.backlog)
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
            log.info("message %s %s uid=%s verdict=%s reply=%s %.0f ms%s", row.id, row.source,
                     row.uid, outcome.verdict, outcome.reply_status,
                     (time.monotonic() - started) * 1000, f": {outcome.note}" if outcome.note else "")
            report.outcomes.append((row.id, outcome))
            return

    def _prepare(self, row: MessageRow) -> Prepared:
        return prepare(self.store.get(row.sha256), self.reader)

    def _prepare_safely(self, row: MessageRow) -> Prepared | Exception:
        """The next message started early; what goes wrong is raised again in its own turn,
        where it counts as one of its attempts."""
        try:
            return self._prepare(row)
        except Exception as error:
            return error

    def drain_outbox(self) -> DrainReport:
        """Send what is due; see pipeline/app/sending.py for retries and ambiguous sends."""
        with stages.stage("outbox: send"):
            return drain(self.config, Outbox(self.db), self.sender, self.clock)

    def run_once(self) -> RunReport:
        report = RunReport()
        self.fetch(report)
        self.process_pending(report)
        for name in self.source_configs:
            self.file_processed(name)
        drained = self.drain_outbox()
        report.sent, report.send_errors = drained.sent, drained.errors
        report.held = len(Outbox(self.db).approvable())
        return report


# Mails without legacy Word files handed to the parsers while LibreOffice converts the others.
CONVERT_OVERLAP = 32
CONVERT_OVERLAP_BYTES = 160 * 1024 * 1024


def _convert_logged(converter: Converter, items: list[tuple[bytes, str]]) -> None:
    """The batch conversion, in its thread: a failure is logged, and each mail that needs a
    file converts it again in its own turn."""
    try:
        converter.convert_many(items)
    except Exception:
        log.warning("batch conversion of %s legacy Word files failed", len(items), exc_info=True)


# Messages handed to the workers beyond the one at hand: two keep both workers busy while the
# main process saves and answers, and hold at most three messages in memory.
READ_AHEAD = 2


class ReadAhead:
    """The next messages, parsed and in the workers' hands before their turn (or what went
    wrong: raised again in their own turn, where it counts as one of their attempts)."""

    def __init__(self, rows: list[MessageRow], prepare: Callable[[MessageRow], Prepared | Exception],
                 depth: int = READ_AHEAD):
        self.rows, self.prepare, self.depth = rows, prepare, depth
        self.order = {row.id: index for index, row in enumerate(rows)}
        self.ready: dict[int, Prepared | Exception] = {}

    def take(self, row: int) -> Prepared | Exception | None:
        return self.ready.pop(row, None)

    def fill_after(self, row: int) -> None:
        start = self.order[row] + 1
        self.fill(self.rows[start:start + self.depth])

    def fill(self, rows: list[MessageRow]) -> None:
        for row in rows:
            if row.id not in self.ready:
                self.ready[row.id] = self.prepare(row)

    def cancel(self) -> None:
        for prepared in self.ready.values():
            _cancel(prepared)
        self.ready.clear()


def _cancel(prepared: Prepared | Exception | None) -> None:
    if isinstance(prepared, Prepared):
        prepared.cancel()


def _raised(prepared: Prepared | Exception | None) -> Prepared | None:
    if isinstance(prepared, Exception):
        raise prepared
    return prepared


def run(config: Config, clock: Callable[[], datetime] = utc_now) -> RunReport:
    """`intake run`: one locked pass over every configured source."""
    with RunLock(config.database):
        db = Database(config.database)
        try:
            pipeline = Pipeline(config, db, clock)
            try:
                return pipeline.run_once()
            finally:
                pipeline.reader.close()
        finally:
            db.close()
