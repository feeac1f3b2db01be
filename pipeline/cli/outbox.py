"""`intake outbox`: what is waiting, held, sent, suppressed or failed, and the review decisions."""
from __future__ import annotations

import email
from email import policy

import click

from pipeline.app.clock import utc_now
from pipeline.app.runner import Pipeline
from pipeline.app.sending import reason_text
from pipeline.cli.options import by_option, cli_console, config_option, who
from pipeline.cli.text import shown
from pipeline.cli.views import ID, Column, open_db, print_table
from pipeline.config.settings import Config, load_config
from pipeline.errors import AlreadyRunning
from pipeline.store.database import Database
from pipeline.store.lock import RunLock
from pipeline.store.outbox import STATES, Outbox

console = cli_console()


@click.group("outbox")
def outbox_group() -> None:
    """Replies, reminders and digests: list, show, approve (review mode) or discard them."""


@outbox_group.command("list")
@config_option
@click.option("--status", type=click.Choice(STATES), help="Only rows in this state.")
def list_command(config_path: str | None, status: str | None) -> None:
    """Every outbox row, oldest first: state, kind, recipient, subject, and why."""
    with open_db(load_config(config_path)) as db:
        rows = Outbox(db).listing(status)
    columns = [Column("id", ID), Column("status", ID), Column("kind", ID), Column("reference", ID),
               Column("to", ID), Column("subject"), Column("tries", ID), Column("why")]
    print_table(console, f"outbox ({len(rows)})", columns, [_listing_cells(r) for r in rows])


def _listing_cells(r: dict) -> tuple[str, ...]:
    why = reason_text(r["reason"]) if r["reason"] else (r["error"] or "")
    tries = f"{r['attempts']}" + (f" ({r['ambiguous']} ambiguous)" if r["ambiguous"] else "")
    return (str(r["id"]), r["status"], r["kind"], r["reference"] or "", r["to_addr"] or "",
            r["subject"] or "", tries, why)


@outbox_group.command("show")
@click.argument("outbox_id", type=int)
@config_option
def show_command(outbox_id: int, config_path: str | None) -> None:
    """One row: its state and history, then the mail as the applicant would read it."""
    with open_db(load_config(config_path)) as db:
        row = Outbox(db).row(outbox_id)
    if row is None:
        raise click.ClickException(f"no outbox row #{outbox_id}")
    for key in ("id", "status", "kind", "to_addr", "created_at", "attempts", "ambiguous",
                "next_attempt_at", "sent_at", "approved_by", "approved_at", "error", "bounce"):
        if row[key] not in (None, "", 0) or key in ("status", "attempts"):
            click.echo(f"{key}: {shown(row[key])}")
    if row["reason"]:
        click.echo(f"reason: {shown(row['reason'])} — {shown(reason_text(row['reason']))}")
    if row["raw"]:
        click.echo("")
        click.echo(shown(_readable(row["raw"]), lines=True))


def _readable(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=policy.default)
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Date")
             if message[name]]
    body = message.get_body(("plain",))
    return "\n".join(lines) + "\n\n" + (body.get_content() if body else "")


@outbox_group.command("approve")
@click.argument("ids", type=int, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every row held for review.")
@by_option
@config_option
def approve_command(ids: tuple[int, ...], every: bool, by: str | None,
                    config_path: str | None) -> None:
    """Let held (or suppressed, or failed) rows go out; they are sent at once when no
    `intake serve` is running, else by it within [schedule] outbox_interval."""
    if bool(ids) == every:
        raise click.UsageError("give outbox ids or --all")
    config = load_config(config_path)
    with open_db(config) as db:
        outbox = Outbox(db)
        approved = _decide(outbox.approvable() if every else list(ids),
                           lambda i: outbox.approve(i, utc_now(), who(config, by)), "approved")
        if approved:
            send_now(config, db)


@outbox_group.command("discard")
@click.argument("ids", type=int, nargs=-1, required=True)
@by_option
@config_option
def discard_command(ids: tuple[int, ...], by: str | None, config_path: str | None) -> None:
    """Make sure rows never go out (held, queued, suppressed or failed ones)."""
    config = load_config(config_path)
    with open_db(config) as db:
        outbox = Outbox(db)
        _decide(list(ids), lambda i: outbox.discard(i, utc_now(), who(config, by)), "discarded")


def _decide(ids: list[int], decide, verb: str) -> int:
    """Apply a decision to each row, saying what happened; the number it applied to."""
    done = 0
    for outbox_id in ids:
        problem = decide(outbox_id)
        if problem:
            click.echo(f"#{outbox_id}: not {verb}: {shown(problem)}", err=True)
        else:
            done += 1
    click.echo(f"{verb} {done} of {len(ids)}")
    return done


def send_now(config: Config, db: Database) -> None:
    """Drain the outbox once, unless a running intake process (serve) owns the sending."""
    try:
        with RunLock(config.database):
            report = Pipeline(config, db, utc_now).drain_outbox()
    except AlreadyRunning:
        click.echo("a running intake process sends them within [schedule] outbox_interval")
        return
    click.echo(f"sent {report.sent} message(s) through the {config.replies.sender} sender"
               + (f"; {report.retrying} will be retried, {report.failed} failed"
                  if report.retrying or report.failed else ""))
    for line in report.errors:
        click.echo(f"  {shown(line)}", err=True)
