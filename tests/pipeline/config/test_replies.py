"""[replies] and [smtp]: defaults, and config that must be refused with a clear message."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.config.settings import parse_config
from pipeline.errors import ConfigError

BASE = Path("/srv/intake")


def replies(replies: dict | None = None, smtp: dict | None = None):
    data = {"replies": replies or {}}
    if smtp is not None:
        data["smtp"] = smtp
    return parse_config(data, BASE).replies


def test_a_new_deployment_starts_in_review_mode_with_the_spool():
    config = replies()
    assert (config.mode, config.sender, config.spool) == ("review", "spool", BASE / "var/outbox")
    assert (config.per_sender_daily, config.global_hourly, config.give_up_hours) == (5, 200, 48)
    assert config.addresses == frozenset({"cases@example.org"}) and config.templates is None


def test_smtp_settings_and_our_addresses():
    config = replies({"sender": "smtp", "mode": "send", "aliases": ["Anli@Example.org"],
                      "templates": "tpl"},
                     {"host": "smtp.example.org", "tls": "starttls", "user": "cases@example.org",
                      "password_file": "secret", "ca_file": "ca.pem"})
    assert config.addresses == frozenset({"cases@example.org", "anli@example.org"})
    assert config.templates == BASE / "tpl"
    smtp = config.smtp
    assert (smtp.port, smtp.password_file, smtp.ca_file) == (587, BASE / "secret", BASE / "ca.pem")


@pytest.mark.parametrize("section, smtp, message", [
    ({"sender": "smtp"}, None, "needs an [smtp] section"),
    ({"sender": "sendmail"}, None, "sender must be one of"),
    ({"mode": "auto"}, None, "mode must be one of"),
    ({"from": "秘书处"}, None, "from must be an e-mail address"),
    ({"from": "a@example.org\r\nBcc: b@example.org"}, None, "from must be an e-mail address"),
    ({"from_name": "秘书处\nBcc: b@example.org"}, None, "from_name must be one line"),
    ({"aliases": "a@example.org"}, None, "aliases must be a list"),
    ({"domain": "example.org>"}, None, "domain must be a domain name"),
    ({"per_sender_daily": 0}, None, "per_sender_daily must be a whole number"),
    ({"give_up_hours": -1}, None, "give_up_hours must be a positive number"),
    ({"sender": "smtp"}, {"host": "smtp.example.org", "tls": "none"}, "only allowed for a loopback"),
    ({"sender": "smtp"}, {"host": "smtp.example.org", "user": "a@example.org"}, "exactly one of"),
    ({"sender": "smtp"}, {"port": 465}, "host is required"),
])
def test_bad_settings_are_refused(section, smtp, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        replies(section, smtp)
