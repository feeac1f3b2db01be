"""The CLI's tables never split an identifier: piped into a file, on a wide or a narrow terminal."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from rich.cells import cell_len
from rich.console import Console

from pipeline.cli.options import UNBOUNDED, cli_console
from pipeline.cli.views import ID, TEXT, WORDS, Column, print_table
from tests.support.workspace import Workspace, make_workspace

# The variables that make rich take any output for a terminal, which these tests choose themselves.
TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "COLUMNS")
ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    workspace = make_workspace(tmp_path_factory.mktemp("tables"), [])
    assert _intake(workspace, "demo").returncode == 0
    return workspace


def _intake(workspace: Workspace, *args: str, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess:
    """The CLI in a child process, its stdout written to a file as `intake list > log` does."""
    out = workspace.root / "stdout.txt"
    clean = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    with out.open("wb") as stdout:
        result = subprocess.run([sys.executable, "-m", "pipeline", *args, "--config",
                                 str(workspace.config_path)], cwd=workspace.root, stdout=stdout,
                                stderr=subprocess.PIPE, text=True, timeout=300,
                                env={**clean, **(env or {})})
    result.stdout = ESCAPES.sub("", out.read_text(encoding="utf-8"))
    return result


def _identifiers(workspace: Workspace) -> dict[str, set[str]]:
    column = {"reference": "select reference from submissions",
              "campaign": "select distinct campaign from messages where campaign is not null",
              "rule": "select distinct rule from findings"}
    return {name: {next(iter(row.values())) for row in workspace.query(sql)}
            for name, sql in column.items()}


def _assert_whole(workspace: Workspace, text: str) -> None:
    identifiers = _identifiers(workspace)
    assert identifiers["reference"] and identifiers["campaign"] and identifiers["rule"]
    for name, values in identifiers.items():
        assert [v for v in sorted(values) if v not in text] == [], name


@pytest.mark.parametrize("command", [("demo",), ("list",)])
def test_piped_into_a_file_every_identifier_is_whole_and_a_row_is_one_line(workspace, command):
    """GIVEN the demo's database WHEN the demo or `intake list` writes to a file, even with
    COLUMNS=60 THEN every reference, campaign id and rule id is whole in it, and each submission's
    campaign and reference stand on one line."""
    result = _intake(workspace, *command, env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    _assert_whole(workspace, result.stdout)
    lines = result.stdout.splitlines()
    for sub in workspace.query("select campaign, reference from submissions"):
        assert any(sub["campaign"] in line and sub["reference"] in line for line in lines)


@pytest.mark.parametrize("columns", [60, 200])
def test_on_a_terminal_identifiers_are_whole_and_lines_fit_it(workspace, columns):
    """GIVEN a terminal 60 or 200 columns wide WHEN `intake list` prints THEN every identifier is
    whole and no line is wider than the terminal (narrow: each message as lines)."""
    result = _intake(workspace, "list", env={"TTY_COMPATIBLE": "1", "NO_COLOR": "1",
                                             "COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    _assert_whole(workspace, result.stdout)
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= columns


def test_the_outbox_listing_piped_shows_every_reference_and_state_whole(workspace):
    result = _intake(workspace, "outbox", "list", env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for row in workspace.query("select o.id, o.status, s.reference from outbox o join submissions s "
                               "on o.submission_id = s.id"):
        assert any(f"│ {row['id']} " in line and row["status"] in line and row["reference"] in line
                   for line in lines)


def _printed(width: int, columns: list[Column], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    print_table(Console(file=out, width=width, force_terminal=True, color_system=None),
                "t", columns, rows)
    return out.getvalue()


def test_an_identifier_wider_than_the_terminal_runs_past_its_edge_uncut():
    text = _printed(20, [Column("reference", ID)], [("GPIPC-2024-ENTERPRISE-0001",)])
    assert "GPIPC-2024-ENTERPRISE-0001" in text


def test_free_text_folds_and_a_rule_id_among_words_stays_whole():
    columns = [Column("subject"), Column("findings", WORDS, ("case_name_has_abbrev",))]
    text = _printed(50, columns, [("绿色低碳发展优秀实践案例申报材料示例市远航信息技术有限公司",
                                   "✗ case_name_has_abbrev (case_name)")])
    assert "case_name_has_abbrev" in text and "绿色低碳发展优秀实践案例申报材料示例市" not in text


def test_markup_in_a_subject_is_printed_as_it_is():
    text = _printed(80, [Column("subject", TEXT)], [("[/b] 案例 [bold]",)])
    assert "[/b] 案例 [bold]" in text


def test_the_console_is_unbounded_when_the_output_is_no_terminal(monkeypatch):
    for name in TERMINAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli_console().width == UNBOUNDED
