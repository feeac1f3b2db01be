"""IMAP against a real Dovecot on loopback: fetch throughput, and the poll that finds no mail.

measure_fetch APPENDs the corpus to the INBOX once, then times `Pipeline.fetch()` with a fresh
database and raw store each pass, so every pass fetches all N mails into the raw store and the
ledger (fsynced, as in production). The figure is the median pass.

measure_idle_poll writes N small mails into the Maildir's new/ before Dovecot starts, where
APPEND would put them too (10 000 APPENDs take half a minute), and a first real poll, not
timed, records them as backlog. It then times `Pipeline.poll()` when nothing is new (connect,
LOGIN, ID, LIST, EXAMINE of INBOX and the empty Junk folder, UID SEARCH, LOGOUT, the poll's
ledger row) and, on one open connection, the search alone (`ImapSource.incoming`: the
ledger's last uid and UID SEARCH). The figures are medians. Dovecot is the fixture of
tests/support/dovecot.py.

Part of the 10 000-message poll is Dovecot's own: with its mailbox list index (on by default),
the first use of INBOX after a LIST re-reads dovecot-uidlist, some 40 bytes a message.
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Callable, Iterator

from bench.dovecot import Dovecot, dovecot_folder
from pipeline.app.clock import utc_now
from pipeline.app.runner import Pipeline, RunReport
from pipeline.config.settings import Config, parse_config
from pipeline.sources.chooser import open_source
from pipeline.sources.fetch import SourceLedger
from pipeline.store.database import Database

SOURCE = "bench"
SMALL_BODY = "示例正文，用于测量空轮询。\n" * 45  # a mail of about 2 KB (8bit UTF-8)


@dataclass(frozen=True)
class FetchFigures:
    messages: int
    megabytes: float
    seconds: float  # the median pass
    # The IMAP part alone: the same mails received from Dovecot, kept in memory only.
    transfer_seconds: float
    # Dovecot's own CPU per mail sent (its processes share this machine's cores with ours).
    server_cpu_ms: float
    # Our CPU per mail fetched (all threads): receiving, hashing, writing, the ledger.
    client_cpu_ms: float

    def ceiling(self, cores: int) -> float:
        """Messages/s if the cores did nothing but this fetch's and this server's work."""
        return cores * 1000 / (self.server_cpu_ms + self.client_cpu_ms)

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds

    @property
    def transfer_per_second(self) -> float:
        return self.messages / self.transfer_seconds

    @property
    def mb_per_second(self) -> float:
        return self.megabytes / self.seconds


@dataclass(frozen=True)
class PollFigures:
    messages: int
    poll_ms: float  # median Pipeline.poll() that finds nothing
    search_ms: float  # median ImapSource.incoming() on an open connection


@contextmanager
def running_dovecot(before_start: Callable[[Dovecot], None] = lambda server: None
                    ) -> Iterator[Dovecot]:
    """A Dovecot in a folder of its own (reachable by its mail user), always stopped and removed."""
    folder = dovecot_folder()
    server = None
    try:
        server = Dovecot(folder)
        before_start(server)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench_config(server: Dovecot, work: Path, max_size_mb: float = 100) -> Config:
    """One IMAP source on the plain loopback port; the password in a private file."""
    secret = work / "imap-password"
    secret.write_text(server.password, encoding="utf-8")
    secret.chmod(0o600)
    source = {"name": SOURCE, "type": "imap", "host": server.host, "port": server.port,
              "tls": "none", "user": server.user, "password_file": secret.name,
              "backlog": "record", "idle": False, "max_size_mb": max_size_mb}
    return parse_config({"paths": {"database": "intake.db", "raw": "raw"},
                         "replies": {"spool": "outbox"}, "sources": [source]}, work)


@contextmanager
def pipeline_at(config: Config) -> Iterator[Pipeline]:
    db = Database(config.database)
    try:
        pipeline = Pipeline(config, db, utc_now)
        try:
            yield pipeline
        finally:
            pipeline.reader.close()
    finally:
        db.close()


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# Fetch throughput -----------------------------------------------------------------------------

def measure_fetch(emls: list[Path], work: Path, passes: int = 3) -> FetchFigures:
    """Median of `passes` fetches of every mail in `emls`, each into an empty ledger and store."""
    megabytes = sum(p.stat().st_size for p in emls) / 1048576
    try:
        with running_dovecot() as server:
            append_all(server, emls)
            runs = [_fetch_pass(server, fresh(work / f"pass{i}"), len(emls))
                    for i in range(passes)]
            transfer = [_transfer_pass(server, fresh(work / f"transfer{i}"), len(emls))
                        for i in range(passes)]
        seconds, ours, theirs = (statistics.median(run[k] for run in runs) for k in range(3))
        per_mail_ms = 1000 / len(emls)
        return FetchFigures(len(emls), megabytes, seconds, statistics.median(transfer),
                            theirs * per_mail_ms, ours * per_mail_ms)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def server_cpu_seconds(server: Dovecot) -> float:
    """CPU time of Dovecot's master and every process it has reaped (the per-login imap
    processes): /proc's utime, stime, cutime and cstime."""
    fields = Path(f"/proc/{server._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def append_all(server: Dovecot, emls: list[Path]) -> None:
    """APPEND on one connection: Dovecot stores them as any client's mail."""
    with server.client() as client:
        for path in emls:
            client.append("INBOX", path.read_bytes())


def _fetch_pass(server: Dovecot, work: Path, count: int) -> tuple[float, float, float]:
    """Seconds, our CPU seconds and Dovecot's, for one fetch of every mail."""
    with pipeline_at(bench_config(server, work)) as pipeline:
        ours, theirs = own_cpu_seconds(), server_cpu_seconds(server)
        started = time.perf_counter()
        report = RunReport()
        pipeline.fetch(report)
        fetched = report.fetched
        seconds = time.perf_counter() - started
        ours = own_cpu_seconds() - ours
    time.sleep(0.3)  # the imap process has logged out; its master reaps it and counts its CPU
    theirs = server_cpu_seconds(server) - theirs
    if fetched != count:
        raise RuntimeError(f"fetched {fetched} of {count} mails")
    shutil.rmtree(work)
    return seconds, ours, theirs


class _Empty:
    """A ledger that has recorded nothing: every mail in the folder is new."""

    def last_uid(self, folder: str, uidvalidity: str) -> int:
        return 0

    def known(self, folder: str, uidvalidity: str) -> set[str]:
        return set()


def _transfer_pass(server: Dovecot, work: Path, count: int) -> float:
    """Every mail received through the IMAP source and dropped: no store, no ledger."""
    source = open_source(bench_config(server, work).sources[0])
    try:
        started = time.perf_counter()
        source.folders()
        uidvalidity = source.open_folder("INBOX")
        received = sum(1 for _ in source.incoming("INBOX", uidvalidity, _Empty()))
        seconds = time.perf_counter() - started
    finally:
        source.close()
        shutil.rmtree(work)
    if received != count:
        raise RuntimeError(f"received {received} of {count} mails")
    return seconds


# The idle poll ---------------------------------------------------------------------------------

def measure_idle_poll(messages: int, work: Path, polls: int = 50) -> PollFigures:
    """Median times of a poll finding nothing in an INBOX of `messages` mails already recorded."""
    try:
        with running_dovecot(lambda server: write_maildir(server, messages)) as server:
            with pipeline_at(bench_config(server, fresh(work))) as pipeline:
                first = pipeline.poll(SOURCE)  # setup: first contact records the backlog
                if first.fetched != messages:
                    raise RuntimeError(f"first poll fetched {first.fetched} of {messages}")
                poll_ms = _median_ms(lambda: _idle(pipeline.poll(SOURCE).fetched), polls)
                search_ms = _search_ms(pipeline, polls)
        return PollFigures(messages, poll_ms, search_ms)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_maildir(server: Dovecot, count: int) -> None:
    """`count` small mails in the INBOX's new/, owned by the mail user, before Dovecot starts."""
    owner = server.mail.stat()  # the fixture gave the Maildir to the mail user
    uid, gid = owner.st_uid, owner.st_gid
    root = server._maildir("INBOX")
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(exist_ok=True)
        os.chown(root / sub, uid, gid)
    base = int(time.time()) - count
    for i in range(count):
        path = root / "new" / f"{base + i}.M{i}P{os.getpid()}.bench"
        path.write_bytes(small_mail(i))
        os.chown(path, uid, gid)


def small_mail(i: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"applicant{i % 500:03d}@example.cn"
    message["To"] = "cases@example.org"
    message["Subject"] = f"绿盟案例征集 第{i}号"
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = f"<idle-{i:05d}@example.cn>"
    message.set_content(SMALL_BODY)
    return message.as_bytes()


def _idle(fetched: int) -> None:
    if fetched:
        raise RuntimeError(f"an idle poll fetched {fetched} mails")


def _search_ms(pipeline: Pipeline, polls: int) -> float:
    """`ImapSource.incoming` on a connection that has already logged in and opened INBOX."""
    source = open_source(pipeline.source_configs[SOURCE])
    try:
        source.folders()
        uidvalidity = source.open_folder("INBOX")
        ledger = SourceLedger(pipeline.db, SOURCE)
        return _median_ms(lambda: _idle(len(list(source.incoming("INBOX", uidvalidity, ledger)))),
                          polls)
    finally:
        source.close()


def _median_ms(action: Callable[[], None], times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1000


if __name__ == "__main__":
    corpus = sorted(Path("/tmp/corpus/maildir/new").glob("*.eml"))[:20]
    work = Path("/tmp/imapbench")
    started = time.perf_counter()
    fetch = measure_fetch(corpus, work / "fetch")
    print(f"fetch {fetch.messages} mails, {fetch.megabytes:.0f} MB: {fetch.per_second:.0f} "
          f"mails/s, {fetch.mb_per_second:.0f} MB/s ({time.perf_counter() - started:.1f} s)")
    figures = {}
    for count in (10_000, 1_000):
        started = time.perf_counter()
        figures[count] = measure_idle_poll(count, work / "poll")
        print(f"idle poll of {count} mails: poll {figures[count].poll_ms:.1f} ms, search "
              f"{figures[count].search_ms:.2f} ms ({time.perf_counter() - started:.1f} s)")
    ratio = figures[10_000].poll_ms / figures[1_000].poll_ms
    print(f"10 000 / 1 000: poll {ratio:.2f}x, "
          f"search {figures[10_000].search_ms / figures[1_000].search_ms:.2f}x")
    work.rmdir()
