"""What the CLI prints: tables of messages, submissions and campaigns, read from the database."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.table import Table

from pipeline.config import Config
from pipeline.db import Database
from pipeline.runner import RunReport
from rules.vocabulary import KIND_NAMES, field_name


@contextmanager
def open_db(config: Config) -> Iterator[Database]:
    db = Database(config.database)
    try:
        yield db
    finally:
        db.close()


def message_rows(db: Database, status: str | None = None, campaign: str | None = None,
                 source: str | None = None) -> list[dict]:
    """Ledger rows with their reference and findings, oldest first."""
    rows = db.query(
        "select m.*, s.reference, s.unit_name from messages m left join submissions s "
        "on m.submission_id = s.id where (:status is null or m.status = :status) and "
        "(:campaign is null or m.campaign = :campaign) and (:source is null or m.source = :source)"
        " order by m.id", {"status": status, "campaign": campaign, "source": source})
    for row in rows:
        row["findings"] = db.query("select rule, field, severity, message from findings "
                                   "where message_row = ? order by id", [row["id"]])
    return rows


def _findings_text(findings: list[dict]) -> str:
    return "\n".join(f"{'✗' if f['severity'] == 'error' else '!'} {f['rule']}"
                     + (f" ({f['field']})" if f["field"] else "") for f in findings)


def print_list(console: Console, rows: list[dict]) -> None:
    table = Table(title=f"{len(rows)} messages", show_lines=True)
    table.add_column("#", no_wrap=True)
    for column in ("subject", "campaign", "unit", "verdict", "reference", "findings"):
        table.add_column(column, overflow="fold")
    for row in rows:
        verdict = row["verdict"] or row["status"]
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
        _show_submission(console, db, found[0])
        return True
    if key.lstrip("#").isdigit():
        rows = [r for r in message_rows(db) if r["id"] == int(key.lstrip("#"))]
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


def _show_submission(console: Console, db: Database, sub: dict) -> None:
    console.print(f"[bold]{sub['reference']}[/bold] {sub['campaign']} — {sub['unit_name']} — "
                  f"{sub['case_name']} — [bold]{sub['verdict']}[/bold] (version {sub['version']})")
    version = db.query("select * from versions where submission_id = ? order by number desc "
                       "limit 1", [sub["id"]])[0]
    console.print("[bold]fields[/bold]")
    for row in db.query("select key, value from fields where version_id = ?", [version["id"]]):
        console.print(f"  {field_name(row['key'])} ({row['key']}): {json.loads(row['value'])}")
    console.print("[bold]documents[/bold]")
    for doc in db.query("select * from documents where version_id = ?", [version["id"]]):
        console.print(f"  {doc['name']} — {KIND_NAMES.get(doc['kind'], doc['kind'])}, {doc['size']} B")
    console.print("[bold]findings[/bold]")
    for f in db.query("select * from findings where version_id = ?", [version["id"]]):
        console.print(f"  {f['severity']}: {f['rule']} {f['field'] or ''} — {f['message']}")
    console.print("[bold]replies[/bold]")
    for reply in db.query("select kind, to_addr, subject, status, message_id from outbox where "
                          "submission_id = ? order by id", [sub["id"]]):
        console.print(f"  {reply['status']}: {reply['kind']} to {reply['to_addr']} — {reply['subject']}")


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
    from pipeline.describe import describe_profile

    profiles = config.profiles()
    if campaign_id not in profiles:
        from pipeline.errors import ConfigError
        raise ConfigError(f"no campaign {campaign_id!r}; known: {', '.join(profiles)}")
    console.print(describe_profile(profiles[campaign_id]), soft_wrap=True)
