"""Options every command module shares (cli.py and outboxcli.py)."""
from __future__ import annotations

import click

config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                             help="config.toml to use (default: $INTAKE_CONFIG, else ./config.toml)")
