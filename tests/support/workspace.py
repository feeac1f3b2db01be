"""A throw-away deployment for end-to-end tests: a config, a Maildir of samples, a spool folder."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.settings import Config, load_config
from pipeline.demo.samples import Sample, catalogue, write_maildir
from pipeline.store.database import Database

CONFIG = '''
[paths]
database = "var/intake.db"
raw = "var/raw"

[[sources]]
name = "test"
type = "maildir"
path = "mail"
# The tests write their mail before the first pass and expect it answered.
backlog = "reply"

[replies]
spool = "var/outbox"
# The tests look at what would be sent; review mode has tests of its own.
mode = "send"
'''


def imap_source(port: int, user: str, secret_env: str) -> str:
    """A `[[sources]]` table for a loopback Dovecot at `port`, its password in `secret_env`."""
    return f'''[[sources]]
name = "box"
type = "imap"
host = "127.0.0.1"
port = {port}
tls = "none"
user = "{user}"
password_env = "{secret_env}"
idle = false
backlog = "reply"
'''


@dataclass
class Workspace:
    root: Path
    samples: list[Sample]

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    def config(self) -> Config:
        return load_config(self.config_path)

    def intake(self, *args: str, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess:
        """The CLI in a child process, as a user or cron would run it."""
        return subprocess.run([sys.executable, "-m", "pipeline", *args, "--config",
                               str(self.config_path)], cwd=self.root, capture_output=True,
                              text=True, timeout=timeout,
                              env={**os.environ, "COLUMNS": "200", **(env or {})})

    def poll_first(self, source: str) -> None:
        """`source` (a `[[sources]]` table) added before the Maildir, so it is polled first."""
        config = self.config_path.read_text(encoding="utf-8")
        self.config_path.write_text(config.replace("[[sources]]", source + "\n[[sources]]", 1),
                                    encoding="utf-8")

    def only_source(self, source: str) -> None:
        """`source` (a `[[sources]]` table) in place of the Maildir."""
        config = self.config_path.read_text(encoding="utf-8")
        head, _, rest = config.partition("[[sources]]")
        self.config_path.write_text(head + source + "\n[replies]" + rest.partition("[replies]")[2],
                                    encoding="utf-8")

    def query(self, sql: str, params: list | tuple = ()) -> list[dict]:
        db = Database(self.root / "var" / "intake.db")
        try:
            return db.query(sql, params)
        finally:
            db.close()


def make_workspace(root: Path, samples: list[Sample] | None = None) -> Workspace:
    samples = samples if samples is not None else catalogue()
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    write_maildir(root / "mail", samples)
    return Workspace(root, samples)


def findings_by_message(workspace: Workspace) -> dict[str, tuple[str, set]]:
    """Ledger message-id -> (verdict, {(rule, field)})."""
    result = {}
    for row in workspace.query("select id, message_id, verdict from messages order by id"):
        pairs = {(f["rule"], f["field"]) for f in workspace.query(
            "select rule, field from findings where message_row = ?", [row["id"]])}
        result[row["id"]] = (row["verdict"], pairs)
    return result
