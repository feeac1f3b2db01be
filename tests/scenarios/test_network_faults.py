"""Network faults between the pipeline and its servers: latency, resets, stalls, one-byte writes.

A FaultProxy (tests/support/faultproxy.py) sits between the pipeline and Dovecot, and another between
the pipeline and the SMTP server. Each test delivers the same mail, runs the pipeline through
the fault, lets it recover, and compares what it ends with against a clean run of the same mail
straight to the servers: the ledger (uid, Message-ID, sha256, status, verdict, reference) must
be equal, and the SMTP server must hold the same replies, each once; a reply the outbox counted
as ambiguous (connection lost after the final dot) may be there twice. A stall must be
detected within the configured timeout (TIMEOUT here, to keep the tests short).
"""
from __future__ import annotations

import email
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

import pytest
from imapclient import IMAPClient

from bench.dovecot import Dovecot
from pipeline.app.runner import BACKOFF, Pipeline, RunReport
from pipeline.app.serve import FIRST_RETRY, Service
from pipeline.config.settings import Config, load_config
from pipeline.demo.samples import catalogue
from pipeline.sources.imap import watch_idle
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox, stamp
from tests.support.faultproxy import DOWN, UP, FaultProxy
from tests.support.smtpserver import SmtpServer

SAMPLES = {s.key: s for s in catalogue()}
SECRET_ENV = "INTAKE_TEST_FAULTS_SECRET"
START = datetime(2024, 4, 13, 1, 0, tzinfo=timezone.utc)
# [[sources]] timeout and [smtp] timeout in these tests, and how much later a stall must be seen.
TIMEOUT = 2.0
MARGIN = 1.0
# Three answered submissions (one of 4.5 MB, to be cut in the middle of its FETCH), an inquiry
# and an auto-reply that get no answer.
MAILS = ("gpipc-park-complete", "ccea-green-deficient", "inquiry", "auto-reply",
         "gpipc-park-deficient")
# Small ones for the slicing tests, where every byte is a write of its own.
SMALL = ("ccea-green-deficient", "inquiry", "auto-reply")

CONFIG = '''
[paths]
database = "var/intake.db"
raw = "var/raw"

[[sources]]
name = "box"
type = "imap"
host = "127.0.0.1"
port = {imap_port}
{tls}
user = "{user}"
password_env = "{secret_env}"
idle = false
backlog = "reply"
timeout = {timeout}

[replies]
sender = "smtp"
mode = "send"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
timeout = {timeout}
'''


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass(frozen=True)
class Result:
    ledger: list[tuple]
    replies: Counter  # (recipients, subject) -> times the SMTP server took it


class Deployment:
    """A workspace reading a Dovecot and replying through an SMTP server, each reached at the
    port given (a proxy's or the server's own); a test clock, reconnection waits recorded."""

    def __init__(self, root: Path, dovecot: Dovecot, imap_port: int, smtp: SmtpServer,
                 smtp_port: int, tls: str = "none"):
        root.mkdir()
        self.smtp = smtp
        tls_lines = 'tls = "none"' if tls == "none" else \
            f'tls = "{tls}"\nca_file = "{dovecot.ca_file}"'
        path = root / "config.toml"
        path.write_text(CONFIG.format(imap_port=imap_port, tls=tls_lines, user=dovecot.user,
                                      secret_env=SECRET_ENV, timeout=TIMEOUT,
                                      smtp_port=smtp_port), encoding="utf-8")
        self.config: Config = load_config(path)
        self.clock = Clock()
        self.waits: list[float] = []  # the poll's waits before reconnecting, not waited
        self.waited_at: list[float] = []  # when each was asked for: a failure was detected
        self.db = Database(self.config.database)
        self.pipeline = Pipeline(self.config, self.db, self.clock, sleep=self._wait)

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waited_at.append(time.monotonic())

    def until_idle(self, passes: int = 4) -> None:
        """Passes an hour apart (past any outbox backoff) until nothing is left to do."""
        for _ in range(passes):
            self.pipeline.run_once()
            if not self.unfinished():
                return
            self.clock.advance(hours=1)
        raise AssertionError(f"not idle after {passes} passes: {self.unfinished()}")

    def fetch_and_process(self) -> None:
        """A pass without its drain, so that a test can time the drain alone."""
        assert self.pipeline.poll("box").ok
        self.pipeline.process_pending(RunReport())

    def unfinished(self) -> list[dict]:
        last_poll = self.db.query("select ok, error from polls order by id desc limit 1")
        return [p for p in last_poll if not p["ok"]] + self.db.query(
            "select 'message' as what, id, status from messages where status != 'done' union all "
            "select 'outbox', id, status from outbox where status not in ('sent', 'suppressed')")

    def ledger(self) -> list[tuple]:
        return [tuple(r.values()) for r in self.db.query(
            "select m.folder, m.uid, m.message_id, m.sha256, m.status, m.verdict, s.reference "
            "from messages m left join submissions s on s.id = m.submission_id order by m.id")]

    def outbox(self) -> list[dict]:
        return self.db.query("select id, status, attempts, ambiguous, next_attempt_at, code, "
                             "message_id from outbox order by id")

    def result(self) -> Result:
        return Result(self.ledger(), Counter((m.rcpt_tos, subject(m.raw))
                                             for m in self.smtp.messages))


def subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Subject"])


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"])


_CLEAN: dict[tuple[str, ...], Result] = {}


@pytest.fixture
def world(dovecot, smtp_server_factory, fault_proxy, tmp_path, monkeypatch):
    """Deployments made for a test; their databases closed after it."""
    monkeypatch.setenv(SECRET_ENV, dovecot.password)
    made: list[Deployment] = []

    class World:
        delivered: tuple[str, ...] = ()

        def deliver(self, keys: tuple[str, ...]) -> None:
            for key in keys:
                dovecot.append(SAMPLES[key].build())
            self.delivered += keys

        def clean(self) -> Result:
            """The same mail run straight to the servers, no proxy: what a fault must not change.
            Computed once per list of mails: the clock is fixed, so it cannot differ."""
            if self.delivered not in _CLEAN:
                server = smtp_server_factory()
                deployment = self.deploy("clean", dovecot.port, server, server.port)
                deployment.until_idle()
                result = deployment.result()
                assert result.replies and all(n == 1 for n in result.replies.values())
                _CLEAN[self.delivered] = result
            return _CLEAN[self.delivered]

        def faulted(self, tls: str = "none") -> tuple[Deployment, FaultProxy, FaultProxy]:
            """A deployment behind two clean proxies: (deployment, IMAP proxy, SMTP proxy)."""
            server = smtp_server_factory()
            port = dovecot.tls_port if tls == "implicit" else dovecot.port
            imap = fault_proxy((dovecot.host, port))
            smtp = fault_proxy((server.host, server.port))
            return self.deploy("faulted", imap.port, server, smtp.port, tls), imap, smtp

        def deploy(self, name: str, imap_port: int, server: SmtpServer, smtp_port: int,
                   tls: str = "none") -> Deployment:
            deployment = Deployment(tmp_path / name, dovecot, imap_port, server, smtp_port, tls)
            made.append(deployment)
            return deployment

    try:
        yield World()
    finally:
        for deployment in made:
            deployment.db.close()


def assert_same_as_clean(deployment: Deployment, clean: Result) -> int:
    """Ledger equal; every reply the clean run sent, once, or twice when the outbox counted it
    ambiguous. Returns how many replies the server took twice."""
    assert deployment.ledger() == clean.ledger
    result = deployment.result()
    assert set(result.replies) == set(clean.replies)
    taken = Counter(message_id(m.raw) for m in deployment.smtp.messages)
    ambiguous = {r["message_id"] for r in deployment.outbox() if r["ambiguous"]}
    twice = {mid for mid, n in taken.items() if n > 1}
    assert max(taken.values()) <= 2 and twice <= ambiguous
    assert set(taken) == {r["message_id"] for r in deployment.outbox() if r["status"] == "sent"}
    assert sum(result.replies.values()) == sum(clean.replies.values()) + len(twice)
    return len(twice)


def due(deployment: Deployment, now: datetime) -> list[int]:
    return [row.id for row in Outbox(deployment.db).due(now)]


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


# ---- IMAP: the proxy between the pipeline and Dovecot -------------------------------------

def test_imap_latency_changes_nothing(world):
    world.deliver(MAILS)
    clean = world.clean()
    deployment, imap, _ = world.faulted()
    imap.latency(0.01)
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 0
    assert deployment.waits == [] and imap.connections == 1


@pytest.mark.parametrize("tls", ["none", "implicit"])
def test_imap_single_byte_writes_change_nothing(world, tls):
    world.deliver(SMALL)
    clean = world.clean()
    deployment, imap, _ = world.faulted(tls)
    imap.slice()
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 0
    assert deployment.waits == [] and imap.received["down"] > 100_000


def test_imap_reset_in_the_middle_of_a_fetch_reconnects_after_a_backoff(world, caplog):
    """GIVEN a connection reset 1 MB into the FETCH of a 4.5 MB mail WHEN the pipeline polls
    THEN it reconnects after BACKOFF seconds within the same poll and fetches everything once."""
    world.deliver(MAILS)
    clean = world.clean()
    deployment, imap, _ = world.faulted()
    imap.reset_after(1_000_000, DOWN, marker=b"BODY[] {", count=1)
    deployment.until_idle()
    assert imap.tripped == 1 and imap.connections == 2
    assert deployment.waits == [BACKOFF]
    assert "(connection, attempt 1)" in caplog.text
    polls = deployment.db.query("select ok, fetched from polls order by id")
    assert [(p["ok"], p["fetched"]) for p in polls][0] == (1, len(MAILS))
    assert assert_same_as_clean(deployment, clean) == 0


@pytest.mark.parametrize("tls, where", [
    ("none", "greeting"),        # accepted, never a "* OK"
    ("implicit", "greeting"),    # accepted, never a ServerHello: the TLS handshake waits
    ("none", "fetch"),           # 1 MB into the FETCH of the big mail
    ("implicit", "fetch"),       # the same inside TLS, counted in encrypted bytes
    ("starttls", "fetch"),       # the same after STARTTLS: the timeout survives the upgrade
])
def test_an_imap_stall_is_detected_within_the_timeout(world, caplog, tls, where):
    world.deliver(MAILS)
    clean = world.clean()
    deployment, imap, _ = world.faulted(tls)
    if where == "greeting":
        imap.stall(count=1)
    elif tls == "none":
        imap.stall(1_000_000, DOWN, marker=b"BODY[] {", count=1)
    else:
        imap.stall(1_000_000, DOWN, count=1)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert deployment.pipeline.poll("box").ok
    # One attempt stalled until the timeout, the reconnection (its wait recorded) got it all.
    assert imap.tripped == 1 and "(timeout, attempt 1)" in caplog.text
    assert deployment.waits == [BACKOFF]
    detected = deployment.waited_at[0] - started
    print(f"IMAP stall ({tls}, {where}): detected after {detected:.2f} s, timeout {TIMEOUT:g} s; "
          f"poll done after {time.monotonic() - started:.2f} s")
    assert TIMEOUT <= detected < TIMEOUT + MARGIN, detected
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 0


@pytest.mark.slow  # three timeouts in a row
def test_an_imap_server_that_stays_silent_fails_the_poll_after_each_reconnection(world):
    """Every connection stalls: each attempt gives up at the timeout, with growing waits
    between; the poll is recorded as failed and the next poll, on a clean line, gets it all."""
    world.deliver(SMALL)
    clean = world.clean()
    deployment, imap, _ = world.faulted()
    imap.stall()
    started = time.monotonic()
    deployment.pipeline.poll("box")
    detected = [at - before for at, before in zip(deployment.waited_at,
                                                   [started] + deployment.waited_at)]
    detected.append(time.monotonic() - deployment.waited_at[-1])
    print("IMAP stalled three times: detected after " + ", ".join(f"{d:.2f} s" for d in detected))
    assert imap.connections == 3 and deployment.waits == [BACKOFF, 2 * BACKOFF]
    assert all(TIMEOUT <= d < TIMEOUT + MARGIN for d in detected), detected
    (poll,) = deployment.db.query("select ok, error_kind, fetched from polls")
    assert (poll["ok"], poll["error_kind"], poll["fetched"]) == (0, "timeout", 0)
    imap.clean()
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 0


class ServeClock:
    """Virtual time for `intake serve`: wait() jumps ahead; polls are timed on it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds

    def wait(self, seconds: float) -> None:
        self.seconds += max(0.0, seconds)

    def wake(self) -> None:
        pass


def test_serve_backs_off_between_failed_polls_and_recovers(world):
    """GIVEN Dovecot unreachable (every connection reset at once) WHEN `intake serve` runs
    THEN the polls after a failure wait 30 s, 60 s, 120 s, and once the line is clean the next
    poll fetches everything and the outbox sends every reply once."""
    world.deliver(MAILS)
    clean = world.clean()
    deployment, imap, _ = world.faulted()
    imap.reset_after(0, DOWN)
    clock = ServeClock()
    service = Service(deployment.config, deployment.db, clock)
    polls: list[tuple[float, float, bool]] = []
    poll = service.pipeline.poll

    def timed_poll(name: str):
        if polls and polls[-1][2]:  # the pass of the good poll processed and sent it all
            service.stop()
        started = clock.seconds
        result = poll(name)
        polls.append((started, clock.seconds, result.ok))
        if len(polls) == 3:
            imap.clean()
        return result

    service.pipeline.poll = timed_poll
    service.run()
    polls = polls[:4]
    assert [ok for _, _, ok in polls] == [False, False, False, True]
    gaps = [after[0] - before[1] for before, after in zip(polls, polls[1:])]
    assert gaps == [FIRST_RETRY, 2 * FIRST_RETRY, 4 * FIRST_RETRY]
    # Within each failed poll, the reconnections waited BACKOFF, then twice that.
    assert [end - start for start, end, ok in polls if not ok] == [3 * BACKOFF] * 3
    assert assert_same_as_clean(deployment, clean) == 0


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize("tls, fault", [("none", "reset"), ("implicit", "reset"),
                                        ("none", "server restart")])
def test_a_lost_idle_connection_is_renewed_after_a_backoff(world, dovecot, monkeypatch, tls,
                                                           fault):
    """GIVEN `intake serve`'s watcher waiting in IDLE WHEN the connection is reset, or the
    server says BYE and closes it THEN the watcher notices at once instead of spinning on a
    dead socket until the 25-minute renewal, waits its backoff, reconnects, and wakes the
    scheduler for the next mail."""
    deployment, imap, _ = world.faulted(tls)
    checks, waits, back = [], [], threading.Event()
    idle_check = IMAPClient.idle_check

    def counted(client: IMAPClient, timeout: float | None = None) -> list:
        checks.append(1)
        return idle_check(client, timeout)

    monkeypatch.setattr(IMAPClient, "idle_check", counted)
    # The backoff is recorded, and lasts until the server is back.
    monkeypatch.setattr("pipeline.sources.imap._sleep_unless",
                        lambda stopping, seconds: waits.append(seconds) or back.wait(5))
    woken, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_idle, args=(deployment.config.sources[0].imap,
                                                        "INBOX", woken.set, stop.is_set))
    watcher.start()
    try:
        assert wait_for(lambda: checks)  # in IDLE
        imap.cut() if fault == "reset" else dovecot.restart()
        back.set()
        assert wait_for(lambda: imap.connections == 2 and len(checks) > 1)
        assert waits == [10.0] and len(checks) < 10, len(checks)
        world.deliver(("inquiry",))
        assert woken.wait(5)
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()


# ---- SMTP: the proxy between the pipeline and the SMTP server -----------------------------

def test_smtp_latency_changes_nothing(world):
    world.deliver(MAILS)
    clean = world.clean()
    deployment, _, smtp = world.faulted()
    smtp.latency(0.05)
    deployment.until_idle(passes=1)
    assert assert_same_as_clean(deployment, clean) == 0


def test_smtp_single_byte_writes_change_nothing(world):
    world.deliver(MAILS)
    clean = world.clean()
    deployment, _, smtp = world.faulted()
    smtp.slice()
    deployment.until_idle(passes=1)
    assert assert_same_as_clean(deployment, clean) == 0


def test_a_reset_during_data_is_retried_after_the_outbox_backoff(world):
    """GIVEN a connection reset 2 000 bytes into DATA, twice WHEN the outbox drains THEN each
    drain stops at the reset, the reply waits 60 s, then 120 s, while the others go out; the
    server never took the cut-off copies."""
    world.deliver(MAILS)
    clean = world.clean()
    deployment, _, smtp = world.faulted()
    smtp.reset_after(2000, UP, marker=b"data\r\n", count=2)  # smtplib writes "data"
    assert deployment.pipeline.run_once().sent == 0
    first, *others = deployment.outbox()
    assert (first["status"], first["attempts"], first["code"]) == ("queued", 1, None)
    assert first["next_attempt_at"] == stamp(START + timedelta(seconds=60))
    assert all(r["attempts"] == 0 for r in others)  # the drain stopped at the failure
    assert first["id"] not in due(deployment, START + timedelta(seconds=59))
    deployment.clock.advance(seconds=61)
    assert deployment.pipeline.drain_outbox().sent == 0 and smtp.tripped == 2
    first, *others = deployment.outbox()
    assert (first["attempts"], all(r["attempts"] == 0 for r in others)) == (2, True)
    assert first["next_attempt_at"] == stamp(START + timedelta(seconds=61 + 120))
    deployment.clock.advance(seconds=119)
    assert deployment.pipeline.drain_outbox().sent == len(others)  # not the one still waiting
    deployment.clock.advance(seconds=2)
    assert deployment.pipeline.drain_outbox().sent == 1
    ambiguous = sum(r["ambiguous"] for r in deployment.outbox())
    print(f"SMTP reset during DATA: {ambiguous} of 2 failed sends counted ambiguous")
    assert assert_same_as_clean(deployment, clean) == 0  # cut off before the dot: never taken


def test_an_smtp_server_that_never_greets_is_detected_within_the_timeout(world):
    world.deliver(MAILS)
    clean = world.clean()
    deployment, _, smtp = world.faulted()
    smtp.stall(count=1)
    deployment.fetch_and_process()
    elapsed = timed(lambda: deployment.pipeline.drain_outbox())
    print(f"SMTP stall before the greeting: drain gave up after {elapsed:.2f} s, "
          f"timeout {TIMEOUT:g} s")
    assert TIMEOUT <= elapsed < TIMEOUT + MARGIN, elapsed
    first, *others = deployment.outbox()
    assert (first["status"], first["attempts"], first["ambiguous"]) == ("queued", 1, 0)
    assert first["next_attempt_at"] == stamp(START + timedelta(seconds=60))
    assert all(r["attempts"] == 0 for r in others) and deployment.smtp.messages == []
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 0


def test_an_smtp_stall_after_the_final_dot_is_ambiguous_and_may_arrive_twice(world):
    """GIVEN a server that takes the whole message and its final dot, and whose answer is lost
    WHEN the client gives up at the timeout THEN the reply is counted ambiguous and sent again
    after the backoff: the server holds it twice, under one Message-ID, and nothing else twice."""
    world.deliver(MAILS)
    clean = world.clean()
    deployment, _, smtp = world.faulted()
    smtp.stall(direction=UP, marker=b"\r\n.\r\n", count=1)
    deployment.fetch_and_process()
    elapsed = timed(lambda: deployment.pipeline.drain_outbox())
    print(f"SMTP stall after the final dot: drain gave up after {elapsed:.2f} s, "
          f"timeout {TIMEOUT:g} s")
    assert TIMEOUT <= elapsed < TIMEOUT + MARGIN, elapsed
    first = deployment.outbox()[0]
    assert (first["status"], first["ambiguous"]) == ("queued", 1)
    assert first["next_attempt_at"] == stamp(START + timedelta(seconds=60))
    assert len(deployment.smtp.messages) == 1  # the server has it, the client does not know
    deployment.until_idle()
    assert assert_same_as_clean(deployment, clean) == 1
