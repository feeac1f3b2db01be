"""The `intake` command line: a thin layer over the pipeline; errors become one-line messages."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from rich.console import Console

from pipeline import views
from pipeline.config import Config, load_config
from pipeline.errors import IntakeError
from pipeline.runner import run, utc_now

console = Console()
config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="config.toml to use (default: $INTAKE_CONFIG, else ./config.toml)")


def _config(path: str | None) -> Config:
    return load_config(path)


class IntakeGroup(click.Group):
    """Turns IntakeError into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except IntakeError as error:
            click.echo(f"intake: {error}", err=True)
            sys.exit(2)


@click.group(cls=IntakeGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log one line per message to stderr.")
def main(verbose: bool) -> None:
    """intake: the e-mail intake pipeline for case-collection campaigns (案例征集)."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")


@main.command("run")
@config_option
def run_command(config_path: str | None) -> None:
    """One pass: fetch new mail, process it, send the replies that are due."""
    report = run(_config(config_path))
    views.print_report(console, report)


@main.command("check")
@click.argument("messages", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per message.")
def check_command(messages: tuple[str, ...], config_path: str | None, as_json: bool) -> None:
    """Process MESSAGE.eml files as if just arrived, in a throw-away database; send nothing."""
    from pipeline.check import check_messages

    results = check_messages([Path(m) for m in messages], _config(config_path), utc_now())
    for result in results:
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            views.print_check(console, result)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--campaign", help="Read the file with this campaign's labels (default: best match).")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def extract_command(file: str, config_path: str | None, campaign: str | None, as_json: bool) -> None:
    """Read one document: its kind, fields, sections, pages and sizes."""
    from pipeline.extract import extract_file

    result = extract_file(Path(file), _config(config_path), campaign)
    click.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


@main.command("demo")
@config_option
def demo_command(config_path: str | None) -> None:
    """Write the demo mailbox of sample submissions, run one pass, and show what happened."""
    from pipeline.demo import run_demo

    config = _config(config_path)
    report, rows = run_demo(config)
    views.print_demo(console, rows, config)


@main.command("list")
@config_option
@click.option("--status", help="Only messages with this status (fetched, done, parked).")
@click.option("--campaign", help="Only messages of this campaign.")
def list_command(config_path: str | None, status: str | None, campaign: str | None) -> None:
    """The message ledger: every mail, its campaign, verdict, reference and findings."""
    with views.open_db(_config(config_path)) as db:
        views.print_list(console, views.message_rows(db, status, campaign))


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
