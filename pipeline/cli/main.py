"""The `intake` command line: a thin layer over the pipeline; errors become one-line messages."""
from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from pipeline.app.clock import utc_now
from pipeline.app.runner import run
from pipeline.cli import views
from pipeline.cli.browse import browse_command
from pipeline.cli.claims import COMMANDS as CLAIM_COMMANDS
from pipeline.cli.console import console_group
from pipeline.cli.decisions import COMMANDS as OVERRIDE_COMMANDS
from pipeline.cli.export import export_group
from pipeline.cli.options import cli_console, config_option
from pipeline.cli.outbox import outbox_group
from pipeline.cli.text import ShownFormatter, json_text, shown
from pipeline.config.settings import Config, load_config
from pipeline.errors import EXPECTED, ConfigError
from rules.vocabulary import VERDICTS

console = cli_console()


def _config(path: str | None) -> Config:
    return load_config(path)


class IntakeGroup(click.Group):
    """Turns every error raised on purpose into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except EXPECTED as error:
            click.echo(f"intake: {shown(error, lines=True)}", err=True)
            sys.exit(2)


@click.group(cls=IntakeGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log one line per message to stderr.")
@click.option("--debug", is_flag=True,
              help="Log everything, the libraries' protocol traces too (secrets never appear).")
def main(verbose: bool, debug: bool) -> None:
    """intake: the e-mail intake pipeline for case-collection campaigns (案例征集)."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler()
    # A log line quotes subjects and servers' answers: their hidden characters come out escaped.
    handler.setFormatter(ShownFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


def _warn_about_python() -> None:
    """The worker's first log line when the interpreter lacks the mail and zip CVE fixes."""
    from pipeline.cli.pythoncheck import python_warning

    if warning := python_warning(tuple(sys.version_info)):
        logging.getLogger("intake").warning("%s", warning)


@main.command("run")
@config_option
def run_command(config_path: str | None) -> None:
    """One pass: fetch new mail, process it, send the replies that are due; exit code 1 when a
    mailbox could not be polled (the others are processed all the same)."""
    _warn_about_python()
    report = run(_config(config_path))
    views.print_report(console, report)
    # cron and systemd see only the exit code: a refused login must not look like quiet mail.
    sys.exit(1 if report.unpolled else 0)


@main.command("check")
@click.argument("messages", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per message.")
def check_command(messages: tuple[str, ...], config_path: str | None, as_json: bool) -> None:
    """Process MESSAGE.eml files as if just arrived, in a throw-away database; send nothing."""
    from pipeline.app.check import check_messages

    results = check_messages([Path(m) for m in messages], _config(config_path), utc_now())
    for result in results:
        if as_json:
            click.echo(json_text(result))
        else:
            views.print_check(console, result)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--campaign", help="Read the file with this campaign's labels (default: best match).")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def extract_command(file: str, config_path: str | None, campaign: str | None, as_json: bool) -> None:
    """Read one document: its kind, fields, sections, pages and sizes."""
    from pipeline.app.extract import extract_file

    result = extract_file(Path(file), _config(config_path), campaign)
    click.echo(json_text(result, indent=None if as_json else 2))


@main.command("demo")
@config_option
@click.option("--console-account", is_flag=True,
              help="Only (re)create the console account `demo` with a new password, and say how "
                   "to open the console on the demo's data (`make demo` ends with this).")
def demo_command(config_path: str | None, console_account: bool) -> None:
    """Write the demo mailbox of sample submissions, run one pass, and show what happened."""
    from pipeline.demo.run import DEMO_ACCOUNT, demo_account, run_demo

    config = _config(config_path)
    if console_account:
        password = demo_account(config, utc_now())
        click.echo(f"the console on the demo's data: run `intake console` (.venv/bin/intake), "
                   f"open http://127.0.0.1:8150/ and log in as {DEMO_ACCOUNT} / {password} (an "
                   "account for the demo only: `intake console user remove demo` before real "
                   "mail arrives)")
        return
    report, rows = run_demo(config)
    views.print_demo(console, rows, config, report)


@main.command("remind")
@config_option
@click.option("--dry-run", is_flag=True, help="Only print the reminders due today; queue nothing.")
def remind_command(config_path: str | None, dry_run: bool) -> None:
    """Queue the 补正提醒 due now (`intake run` sends them); `intake serve` does this daily."""
    from outbox.reminders import within_hours
    from pipeline.app.remind import plan_reminders, reminder_settings, send_reminders

    config, now = _config(config_path), utc_now()
    settings = reminder_settings(config)
    with views.open_db(config) as db:
        reminders = plan_reminders(db, config, now, any_hour=True) if dry_run else \
            send_reminders(db, config, now)
    for r in reminders:
        click.echo("\t".join(shown(v) for v in (r.reference, r.kind, r.to, r.subject)))
    hours = f"{settings.start:%H:%M}-{settings.end:%H:%M}"
    if dry_run:
        click.echo(f"{len(reminders)} reminder(s) due today; nothing queued (dry run)")
    elif within_hours(settings, now):
        click.echo(f"queued {len(reminders)} reminder(s); `intake run` sends them")
    else:
        click.echo(f"now is outside the sending hours {hours} ([reminders] quiet_hours): "
                   "nothing queued")


@main.command("digest")
@config_option
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day YYYY-MM-DD (default: today in [schedule] timezone).")
@click.option("--send", is_flag=True,
              help="Queue the digest to [digest] to and send the outbox once.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="The .eml to write (default: digest-YYYY-MM-DD.eml here); not with --send.")
def digest_command(config_path: str | None, day: datetime | None, send: bool,
                   output: str | None) -> None:
    """The day's digest for the secretariat: written to an .eml, or with --send queued and sent."""
    from pipeline.app.digest import digest_in_outbox, local_today, queue_digest, render_digest
    from pipeline.cli.outbox import send_now

    config, now = _config(config_path), utc_now()
    when = day.date() if day else local_today(config, now)
    if send and output:
        raise click.UsageError("-o writes the digest to a file; --send mails it instead")
    if not send:
        with views.open_db(config) as db:
            digest = render_digest(db, config, now, when)
        path = Path(output or f"digest-{when.isoformat()}.eml")
        path.write_bytes(digest.raw)
        click.echo(str(path))
        return
    if not config.digest.to:
        raise ConfigError("[digest] to is empty: name the secretariat's addresses in the config "
                          "to send the digest (nothing was queued)")
    with views.open_db(config) as db:
        outbox_id = queue_digest(db, config, now, when)
        if outbox_id is None:
            row = digest_in_outbox(db, when)
            click.echo(f"the digest of {when} is already in the outbox (#{row['id']}, "
                       f"{row['status']}); not queued again")
        else:
            click.echo(f"queued the digest of {when} (#{outbox_id}) to "
                       f"{', '.join(config.digest.to)}")
        send_now(config, db)


@main.command("list")
@config_option
@click.option("--status", type=click.Choice(["fetched", "done", "parked"]),
              help="Only messages with this status.")
@click.option("--campaign", help="Only messages of this campaign.")
@click.option("--verdict", type=click.Choice(VERDICTS),
              help="Only this current verdict (a submission's, after people's decisions).")
@click.option("--unit", help="Only units whose name contains this.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only mail fetched on this day (YYYY-MM-DD, [schedule] timezone).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only mail fetched on or after this day.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of the table.")
def list_command(config_path: str | None, status: str | None, campaign: str | None,
                 verdict: str | None, unit: str | None, day: datetime | None,
                 since: datetime | None, as_json: bool) -> None:
    """The message ledger: every mail, its campaign, verdict, reference and findings."""
    from pipeline.config.days import day_bounds

    config = _config(config_path)
    zone = config.schedule.zone
    start, end = day_bounds(day.date(), zone) if day else (None, None)
    if since:
        start = max(start or "", day_bounds(since.date(), zone)[0])
    where = views.ListFilter(status, campaign, None, verdict, unit, start, end)
    with views.open_db(config) as db:
        rows = views.message_rows(db, where)
    if as_json:
        click.echo(json_text([views.list_json(r) for r in rows], indent=1))
    else:
        views.print_list(console, rows)


@main.command("show")
@click.argument("key")
@config_option
def show_command(key: str, config_path: str | None) -> None:
    """One submission by reference number (GPIPC-2024-P-0001), or one message by ledger id."""
    with views.open_db(_config(config_path)) as db:
        if not views.print_show(console, db, key):
            raise click.ClickException(f"nothing found for {key}")


@main.group("campaigns", invoke_without_command=True)
@config_option
@click.pass_context
def campaigns_group(ctx: click.Context, config_path: str | None) -> None:
    """The loaded campaign profiles."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is None:
        views.print_campaigns(console, _config(config_path))


@campaigns_group.command("show")
@click.argument("campaign_id")
@config_option
@click.pass_obj
def campaigns_show(group_config: str | None, campaign_id: str, config_path: str | None) -> None:
    """What one campaign checks, in Chinese, to confirm against its notice."""
    views.print_campaign(console, _config(config_path or group_config), campaign_id)


@main.command("serve")
@config_option
def serve_command(config_path: str | None) -> None:
    """Run until stopped: poll each mailbox, send replies, remind, and send the daily digest."""
    from pipeline.app.serve import serve

    logging.getLogger().setLevel(logging.INFO)  # a service logs one line per message
    _warn_about_python()
    result = serve(_config(config_path))
    click.echo(f"stopped after {sum(result.polls.values())} polls, {result.outcomes} messages, "
               f"{result.sent} sent")


@main.command("doctor")
@config_option
def doctor_command(config_path: str | None) -> None:
    """Check the config, connect to every mailbox and the sender, look for LibreOffice and ffprobe."""
    from pipeline.cli.doctor import diagnose

    checks = diagnose(_config(config_path))
    for check in checks:
        first, *rest = check.detail.splitlines() or [""]
        # A server's folder names and answers are in the detail.
        click.echo(f"{'ok' if check.ok else 'FAIL':>4}  {shown(check.name)}: {shown(first)}")
        for line in rest:
            click.echo(f"{'':>6}{shown(line)}")
    sys.exit(0 if all(c.ok for c in checks) else 1)


main.add_command(outbox_group)
main.add_command(browse_command)
main.add_command(export_group)
main.add_command(console_group)
for _command in (*OVERRIDE_COMMANDS, *CLAIM_COMMANDS):
    main.add_command(_command)
