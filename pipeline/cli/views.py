"""What the CLI prints: tables of messages, submissions and campaigns, read from the database."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.table import Table

from pipeline.app.runner import RunReport
from pipeline.cli.show import print_submission
from pipeline.config.settings import Config
from pipeline.store.database import Database


@contextmanager
def open_db(config: Config) -> Iterator[Database]:
    db = Database(config.database)
    try:
        yield db
    finally:
        db.close()


@dataclass(frozen=True)
class ListFilter:
    """`intake list` filters; None matches everything. Days are local days (bounds in UTC)."""

    status: str | None = None
    campaign: str | None = None
    source: str | None = None
    # The current verdict: the submission's (after people's decisions), else the mail's.
    verdict: str | None = None
    # Part of the unit's name.
    unit: str | None = None
    # Fetched on or after `since`, before `until` (UTC 'YYYY-MM-DD HH:MM:SS').
    since: str | None = None
    until: str | None = None
    # One ledger row by its id (`intake show 12`).
    row_id: int | None = None


def message_rows(db: Database, where: ListFilter = ListFilter()) -> list[dict]:
    """Ledger rows with their reference, current verdict and findings, oldest first."""
    rows = db.query(
        "select m.*, s.reference, s.unit_name, coalesce(s.verdict, m.verdict) as current "
        "from messages m left join submissions s on m.submission_id = s.id where "
        "(:status is null or m.status = :status) and (:campaign is null or m.campaign = "
        ":campaign) and (:source is null or m.source = :source) and (:verdict is null or "
        "coalesce(s.verdict, m.verdict) = :verdict) and (:unit is null or s.unit_name like "
        "'%' || :unit || '%') and (:since is null or datetime(m.fetched_at) >= :since) and "
        "(:until is null or datetime(m.fetched_at) < :until) and (:row_id is null or "
        "m.id = :row_id) order by m.id",
        dataclasses.asdict(where))
    for row in rows:
        row["findings"] = db.query("select rule, field, severity, message, waived_by from "
                                   "findings where message_row = ? order by id", [row["id"]])
    return rows


LIST_KEYS = ("id", "source", "folder", "uid", "message_id", "subject", "sender", "received_at",
             "fetched_at", "status", "error", "note", "campaign", "verdict", "current", "reference",
             "unit_name", "raw_path")


def list_json(row: dict) -> dict[str, object]:
    """A ledger row for `intake list --json`: the mail, its verdicts, and its findings."""
    return {**{k: row.get(k) for k in LIST_KEYS},
            "findings": [{**f, "waived": bool(f.get("waived_by"))} for f in row["findings"]]}


def _findings_text(findings: list[dict]) -> str:
    return "\n".join(f"{'✗' if f['severity'] == 'error' else '!'} {f['rule']}"
                      + (f" ({f['field']})" if f["field"] else "")
                      + (" waived" if f.get("waived_by") else "") for f in findings)


def print_list(console: Console, rows: list[dict]) -> None:
    table = Table(title=f"{len(rows)} messages", show_lines=True)
    table.add_column("#", no_wrap=True)
    for column in ("subject", "campaign", "unit", "verdict", "reference", "findings"):
        table.add_column(column, overflow="fold")
    for row in rows:
        verdict = row["verdict"] or row["status"]
        if row["current"] and row["current"] != row["verdict"]:
            verdict = f"{verdict} → {row['current']}"
        if row["status"] == "parked":
            verdict = f"parked: {(row['error'] or '').strip().splitlines()[-1][:80]}"
        table.add_row(str(row["id"]), row["subject"] or "", row["campaign"] or "—",
                      row["unit_name"] or "", verdict, row["reference"] or "",
                      _findings_text(row["findings"]) or (row["note"] or ""))
    console.print(table)


def print_report(console: Console, report: RunReport) -> None:
    counts: dict[str, int] = {}
    for _, outcome in report.outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new"
    console.print(f"fetched {report.fetched}, processed {len(report.outcomes)} ({summary}), "
                  f"parked {len(report.parked)}, replies sent {report.sent}")
    for row_id, error in report.parked:
        console.print(f"[red]parked message {row_id}[/red]: {error}")
    for line in report.send_errors:
        console.print(f"[red]not sent[/red] {line}")
    print_held(console, report.held)


def print_demo(console: Console, rows: list[dict], config: Config, report: RunReport) -> None:
    print_list(console, rows)
    console.print(f"database: {config.database}\nreplies spooled to: {config.replies.spool}")
    print_held(console, report.held)


def print_held(console: Console, held: int) -> None:
    if held:  # "\\[" keeps rich from reading [replies] as markup
        console.print(f"{held} repl(ies) held for review (\\[replies] mode = \"review\"): "
                      "`intake outbox list` shows them, `intake outbox approve ID` or `--all` "
                      "sends them")


def print_check(console: Console, result: dict) -> None:
    console.print(f"[bold]{result.get('file', '')}[/bold] {result['campaign'] or '—'} "
                  f"{result['verdict']} {result['reference'] or ''} {result['unit_name']}")
    for finding in result["findings"]:
        console.print(f"  {finding['severity']}: {finding['rule']} {finding['field'] or ''} "
                      f"— {finding['message']}")


def print_show(console: Console, db: Database, key: str) -> bool:
    """A submission by reference, or a ledger message by id."""
    found = db.query("select * from submissions where reference = ?", [key])
    if found:
        print_submission(console, db, found[0])
        return True
    if key.lstrip("#").isdigit():
        rows = message_rows(db, ListFilter(row_id=int(key.lstrip("#"))))
        if rows:
            _show_message(console, rows[0])
            return True
    return False


def _show_message(console: Console, row: dict) -> None:
    for key in ("id", "source", "uid", "subject", "sender", "received_at", "status", "attempts",
                "campaign", "verdict", "reference", "note", "raw_path"):
        console.print(f"[bold]{key}[/bold]: {row.get(key)}")
    if row["error"]:
        console.print(f"[bold red]error[/bold red]:\n{row['error']}")
    for finding in row["findings"]:
        console.print(f"  {finding['severity']}: {finding['rule']} {finding['field'] or ''} "
                      f"— {finding['message']}")


def print_campaigns(console: Console, config: Config) -> None:
    profiles = config.profiles()
    table = Table(title="campaigns")
    table.add_column("id", no_wrap=True)
    for column in ("title", "deadline", "subject", "file"):
        table.add_column(column, overflow="fold")
    for p in profiles.values():
        subject = p.subject.example or " + ".join(p.subject.keywords)
        table.add_row(p.id, p.title, str(p.deadline or ""), subject, Path(p.source).name)
    console.print(table)


def print_campaign(console: Console, config: Config, campaign_id: str) -> None:
    from pipeline.cli.describe import describe_profile

    profiles = config.profiles()
    if campaign_id not in profiles:
        from pipeline.errors import ConfigError
        raise ConfigError(f"no campaign {campaign_id!r}; known: {', '.join(profiles)}")
    console.print(describe_profile(profiles[campaign_id]), soft_wrap=True)
