"""`intake serve` runs a campaign's days on a fast clock: polls, replies, a reminder, digests."""
from __future__ import annotations

import email
import os
import signal
from datetime import datetime, timedelta, timezone
from email.policy import default as default_policy
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from pipeline.app.serve import serve
from pipeline.config.settings import load_config
from pipeline.demo.samples import catalogue

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLES = {s.key: s for s in catalogue()}
SECRET_ENV = "INTAKE_TEST_DAY_SECRET"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 4, day, hour, minute, tzinfo=SHANGHAI)


class FastClock:
    """Virtual time: wait() jumps ahead at once, running what the test planned for that moment.

    At `end` it sends the process SIGTERM, as systemd would, so the run stops the real way.
    """

    def __init__(self, start: datetime, end: datetime,
                 happenings: list[tuple[datetime, Callable[[], object]]]):
        self.current, self.start, self.end = start.astimezone(timezone.utc), start, end
        self.happenings = sorted(happenings, key=lambda h: h[0])
        self.stopping = False

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return (self.current - self.start).total_seconds()

    def wait(self, seconds: float) -> None:
        target = self.current + timedelta(seconds=max(0.0, seconds))
        while self.happenings and self.happenings[0][0] <= target:
            when, happen = self.happenings.pop(0)
            self.current = max(self.current, when.astimezone(timezone.utc))
            happen()
        self.current = target
        if self.current >= self.end and not self.stopping:
            self.stopping = True
            os.kill(os.getpid(), signal.SIGTERM)

    def wake(self) -> None:
        pass


def write_config(root: Path, server, monkeypatch) -> Path:
    monkeypatch.setenv(SECRET_ENV, server.password)
    path = root / "config.toml"
    path.write_text(f'''
[paths]
database = "var/intake.db"
raw = "var/raw"

[[sources]]
name = "gpipc"
type = "imap"
host = "{server.host}"
port = {server.port}
tls = "none"
user = "{server.user}"
password_env = "{SECRET_ENV}"
idle = false
interval = 900

[replies]
spool = "var/outbox"
mode = "send"

[digest]
to = ["secretariat@example.org"]

[schedule]
reminders = "09:00"
digest = "18:00"
''', encoding="utf-8")
    return path


def spooled(root: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=default_policy)
            for p in sorted((root / "var" / "outbox").glob("*.eml"))]


def test_a_campaign_week_on_a_fast_clock(dovecot, tmp_path, monkeypatch):
    """GIVEN serve started on 10 April at 08:00 WHEN a deficient, a complete submission and an
    inquiry arrive that day THEN the two applicants are answered within one poll, the deficient
    one is reminded on a later morning, and a digest goes out at 18:00 every day."""
    config = load_config(write_config(tmp_path, dovecot, monkeypatch))

    def deliver(key: str) -> Callable[[], int]:
        return lambda: dovecot.append(SAMPLES[key].build())

    clock = FastClock(local(10, 8), local(14, 10), [
        (local(10, 18), deliver("gpipc-park-deficient")),
        (local(10, 18, 30), deliver("gpipc-park-complete")),
        (local(10, 19), deliver("inquiry")),
    ])
    result = serve(config, clock=clock)

    assert result.polls["gpipc"] >= 4 * 24 * 4 - 8  # every 15 minutes for four days
    assert result.outcomes == 3
    mails = spooled(tmp_path)
    by_kind: dict[str, list] = {}
    for message in mails:
        subject = str(message["Subject"])
        kind = next((k for k in ("【需补正】", "【已受理】", "【补正提醒】", "【每日汇总】")
                     if subject.startswith(k)), subject)
        by_kind.setdefault(kind, []).append(message)
    assert set(by_kind) == {"【需补正】", "【已受理】", "【补正提醒】", "【每日汇总】"}
    notice = by_kind["【需补正】"][0]
    assert len(by_kind["【需补正】"]) == 1 and len(by_kind["【已受理】"]) == 1
    assert str(notice["Date"]).startswith("Wed, 10 Apr 2024")  # answered the evening it came

    reminders = by_kind["【补正提醒】"]
    days = [email.utils.parsedate_to_datetime(str(r["Date"])).astimezone(SHANGHAI).date()
            for r in reminders]
    assert 1 <= len(reminders) <= 2 and len(set(days)) == len(days)
    assert all(d > local(10, 0).date() for d in days)
    assert all(r["In-Reply-To"] == notice["Message-ID"] for r in reminders)
    assert all(r["To"] == notice["To"] and r["Auto-Submitted"] == "auto-generated" for r in reminders)

    digests = by_kind["【每日汇总】"]
    assert len(digests) == 4  # 10, 11, 12 and 13 April at 18:00
    assert all(str(d["To"]) == "secretariat@example.org" for d in digests)
    hours = {email.utils.parsedate_to_datetime(str(d["Date"])).astimezone(SHANGHAI).hour
             for d in digests}
    assert hours == {18}
    reference = notice["Subject"].split("受理编号：")[1].rstrip("）")
    first = digests[0].get_body(("plain",)).get_content()
    assert reference in first
