"""`intake serve`: the schedule's arithmetic, one instance per database, a clean stop on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from datetime import time as clock_time
from datetime import timezone
from functools import partial
from zoneinfo import ZoneInfo

from pipeline.app.serve import next_daily
from pipeline.demo.samples import Sample, catalogue
from tests.support.workspace import make_workspace

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_next_daily_time_is_today_when_still_ahead_else_tomorrow():
    morning = datetime(2024, 4, 8, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai
    assert next_daily(morning, clock_time(9, 0), SHANGHAI) == datetime(2024, 4, 8, 9, 0, tzinfo=SHANGHAI)
    assert next_daily(morning, clock_time(8, 30), SHANGHAI) == datetime(2024, 4, 9, 8, 30, tzinfo=SHANGHAI)


def test_the_next_daily_time_counts_in_the_secretariats_zone_not_utc():
    late_utc = datetime(2024, 4, 8, 17, 0, tzinfo=timezone.utc)  # already 01:00 on the 9th
    assert next_daily(late_utc, clock_time(0, 30), SHANGHAI) == datetime(2024, 4, 10, 0, 30, tzinfo=SHANGHAI)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _rounds(count: int) -> list[Sample]:
    """The catalogue delivered `count` times, each round its own mails (its own Message-IDs):
    enough work that serve is still busy when the signal comes, on a fast machine too."""
    return [replace(s, key=f"r{n}-{s.key}", build=partial(s.build.func, f"r{n}-{s.build.args[0]}"))
            for n in range(count) for s in catalogue()]


def test_sigterm_finishes_the_message_at_hand_and_a_second_instance_is_refused(tmp_path):
    """GIVEN `intake serve` working through a Maildir WHEN `intake run` starts beside it THEN it
    is refused; WHEN serve gets SIGTERM THEN it exits 0 with nothing half-done, and a later run
    finishes the rest with exactly one reply per answered mail."""
    samples = _rounds(6)
    workspace = make_workspace(tmp_path, samples)
    spool = tmp_path / "var" / "outbox"
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--config", str(workspace.config_path)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"})
    def finished() -> int:
        return workspace.query("select count(*) as n from messages where status = 'done'")[0]["n"]

    try:
        assert wait_for(lambda: (tmp_path / "var" / "intake.db").exists() and finished() >= 2, 120)
        second = workspace.intake("run", timeout=60)
        assert second.returncode == 2 and "another intake process" in second.stderr
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err[-2000:]
    assert "stopped after 1 polls" in out
    assert finished() < len(samples)  # it stopped part-way, between two messages
    half_done = workspace.query("select id from messages where status = 'fetched' and attempts > 0")
    assert half_done == []
    assert workspace.intake("run").returncode == 0
    done = workspace.query("select count(*) as n from messages where status = 'done'")[0]["n"]
    assert done == len(samples)
    replies = workspace.query("select message_row, count(*) as n from outbox group by message_row")
    assert replies and all(r["n"] == 1 for r in replies)
    sent = workspace.query("select count(*) as n from outbox where status = 'sent'")[0]["n"]
    # Later rounds' replies to the same senders are partly held by the per-address limits.
    assert len(list(spool.glob("*.eml"))) == sent > 0
