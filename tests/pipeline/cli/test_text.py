"""Values from mail printed as text: hidden characters escaped, markup never read as markup."""
from __future__ import annotations

import io
import json
import logging

import pytest
from rich.console import Console

from pipeline.app.runner import RunReport
from pipeline.cli import views
from pipeline.cli.options import cli_console
from pipeline.cli.text import ShownFormatter, json_text, markup_safe, plain, shown


@pytest.mark.parametrize("value, expected", [
    ("示例市\x1b[31m红", "示例市\\x1b[31m红"),
    ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    ("a\x9b1Ab\x7f", "a\\x9b1Ab\\x7f"),
    ("照片\u202egpj.exe", "照片\\u202egpj.exe"),
    ("\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a", "\\u2066\\u2067\\u2068\\u2069\\u200e"
                                                         "\\u200f\\u061c\\u202a"),
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("tag\U000e0041", "tag\\U000e0041"),
    ("bytes\udc80", "bytes\\udc80"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("a\r\nb\tc\x00", "a\\x0d\\x0ab\\x09c\\x00"),
])
def test_hidden_characters_are_shown_as_their_escapes(value, expected):
    assert shown(value) == expected


@pytest.mark.parametrize("value", ["【示例单位】绿盟案例征集", "全角\u3000空格", "[/] [bold]", "emoji 👍",
                                   "C:\\path\\x1b"])
def test_visible_text_is_left_as_it_is(value):
    assert shown(value) == value


def test_lines_keep_newlines_and_tabs_but_not_a_carriage_return():
    assert shown("a\n\tb\r\x1b", lines=True) == "a\n\tb\\x0d\\x1b"


def test_shown_is_idempotent_and_none_is_empty():
    once = shown("x\x1b\u202e\n")
    assert shown(once) == once and shown(None) == ""


def _printed(*renderables) -> str:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False, emoji=False)
    for renderable in renderables:
        console.print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("value", ["[/]", "x [/red] y", "\\[/]", "a\\", "[bold]粗", ":warning:"])
def test_markup_in_a_value_prints_as_written(value):
    assert _printed(plain(value)).rstrip("\n") == value
    assert _printed(f"[bold]{markup_safe(value)}[/bold]").rstrip("\n") == value


def test_json_text_is_the_same_json_with_nothing_hidden():
    value = {"subject": "红\x1b[31m\x9b\u202e\U000e0041\udc80 [/]", "n": [1, "\n"]}
    text = json_text(value, indent=1)
    assert json.loads(text) == value
    assert all(c.isprintable() or c == "\n" for c in text)
    assert "红" in text and "\\u009b" in text and "\\udb40\\udc41" in text


def test_log_lines_come_out_escaped():
    record = logging.LogRecord("intake", logging.WARNING, __file__, 1, "subject %s", ("\x1b[2J",),
                               None)
    assert ShownFormatter("%(message)s").format(record) == "subject \\x1b[2J"


def test_the_cli_console_reads_no_emoji_codes():
    console = cli_console()
    console.file = io.StringIO()
    console.print("主题 :warning: :smile:")
    assert console.file.getvalue() == "主题 :warning: :smile:\n"


def _view(print_view, *args) -> str:
    out = io.StringIO()
    print_view(Console(file=out, width=120, emoji=False), *args)
    return out.getvalue()


def test_a_ledger_message_with_markup_and_escapes_is_shown_as_text():
    row = {"id": 7, "source": "box", "uid": "1", "subject": "[/] 案例\x1b[2J", "sender": "[b]x",
           "received_at": None, "status": "parked", "attempts": 3, "campaign": None,
           "verdict": None, "reference": None, "note": None, "raw_path": "r.eml",
           "error": "Traceback\n  ValueError: [/red] \x1b]0;t\x07",
           "findings": [{"severity": "error", "rule": "attachment_unreadable",
                         "field": "照片\u202egpj.exe", "message": "[/] 无法打开"}]}
    text = _view(views._show_message, row)
    assert "subject: [/] 案例\\x1b[2J" in text and "sender: [b]x" in text
    assert "ValueError: [/red] \\x1b]0;t\\x07" in text
    assert "attachment_unreadable 照片\\u202egpj.exe — [/] 无法打开" in text
    assert "\x1b" not in text and "\u202e" not in text


def test_intake_check_prints_a_hostile_finding_as_text():
    result = {"file": "[/]a.eml", "campaign": None, "verdict": "not_submission",
              "reference": None, "unit_name": "[bold]单位\x1b[31m",
              "findings": [{"severity": "warning", "rule": "subject_format", "field": None,
                            "message": "主题“[/]\u202e”"}]}
    text = _view(views.print_check, result)
    assert "[/]a.eml — not_submission  [bold]单位\\x1b[31m" in text
    assert "主题“[/]\\u202e”" in text


def test_the_run_report_names_a_mailbox_it_could_not_poll():
    report = RunReport(parked=[(3, "ValueError: [/] \x1b[2J")], send_errors=["[/red] to x"],
                       unpolled=[("box", "login: 登录被拒绝 [/]")])
    text = _view(views.print_report, report)
    assert "parked message 3: ValueError: [/] \\x1b[2J" in text
    assert "not sent [/red] to x" in text
    assert "mailbox box not polled: login: 登录被拒绝 [/]" in text


@pytest.mark.parametrize("error, shown_as", [("Traceback\n  ValueError: 坏了\n", "parked: ValueError: 坏了"),
                                             ("", "parked: (no reason recorded)"),
                                             (None, "parked: (no reason recorded)")])
def test_a_parked_mail_is_listed_with_the_last_line_of_its_reason(error, shown_as):
    row = {"status": "parked", "error": error, "verdict": None, "current": None}
    assert views._verdict(row) == shown_as
