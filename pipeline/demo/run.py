"""`intake demo`: a Maildir of sample submissions for every campaign, one pass, a table."""
from __future__ import annotations

import secrets
from datetime import datetime

from pipeline.app.runner import RunReport, run
from pipeline.cli.views import ListFilter, message_rows, open_db
from pipeline.config.settings import Config
from pipeline.console.accounts import set_account
from pipeline.demo.samples import write_maildir
from pipeline.errors import ConfigError


def run_demo(config: Config) -> tuple[RunReport, list[dict]]:
    """Write (or rewrite, identically) the demo mailbox, run once, and list its messages."""
    source = next((s for s in config.sources if s.type == "maildir"), None)
    if source is None:
        raise ConfigError("the demo needs a [[sources]] entry of type \"maildir\" in the config")
    write_maildir(source.path)
    report = run(config)
    with open_db(config) as db:
        return report, message_rows(db, ListFilter(source=source.name))


DEMO_ACCOUNT = "demo"


def demo_account(config: Config, now: datetime) -> str:
    """(Re)create the console account `demo` (处理) with a new random password, returned: an
    account for the demo's data only, never for a real campaign."""
    password = secrets.token_urlsafe(12)
    with open_db(config) as db:
        set_account(db, DEMO_ACCOUNT, password, "handler", now)
    return password
