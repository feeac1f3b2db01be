"""Secrets never leave their source: a full run with debug logging and canary passwords leaves
no canary in the logs, the database, tracebacks, the outbox or any file intake wrote."""
from __future__ import annotations

import secrets
import sqlite3
import sys

from bench.dovecot import Dovecot
from pipeline.cli.pythoncheck import python_warning
from tests.pipeline.sources.test_imap import SECRET_ENV, Deployment, deliver

SMTP_CANARY = f"canary-smtp-{secrets.token_hex(8)}"
WRONG_CANARY = f"canary-wrong-{secrets.token_hex(8)}"


def deployment_with_canaries(tmp_path, dovecot: Dovecot, smtp, monkeypatch) -> Deployment:
    """Mail from Dovecot (its password is a random canary), a second mailbox whose canary
    password is refused, and replies through SMTP with AUTH, the password in a private file."""
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    secret_file = tmp_path / "smtp-password"
    secret_file.write_text(SMTP_CANARY + "\n", encoding="utf-8")
    secret_file.chmod(0o600)
    config = deployment.config_path.read_text(encoding="utf-8")
    config = config.replace('spool = "var/outbox"', 'sender = "smtp"\nfrom = "cases@example.org"')
    config += f'''
[smtp]
host = "{smtp.host}"
port = {smtp.port}
tls = "starttls"
ca_file = "{smtp.ca_file}"
user = "cases@example.org"
password_file = "smtp-password"

[[sources]]
name = "refused"
type = "imap"
host = "{dovecot.host}"
port = {dovecot.tls_port}
tls = "implicit"
ca_file = "{dovecot.ca_file}"
user = "{dovecot.user}"
password_env = "INTAKE_TEST_WRONG"
idle = false
'''
    deployment.config_path.write_text(config, encoding="utf-8")
    monkeypatch.setenv("INTAKE_TEST_WRONG", WRONG_CANARY)
    return deployment


def everything_written(deployment: Deployment, smtp) -> str:
    """The database (every table), every file under the workspace but the secret file, and
    every mail the SMTP server received."""
    parts = []
    connection = sqlite3.connect(deployment.root / "var" / "intake.db")
    parts.extend(connection.iterdump())
    for blob, in connection.execute("select raw from outbox where raw is not null"):
        parts.append(blob.decode("utf-8", "replace"))
    connection.close()
    for path in deployment.root.rglob("*"):
        if path.is_file() and path.name != "smtp-password":
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    parts.extend(m.raw.decode("utf-8", "replace") for m in smtp.messages)
    return "\n".join(parts)


def test_no_canary_in_logs_database_tracebacks_or_outbox(dovecot, smtp_server_factory, tmp_path,
                                                         monkeypatch):
    smtp = smtp_server_factory(tls="starttls", user="cases@example.org", password=SMTP_CANARY,
                               require_auth=True)
    deployment = deployment_with_canaries(tmp_path, dovecot, smtp, monkeypatch)
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient")
    env = {SECRET_ENV: dovecot.password, "INTAKE_TEST_WRONG": WRONG_CANARY}
    first = deployment.intake("--debug", "run", env=env)
    second = deployment.intake("--debug", "run", env=env)
    logs = first.stdout + first.stderr + second.stdout + second.stderr
    # The run really happened, debug traces included, and the refused login was reported.
    assert len(smtp.messages) == 2 and "DEBUG" in logs
    assert "refused" in logs and "login" in logs.lower()
    polls = deployment.query("select source, ok, error from polls where source = 'refused'")
    assert polls and not any(p["ok"] for p in polls)
    written = everything_written(deployment, smtp)
    for canary in (dovecot.password, SMTP_CANARY, WRONG_CANARY):
        assert canary not in logs
        assert canary not in written


def test_the_worker_warns_at_start_when_python_lacks_the_cve_fixes(tmp_path, dovecot, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    result = deployment.intake("run", env={SECRET_ENV: dovecot.password})
    expected = python_warning(tuple(sys.version_info))
    if expected is None:
        assert "predates the fixes" not in result.stderr
    else:
        assert expected in result.stderr
