"""The README keeps step with the CLI, the config keys and the rule ids; config.toml is commented."""
from __future__ import annotations

import re

import click
import pytest

from pipeline.cli.main import main
from pipeline.config.settings import KEYS
from rules.vocabulary import RULE_IDS
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


def test_the_changelog_has_dated_versions_newest_first_and_the_newest_is_the_package_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    versions = [re.fullmatch(r"(\d+)\.(\d+)\.(\d+) — (\d{4}-\d{2}-\d{2})", h) for h in headings]
    assert text.startswith("# Changelog") and headings and all(versions), headings
    numbers = [tuple(int(v.group(i)) for i in (1, 2, 3)) for v in versions]
    assert numbers == sorted(numbers, reverse=True)
    assert [v.group(4) for v in versions] == sorted((v.group(4) for v in versions), reverse=True)
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{".".join(map(str, numbers[0]))}"' in project


def test_every_profile_key_is_in_the_readme():
    from rules import profile

    keys = set().union(*profile.SCHEMA.values())
    table = README.split("## Campaign profiles")[1].split("\n## ")[0]
    missing = [key for key in sorted(keys) if f"`{key}`" not in table and f"[{key}]" not in table]
    assert missing == []


def _sample_letter(key: str) -> str:
    """A reply to one demo mail as the README shows it: From, To, Subject and the text part."""
    import email
    from datetime import datetime, timezone
    from email import policy

    from pipeline.analysis.analyse import analyse
    from pipeline.app.process import Processor
    from pipeline.app.sending import policy_of, settings_of
    from pipeline.config.settings import parse_config
    from pipeline.demo.samples import catalogue
    from pipeline.sources.base import Incoming
    from pipeline.sources.fetch import ledger_row
    from pipeline.store.database import Database

    config, now = parse_config({}, ROOT), datetime(2024, 4, 8, 2, 0, tzinfo=timezone.utc)
    data = next(s for s in catalogue() if s.key == key).build()
    db = Database(None)
    processor = Processor(db, config.profiles(), settings_of(config), policy_of(config))
    row = db.record_fetched(ledger_row("readme", Incoming("", "", "1", data, len(data)), "s", "p", now))
    reply = processor.process(row, "s", analyse(data, processor.profiles), now).reply
    db.close()
    message = email.message_from_bytes(reply.raw, policy=policy.default)
    headers = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject"))
    return f"{headers}\n\n{message.get_body(('plain',)).get_content().rstrip()}"


@pytest.mark.parametrize("name, key", [("receipt", "gpipc-park-complete"),
                                       ("notice", "gpipc-park-deficient")])
def test_the_readme_sample_replies_are_what_the_templates_make(name, key):
    block = README.split(f"<!-- sample:{name} -->\n```text\n")[1].split("\n```\n<!-- /sample -->")[0]
    assert block == _sample_letter(key)


def _sample_database():
    """The demo's GPIPC mail sent by 2024-04-12 10:00 in Beijing (the moment the README's
    digest is made), each processed when it was sent, in memory."""
    from datetime import datetime, timezone
    from email.parser import BytesHeaderParser
    from email.utils import parsedate_to_datetime

    from pipeline.analysis.analyse import analyse
    from pipeline.app.process import Processor
    from pipeline.app.sending import policy_of, settings_of
    from pipeline.config.settings import parse_config
    from pipeline.demo.samples import catalogue
    from pipeline.sources.base import Incoming
    from pipeline.sources.fetch import ledger_row
    from pipeline.store.database import Database

    config, now = parse_config({}, ROOT), datetime(2024, 4, 12, 2, 0, tzinfo=timezone.utc)
    db = Database(None)
    processor = Processor(db, config.profiles(), settings_of(config), policy_of(config))
    for n, sample in enumerate(s for s in catalogue() if s.campaign in
                               ("gpipc-park-2024", "gpipc-enterprise-2024")):
        data = sample.build()
        sent = parsedate_to_datetime(BytesHeaderParser().parsebytes(data)["Date"])
        if sent > now:
            continue
        row = db.record_fetched(ledger_row("demo", Incoming("", "", str(n), data, len(data)),
                                           f"s{n}", "p", sent))
        processor.process(row, f"s{n}", analyse(data, processor.profiles), sent)
    return db, config, now


def _cell(value: object, limit: int = 18) -> str:
    text = "" if value is None else str(value).replace("\n", "<br>").replace("|", "\\|")
    return text if len(text) <= limit or "<br>" in text else text[:limit] + "…"


def _sample_summary() -> str:
    """The 汇总表's sheet for gpipc-park-2024 as a markdown table (long cells cut)."""
    from pipeline.exports.summary import summary_sheets

    db, config, _ = _sample_database()
    sheet = summary_sheets(db, config, "gpipc-park-2024")[0]
    db.close()
    lines = ["| " + " | ".join(sheet.headers) + " |", "|" + "---|" * len(sheet.headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in sheet.rows]
    return "\n".join(lines)


def _sample_digest() -> str:
    """The digest of 2024-04-12 as the secretariat's mail client shows its text part."""
    import email
    from email import policy

    from pipeline.app.digest import render_digest

    db, config, now = _sample_database()
    digest = render_digest(db, config, now)
    db.close()
    message = email.message_from_bytes(digest.raw, policy=policy.default)
    return f"Subject: {message['Subject']}\n\n{message.get_body(('plain',)).get_content().rstrip()}"


@pytest.mark.parametrize("name, make", [("digest", _sample_digest), ("summary", _sample_summary)])
def test_the_readme_digest_and_summary_are_what_the_code_makes(name, make):
    fence = "```text\n" if name == "digest" else ""
    close = "\n```" if name == "digest" else ""
    block = README.split(f"<!-- sample:{name} -->\n{fence}")[1].split(f"{close}\n<!-- /sample -->")[0]
    assert block == make()


def test_the_readme_quotes_the_benchmarks_headline_ratios():
    """The figures under Performance are the ones bench/RESULTS.md holds."""
    results = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    performance = README.split("## Performance", 1)[1].split("\n## ", 1)[0]
    ratio = re.search(r"\*\*(\d+\.\d+) × F\*\*", results)[1]
    assert f"{ratio} × F" in performance
    for row in re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \| (?:yes|\*\*no\*\*) \|$", results, re.M):
        assert row[2] in performance, row
