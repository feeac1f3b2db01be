"""`intake browse`: the command; pipeline/cli/datasette.py (and Datasette) load only when it runs."""
from __future__ import annotations

import click

from pipeline.cli.options import config_option
from pipeline.config.settings import load_config


@click.command("browse")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only 127.0.0.1, localhost and [::1] (and this "
                   "address) are answered as Host, with the token printed at start.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
def browse_command(config_path: str | None, host: str, port: int) -> None:
    """The database read-only in a browser (Datasette): search and filter submissions.

    Open the address it prints once: it carries a token for this run, traded for a cookie."""
    from pipeline.cli.datasette import serve_browser

    serve_browser(load_config(config_path), host, port)
