"""Options every command module shares (cli.py, outboxcli.py, overridecli.py)."""
from __future__ import annotations

import getpass

import click

from pipeline.config.settings import Config

config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="config.toml to use (default: $INTAKE_CONFIG, else ./config.toml)")

by_option = click.option("--by", help="Who decided, recorded with the decision (default: [secretariat] "
                         "operator, else the login name).")


def who(config: Config, by: str | None) -> str:
    """The person a decision is recorded under: --by, the config's operator, the login."""
    return by or config.secretariat_operator or getpass.getuser()
