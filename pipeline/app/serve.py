"""`intake serve`: one long-running process that runs the secretariat's day.

The schedule is kept by the standard library's `sched`, which takes its time and delay
functions as parameters: the real clock in production, a fast clock in the tests that run a
whole campaign day in seconds. (APScheduler reads the wall clock itself and cannot be driven
by a test clock.) Every job runs in the main thread, one after another; IDLE watchers run in
threads of their own and only wake the main thread, which then polls at once.
"""
from __future__ import annotations

import logging
import queue
import sched
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock_time
from datetime import timedelta, timezone
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

from outbox.sender import Sender
from pipeline.app.runner import Pipeline, RunReport
from pipeline.config.settings import Config
from pipeline.store.database import Database
from pipeline.store.lock import RunLock

log = logging.getLogger("intake")

# After a failed poll: retry in 30 s, then 60, 120, ... but never wait more than an hour.
FIRST_RETRY = 30.0
MAX_BACKOFF = 3600.0


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    def monotonic(self) -> float: ...

    def wait(self, seconds: float) -> None:
        """Wait this long, or less when wake() is called."""
        ...

    def wake(self) -> None: ...


class RealClock:
    def __init__(self) -> None:
        self._woken = threading.Event()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float) -> None:
        self._woken.wait(max(0.0, seconds))
        self._woken.clear()

    def wake(self) -> None:
        self._woken.set()


def next_daily(now: datetime, at: clock_time, zone: ZoneInfo) -> datetime:
    """The next time the local clock shows `at`, strictly after now."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


@dataclass
class ServeLog:
    """What a service did, for the caller and the tests."""

    polls: dict[str, int] = field(default_factory=dict)
    outcomes: int = 0
    sent: int = 0
    reminders: int = 0
    digests: int = 0


class Service:
    """The jobs of a day: polls per mailbox, the outbox, reminders and the digest."""

    def __init__(self, config: Config, db: Database, clock: Clock, sender: Sender | None = None):
        self.config, self.db, self.clock = config, db, clock
        self.stopped = False
        self.pipeline = Pipeline(config, db, clock.now, sender, sleep=self._pause,
                                 stopping=lambda: self.stopped)
        self.scheduler = sched.scheduler(clock.monotonic, self._delay)
        self.woken: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.failures = {name: 0 for name in self.pipeline.source_configs}
        self.next_poll: dict[str, sched.Event] = {}
        self.log = ServeLog()

    # ---- running and stopping ------------------------------------------------------------

    def run(self) -> ServeLog:
        for name in self.pipeline.source_configs:
            self.next_poll[name] = self.scheduler.enter(0, 1, self._poll, (name,))
        self.scheduler.enter(self.config.schedule.outbox_interval, 2, self._drain)
        for job, at in ((self._remind, self.config.schedule.reminders),
                        (self._digest, self.config.schedule.digest)):
            if at is not None:
                self._at(next_daily(self.clock.now(), at, self.config.schedule.zone), job, at)
        watchers = self._watch()
        log.info("serving %s mailbox(es)", len(self.next_poll))
        try:
            self.scheduler.run()
        finally:
            self.stopped = True
            for watcher in watchers:
                watcher.join(timeout=5)
        log.info("stopped")
        return self.log

    def stop(self) -> None:
        """Finish the job at hand (the message being processed), then return from run()."""
        self.stopped = True
        self.clock.wake()

    def _delay(self, seconds: float) -> None:
        if self.stopped:
            for event in list(self.scheduler.queue):
                self.scheduler.cancel(event)
            return
        self.clock.wait(seconds)
        self._poll_woken()

    def _pause(self, seconds: float) -> None:
        if not self.stopped:
            self.clock.wait(seconds)

    # ---- the jobs ------------------------------------------------------------------------

    def _poll(self, name: str) -> None:
        result = self.pipeline.poll(name)
        report = RunReport()
        self.pipeline.process_pending(report)
        self.pipeline.file_processed(name)
        self.log.sent += self.pipeline.drain_outbox().sent
        self.log.polls[name] = self.log.polls.get(name, 0) + 1
        self.log.outcomes += len(report.outcomes)
        self.failures[name] = 0 if result.ok else self.failures[name] + 1
        delay = self.pipeline.source_configs[name].interval if result.ok else \
            min(MAX_BACKOFF, FIRST_RETRY * 2 ** (self.failures[name] - 1))
        self.next_poll[name] = self.scheduler.enter(delay, 1, self._poll, (name,))

    def _poll_woken(self) -> None:
        """IDLE saw new mail: bring that mailbox's next poll forward to now."""
        while True:
            try:
                name = self.woken.get_nowait()
            except queue.Empty:
                return
            event = self.next_poll.get(name)
            if event is not None and event in self.scheduler.queue:
                self.scheduler.cancel(event)
                self.next_poll[name] = self.scheduler.enter(0, 1, self._poll, (name,))

    def _drain(self) -> None:
        self.log.sent += self.pipeline.drain_outbox().sent
        self.scheduler.enter(self.config.schedule.outbox_interval, 2, self._drain)

    def _at(self, when: datetime, job: Callable[[datetime], None], at: clock_time) -> None:
        """Run job at a local time of day, and again the next day."""
        def fire() -> None:
            now = self.clock.now()
            if now < when:  # woken early (the wall clock was set back): wait the rest
                self._at(when, job, at)
                return
            job(now)
            self._at(next_daily(now, at, self.config.schedule.zone), job, at)

        delay = max(0.0, (when - self.clock.now()).total_seconds())
        self.scheduler.enter(delay, 3, fire)

    def _remind(self, now: datetime) -> None:
        from pipeline.app.remind import send_reminders

        self.log.reminders += len(send_reminders(self.db, self.config, now))
        self.log.sent += self.pipeline.drain_outbox().sent

    def _digest(self, now: datetime) -> None:
        from pipeline.app.digest import queue_digest

        if queue_digest(self.db, self.config, now) is not None:
            self.log.digests += 1
        self.log.sent += self.pipeline.drain_outbox().sent

    # ---- IDLE ----------------------------------------------------------------------------

    def _watch(self) -> list[threading.Thread]:
        """One IDLE thread per watched folder of each IMAP mailbox that asks for it."""
        from pipeline.sources.imap import watch_idle

        threads = []
        for name, config in self.pipeline.source_configs.items():
            if config.imap is None or not config.imap.idle:
                continue
            for folder in config.imap.folders:
                def wake(name: str = name) -> None:
                    self.woken.put(name)
                    self.clock.wake()

                thread = threading.Thread(
                    target=watch_idle, args=(config.imap, folder, wake, lambda: self.stopped),
                    name=f"idle-{name}-{folder}", daemon=True)
                thread.start()
                threads.append(thread)
        return threads


def serve(config: Config, clock: Clock | None = None, sender: Sender | None = None) -> ServeLog:
    """`intake serve`: hold the run lock, answer SIGTERM/SIGINT by finishing the message at hand."""
    clock = clock or RealClock()
    with RunLock(config.database):
        db = Database(config.database)
        service = Service(config, db, clock, sender)
        handlers = {sig: signal.signal(sig, lambda *_: service.stop())
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            return service.run()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            db.close()
