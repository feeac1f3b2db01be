"""The floor F and the pipeline over the same mails from a Maildir, with a stage breakdown.

F is what any program that keeps a mail's attachments must do: read the .eml, parse it with
the standard library (policy.default), get_content() of every attachment and write it to
disk. The pipeline pass is `intake run` on a Maildir source with a fresh database, raw store
and outbox: fetch into the raw store and ledger, parse, classify, parse every document in
the isolated workers (and convert the legacy .doc forms), run the rules, save, compose and
spool each reply.
"""
from __future__ import annotations

import email
import email.policy
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline import stages
from pipeline.app.runner import Pipeline
from pipeline.config.settings import Config, parse_config
from pipeline.store.database import Database

# The corpus is dated 1–14 April 2024; its campaign closes on the 15th.
NOW = datetime(2024, 4, 14, 12, 0, tzinfo=timezone.utc)


def fixed_clock() -> datetime:
    return NOW


def bench_config(maildir: Path, work: Path) -> Config:
    """The embedded default's shape: a Maildir source, SQLite, replies spooled to a folder."""
    data = {
        "paths": {"database": "intake.db", "raw": "raw", "cache": "cache"},
        "sources": [{"name": "bench", "type": "maildir", "path": str(maildir), "backlog": "reply"}],
        "replies": {"sender": "spool", "spool": "outbox", "mode": "send",
                    "from": "cases@example.org", "domain": "example.org"},
    }
    return parse_config(data, work)


def floor_pass(emls: list[Path], out: Path) -> float:
    """Seconds for F over every mail."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    for number, path in enumerate(emls):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for index, part in enumerate(message.iter_attachments()):
            content = part.get_content()
            (out / f"{number}-{index}").write_bytes(
                content.encode() if isinstance(content, str) else content)
    return time.perf_counter() - started


@dataclass(frozen=True)
class PipelinePass:
    seconds: float
    stages: dict[str, float]
    verdicts: Counter
    parked: int


def pipeline_pass(maildir: Path, work: Path) -> PipelinePass:
    """One `intake run` over the Maildir from nothing: every mail new."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = bench_config(maildir, work)
    db = Database(config.database)
    pipeline = Pipeline(config, db, fixed_clock)
    try:
        with stages.recording() as spent:
            started = time.perf_counter()
            report = pipeline.run_once()
            seconds = time.perf_counter() - started
    finally:
        pipeline.reader.close()
        db.close()
    verdicts = Counter(outcome.verdict for _, outcome in report.outcomes)
    return PipelinePass(seconds, dict(spent), verdicts, len(report.parked))
