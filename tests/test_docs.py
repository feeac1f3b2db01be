"""The README keeps step with the CLI, the config keys and the rule ids; config.toml is commented."""
from __future__ import annotations

import re

import click
import pytest

from pipeline.cli import main
from pipeline.config import KEYS
from rules import RULE_IDS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG = (ROOT / "config.toml").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "intake") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        paths.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, f"{prefix} {name}"))
    return paths


@pytest.mark.parametrize("path", command_paths(main))
def test_every_command_is_in_the_readme(path):
    assert f"`{path}" in README


@pytest.mark.parametrize("key", [f"{s}.{k}" for s, keys in KEYS.items() for k in sorted(keys)])
def test_every_config_key_is_in_the_readme(key):
    assert f"`{key}`" in README


@pytest.mark.parametrize("key", [k for keys in KEYS.values() for k in sorted(keys)])
def test_every_config_key_has_a_comment_above_it(key):
    lines = CONFIG.splitlines()
    found = [i for i, line in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*=", line)]
    assert found, f"{key} is not in config.toml"
    assert all(lines[i - 1].startswith("#") for i in found), f"{key} has no comment above it"


def test_every_rule_is_in_the_readme_rule_table():
    table = README.split("## Rules")[1].split("\n## ")[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert documented == list(RULE_IDS)


def test_the_changelog_exists():
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").startswith("# Changelog")


def test_every_profile_key_is_in_the_readme():
    from rules import profile

    keys = set().union(*profile.SCHEMA.values())
    table = README.split("## Campaign profiles")[1].split("\n## ")[0]
    missing = [key for key in sorted(keys) if f"`{key}`" not in table and f"[{key}]" not in table]
    assert missing == []
