"""Hostile mail at the terminal: a subject, a sender or a file name carrying rich markup, escape
sequences or bidi overrides is printed as text by every command, escaped where it would act;
raw 8-bit UTF-8 or GB18030 headers are stored as the words they are, not as U+FFFD."""
from __future__ import annotations

import re
import sqlite3

import pytest

from tests.support.hostile_cli import (ESCAPES, FROM_TAIL, HOSTILE_NAME, MARKUP, RAW,
                                       eight_bit, hostile_submission, readable_headers, sample)
from tests.support.workspace import Workspace, imap_source, make_workspace

# rich's own styles on a terminal (bold, red); anything else starting with ESC came from a mail.
STYLES = re.compile(r"\x1b\[[0-9;]*m")
PIPED = {}
TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "200"}
# Narrower than the list's identifiers: each row printed as lines of header and value.
NARROW = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "60"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Workspace:
    """A hostile complete submission, then an innocent one, after one `intake run`."""
    workspace = make_workspace(tmp_path_factory.mktemp("hostile-cli"), [])
    new = workspace.root / "mail" / "new"
    (new / "1.hostile.eml").write_bytes(hostile_submission())
    (new / "2.innocent.eml").write_bytes(sample("ccea-csr-complete"))
    result = workspace.intake("run")
    assert result.returncode == 0, result.stdout + result.stderr
    return workspace


def _printed(workspace: Workspace, *args: str, env: dict[str, str]) -> str:
    result = workspace.intake(*args, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return STYLES.sub("", result.stdout)


def _assert_only_text(out: str) -> None:
    assert [c for c in RAW if c in out] == []


def test_the_hostile_mail_is_kept_decided_once_and_the_next_is_answered(hostile):
    rows = hostile.query("select raw_path, status, verdict from messages order by id")
    assert [(r["status"], r["verdict"]) for r in rows] == [("done", "complete"),
                                                           ("done", "complete")]
    with open(rows[0]["raw_path"], "rb") as raw:
        assert raw.read() == hostile_submission()
    assert hostile.query("select count(*) as n from outbox")[0]["n"] == 2


@pytest.mark.parametrize("env", [PIPED, TERMINAL, NARROW], ids=["piped", "terminal", "narrow"])
@pytest.mark.parametrize("command", [("list",), ("show", "1"), ("show", "GPIPC-2024-P-0001")])
def test_markup_and_escapes_in_a_subject_print_as_text(hostile, command, env):
    """GIVEN a mail whose subject and sender carry `[/]`, tags, an OSC title, colours, a C1 CSI
    and bidi overrides WHEN a listing prints them, piped, on a terminal or a narrow one THEN it
    exits 0, the markup reads as written, and no escape or override reaches the output raw."""
    out = _printed(hostile, *command, env=env)
    _assert_only_text(out)
    # Lines wrap at the terminal's width (a narrow one prints rows as lines of header and
    # value): compared without the breaks.
    flat = re.sub(r"\s+", "", out)
    for text in ("[/] [bold]粗[/bold]", "\\x1b]0;pwned\\x07\\x1b[31m", "\\u202egpj.exe\\u2066\\u200f"):
        assert re.sub(r"\s+", "", text) in flat


@pytest.mark.parametrize("env", [PIPED, TERMINAL, NARROW], ids=["piped", "terminal", "narrow"])
def test_the_outbox_lists_the_notices_subjects_not_the_mails(hostile, env):
    """The replies' subjects are built from the notice and the unit (outbox/echo.py): the
    mail's markup and escapes are in no reply, so in no line of `intake outbox list`."""
    out = _printed(hostile, "outbox", "list", env=env)
    _assert_only_text(out)
    flat = re.sub(r"\s+", "", out)
    assert "【已受理】" in flat and "绿盟案例征集" in flat
    assert "[/]" not in flat and "\\x1b" not in flat and "\\u202e" not in flat


@pytest.mark.parametrize("command", [("show", "1"), ("show", "GPIPC-2024-P-0001")])
def test_the_senders_name_prints_as_text(hostile, command):
    out = _printed(hostile, *command, env=PIPED)
    assert "[/] [bold]粗[/bold] \\x1b[2J\\x9b1A\\u202e" in out


def test_list_json_keeps_the_values_and_hides_nothing_raw(hostile):
    import json

    out = _printed(hostile, "list", "--json", env=PIPED)
    _assert_only_text(out)
    first = json.loads(out)[0]
    assert first["subject"].endswith(f"{MARKUP} {ESCAPES} \u202egpj.exe\u2066\u200f")
    assert FROM_TAIL in first["sender"]


def test_a_hostile_file_name_in_the_database_is_shown_escaped(hostile):
    """GIVEN a document whose stored name holds escapes, a CR and bidi overrides (the parser
    may clean names; the CLI does not rely on it) WHEN `intake show REF` prints it THEN escaped."""
    with sqlite3.connect(hostile.root / "var" / "intake.db") as db:
        db.execute("update documents set name = ? where id = (select min(id) from documents)",
                   [HOSTILE_NAME])
    out = _printed(hostile, "show", "GPIPC-2024-P-0001", env=TERMINAL)
    _assert_only_text(out)
    assert "照片\\x1b]0;pwned\\x07\\x1b[31m\\x1b[2J\\x9b1A\\x0d[red]\\u202egpj.exe" in out


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_raw_8bit_subject_and_from_are_stored_as_the_words_sent(tmp_path, encoding):
    """GIVEN a submission whose Subject and From are raw 8-bit text, as some Chinese clients
    send them WHEN `intake run` THEN the ledger and `intake list` carry the words, no U+FFFD;
    the mail is kept and decided once, and the next mail is processed normally."""
    workspace = make_workspace(tmp_path, [])
    new = workspace.root / "mail" / "new"
    mail = eight_bit("ccea-csr-complete", encoding)
    (new / "1.eightbit.eml").write_bytes(mail)
    (new / "2.innocent.eml").write_bytes(sample("gpipc-park-complete"))
    assert workspace.intake("run").returncode == 0
    rows = workspace.query("select subject, sender, status, verdict, raw_path from messages "
                           "order by id")
    subject, sender = readable_headers(sample("ccea-csr-complete"))
    assert (rows[0]["subject"], rows[0]["sender"]) == (subject, sender)
    assert [(r["status"], r["verdict"]) for r in rows] == [("done", "complete")] * 2
    with open(rows[0]["raw_path"], "rb") as raw:
        assert raw.read() == mail
    out = _printed(workspace, "list", env=PIPED)
    assert subject in out and "\ufffd" not in out


def test_a_raw_8bit_subject_fetched_over_imap_is_stored_as_sent(dovecot, tmp_path):
    """GIVEN a Dovecot holding a mail with a raw UTF-8 Subject and From WHEN `intake run` polls
    it THEN the ledger has the words, not U+FFFD, and the mail is decided once."""
    workspace = make_workspace(tmp_path, [])
    workspace.only_source(imap_source(dovecot.port, dovecot.user, "INTAKE_TEST_HOSTILE_CLI_SECRET"))
    dovecot.append(eight_bit("ccea-csr-complete", "utf-8"))
    result = workspace.intake("run", env={"INTAKE_TEST_HOSTILE_CLI_SECRET": dovecot.password})
    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = workspace.query("select subject, sender, status, verdict from messages")
    assert (row["subject"], row["sender"]) == readable_headers(sample("ccea-csr-complete"))
    assert (row["status"], row["verdict"]) == ("done", "complete")

