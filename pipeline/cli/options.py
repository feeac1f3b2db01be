"""What every command module shares: the --config and --by options, and the console."""
from __future__ import annotations

import getpass

import click
from rich.console import Console

from pipeline.config.settings import Config

# Wider than any table: piped into grep or a log, each table row stays on one line.
UNBOUNDED = 10_000

config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="config.toml to use (default: $INTAKE_CONFIG, else ./config.toml)")

by_option = click.option("--by", help="Who decided, recorded with the decision (default: [secretariat] "
                         "operator, else the login name).")


def who(config: Config, by: str | None) -> str:
    """The person a decision is recorded under: --by, the config's operator, the login."""
    return by or config.secretariat_operator or getpass.getuser()


def output_width(console: Console) -> int:
    """How wide output may be: the terminal's width, or unbounded when it is no terminal (rich's
    test, which FORCE_COLOR and TTY_COMPATIBLE=1 override), so grep and logs see whole rows."""
    return console.width if console.is_terminal else UNBOUNDED


def cli_console() -> Console:
    """The console commands print to, as wide as `output_width`; a mail's `:warning:` is no
    emoji code to it (its values are printed as text: pipeline/cli/text.py)."""
    console = Console(emoji=False)
    console.width = output_width(console)
    return console
