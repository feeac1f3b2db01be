"""[[sources]] and [schedule]: what a deployer may write, and the clear refusals."""
from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from pipeline.config.sources import parse_schedule, parse_source
from pipeline.errors import ConfigError, MailboxError

BASE = Path("/srv/intake")
IMAP = {"name": "gpipc", "type": "imap", "host": "imap.example.cn", "user": "cases@example.cn",
        "password_env": "INTAKE_TEST_SECRET"}


def test_an_imap_source_gets_the_defaults_a_provider_needs():
    source = parse_source(IMAP, BASE)
    imap = source.imap
    assert (imap.port, imap.tls, imap.folders, imap.junk, imap.idle) == (993, "implicit", ("INBOX",), True, True)
    assert (source.backlog, source.interval, source.enabled) == ("record", 300.0, True)


def test_starttls_defaults_to_port_143_and_paths_are_relative_to_the_config():
    source = parse_source({**IMAP, "tls": "starttls", "ca_file": "ca.pem"}, BASE)
    assert (source.imap.port, source.imap.ca_file) == (143, BASE / "ca.pem")


@pytest.mark.parametrize("change, words", [
    ({"tls": "none"}, "loopback"),
    ({"password_file": "secret.txt"}, "exactly one"),
    ({"password_env": ""}, "exactly one"),
    ({"move": {"complete": "INBOX"}}, "watched folder"),
    ({"move": {"accepted": "已受理"}}, "verdicts"),
    ({"keyword": "\\Seen"}, "keyword"),
    ({"keyword": "two words"}, "keyword"),
    ({"backlog": "ignore"}, "backlog"),
    ({"interval": 0}, "interval"),
    ({"host": ""}, "host"),
    ({"type": "pop3"}, "type"),
])
def test_a_mistake_is_refused_with_a_message_naming_it(change, words):
    with pytest.raises(ConfigError, match=words):
        parse_source({**IMAP, **change}, BASE)


def test_tls_none_is_allowed_for_a_server_on_this_machine():
    assert parse_source({**IMAP, "host": "127.0.0.1", "tls": "none"}, BASE).imap.port == 143


def test_the_secret_comes_from_the_environment_when_connecting(monkeypatch):
    imap = parse_source(IMAP, BASE).imap
    monkeypatch.delenv("INTAKE_TEST_SECRET", raising=False)
    with pytest.raises(MailboxError, match="INTAKE_TEST_SECRET is not set") as caught:
        imap.secret()
    assert caught.value.kind == "secret"
    monkeypatch.setenv("INTAKE_TEST_SECRET", "abcd efgh")
    assert imap.secret() == "abcd efgh"


def test_the_secret_comes_from_a_file_without_its_newline(tmp_path):
    (tmp_path / "secret").write_text("authcode123\n", encoding="utf-8")
    (tmp_path / "secret").chmod(0o600)
    imap = parse_source({**IMAP, "password_env": "", "password_file": "secret"}, tmp_path).imap
    assert imap.secret() == "authcode123"
    (tmp_path / "secret").unlink()
    with pytest.raises(MailboxError, match="cannot read password_file"):
        imap.secret()


def test_the_schedule_reads_local_times_and_empty_means_never():
    schedule = parse_schedule({"reminders": "8:30", "digest": ""})
    assert (schedule.reminders, schedule.digest, schedule.timezone) == (time(8, 30), None, "Asia/Shanghai")


@pytest.mark.parametrize("table", [{"digest": "25:00"}, {"timezone": "Asia/Beijing"},
                                   {"outbox_interval": -1}])
def test_a_bad_schedule_is_refused(table):
    with pytest.raises(ConfigError):
        parse_schedule(table)


def test_source_names_are_unique():
    from pipeline.config.settings import parse_config

    with pytest.raises(ConfigError, match="unique"):
        parse_config({"sources": [IMAP, IMAP]}, BASE)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_secret_file_others_can_read_is_refused(tmp_path, mode):
    (tmp_path / "secret").write_text("authcode123\n", encoding="utf-8")
    (tmp_path / "secret").chmod(mode)
    with pytest.raises(ConfigError, match="can be read by others.*chmod 600"):
        parse_source({**IMAP, "password_env": "", "password_file": "secret"}, tmp_path)
    # Made readable after the config was read: refused when the secret is needed.
    (tmp_path / "secret").chmod(0o600)
    imap = parse_source({**IMAP, "password_env": "", "password_file": "secret"}, tmp_path).imap
    (tmp_path / "secret").chmod(mode)
    with pytest.raises(MailboxError, match="can be read by others"):
        imap.secret()
