"""config.toml: defaults are the embedded ones; unknown keys are refused."""
from __future__ import annotations

import pytest

from pipeline.config.settings import load_config, parse_config
from pipeline.errors import ConfigError
from tests.conftest import ROOT


def test_the_shipped_config_is_the_embedded_default():
    config = load_config(ROOT / "config.toml")
    assert config.database == ROOT / "var" / "intake.db"
    assert config.replies.spool == ROOT / "var" / "outbox"
    enabled = [(s.type, s.path) for s in config.sources if s.enabled]
    assert enabled == [("maildir", ROOT / "var" / "mail" / "demo")]
    # The IMAP examples are real, validated entries, switched off until a secret is in place.
    assert [(s.name, s.imap.tls) for s in config.sources if not s.enabled] == [
        ("gpipc", "implicit"), ("ccea", "starttls")]


@pytest.mark.parametrize("data", [
    {"paths": {"databse": "x"}}, {"nonsense": {}}, {"sources": [{"name": "a", "path": "b", "type": "pop3"}]},
])
def test_mistakes_are_refused(tmp_path, data):
    with pytest.raises(ConfigError):
        parse_config(data, tmp_path)


def test_a_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "nope.toml")
