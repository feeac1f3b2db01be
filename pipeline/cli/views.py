"""What the CLI prints: messages, submissions and campaigns, in tables that never split an id."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.app.runner import RunReport
from pipeline.cli.options import output_width
from pipeline.cli.show import print_submission
from pipeline.cli.text import plain, shown
from pipeline.config.settings import Config
from pipeline.errors import ConfigError
from pipeline.store import views as store
from pipeline.store.database import Database
from pipeline.store.submissions import by_reference


@contextmanager
def open_db(config: Config) -> Iterator[Database]:
    db = Database(config.database)
    try:
        yield db
    finally:
        db.close()


@dataclass(frozen=True)
class ListFilter:
    """`intake list` filters; None matches everything. Days are local days (bounds in UTC)."""

    status: str | None = None
    campaign: str | None = None
    source: str | None = None
    # The current verdict: the submission's (after people's decisions), else the mail's.
    verdict: str | None = None
    # Part of the unit's name.
    unit: str | None = None
    # Fetched on or after `since`, before `until` (UTC 'YYYY-MM-DD HH:MM:SS').
    since: str | None = None
    until: str | None = None
    # One ledger row by its id (`intake show 12`).
    row_id: int | None = None


def message_rows(db: Database, where: ListFilter = ListFilter()) -> list[dict]:
    """Ledger rows with their reference, current verdict and findings, oldest first."""
    rows = store.messages(db, **dataclasses.asdict(where))
    for row in rows:
        row["findings"] = store.message_findings(db, row["id"])
    return rows


LIST_KEYS = ("id", "source", "folder", "uid", "message_id", "subject", "sender", "received_at",
             "fetched_at", "status", "error", "note", "campaign", "verdict", "current", "reference",
             "unit_name", "raw_path")


def list_json(row: dict) -> dict[str, object]:
    """A ledger row for `intake list --json`: the mail, its verdicts, and its findings."""
    return {**{k: row.get(k) for k in LIST_KEYS},
            "findings": [{**f, "waived": bool(f.get("waived_by"))} for f in row["findings"]]}


# How a column's cells may break across lines: identifiers (ids, references, campaign ids,
# status words) never; WORDS (findings, a verdict) between words only, never inside the
# identifiers among them; free TEXT (subjects, unit names, notes) anywhere.
ID, WORDS, TEXT = "id", "words", "text"
# Six Chinese characters a line: free text any narrower reads better as the rows told as lines.
TEXT_LEAST = 12


@dataclass(frozen=True)
class Column:
    """A column of `print_table`: its header and how its cells may break (ID, WORDS or TEXT)."""

    header: str
    kind: str = TEXT
    # WORDS: the identifiers among the words; the column is never narrower than the widest.
    words: tuple[str, ...] = ()


def print_table(console: Console, title: str, columns: list[Column], rows: list[tuple[str, ...]],
                show_lines: bool = False) -> None:
    """A table, or on a terminal too narrow for its identifiers, each row as lines of header and
    value; free text folds or ends in …, identifiers stay whole. Cells are text, never markup,
    and what they hide is shown escaped (and measured so)."""
    rows = [tuple(shown(cell, lines=True) for cell in cells) for cells in rows]
    cells_of = [[cells[i] for cells in rows] for i in range(len(columns))]
    most = [_widest([c.header, *cells]) for c, cells in zip(columns, cells_of)]
    least = [_least_width(c, cells, n) for c, cells, n in zip(columns, cells_of, most)]
    # Each column has a space either side and a border on its left; the table one more border.
    edges = 3 * len(columns) + 1
    room = output_width(console) - edges
    if sum(least) > room:
        _print_records(console, title, columns, rows, least)
        return
    widths = _fitted(least, most, room)
    # The table's own width, not the console's: piped, output_width exceeds a plain Console's.
    table = Table(title=title, show_lines=show_lines, width=sum(widths) + edges)
    for column, width in zip(columns, widths):
        table.add_column(column.header, width=width, no_wrap=column.kind == ID,
                         overflow="fold" if column.kind == TEXT else "ellipsis")
    for cells in rows:
        table.add_row(*(Text(cell) for cell in cells))
    _print_wide(console, table)


def _fitted(least: list[int], most: list[int], room: int) -> list[int]:
    """Every column as wide as its content when the room allows; else the widest narrowed to one
    width, as little as needed, none below its least (rich's own narrowing knows no least)."""
    level = max(most, default=0)
    while level > 0 and sum(min(max(level, n), m) for n, m in zip(least, most)) > room:
        level -= 1
    return [min(max(level, n), m) for n, m in zip(least, most)]


def _print_records(console: Console, title: str, columns: list[Column],
                   rows: list[tuple[str, ...]], least: list[int]) -> None:
    """Each row as lines of header and value, a blank line between rows."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(min_width=max((n for n, c in zip(least, columns) if c.kind != TEXT), default=1))
    for number, cells in enumerate(rows):
        if number:
            grid.add_row("", "")
        for column, cell in zip(columns, cells):
            grid.add_row(column.header, _value(column, cell))
    console.print(title)
    _print_wide(console, grid)


def _value(column: Column, cell: str) -> Text:
    """A cell breaking as its column's cells do, in a grid where values of all kinds share one
    column."""
    return Text(cell, overflow="fold" if column.kind == TEXT else "ellipsis",
                no_wrap=column.kind == ID)


def _print_wide(console: Console, table: Table) -> None:
    # Identifiers wider than the terminal make lines longer than it: the terminal wraps them,
    # where rich would crop them and cut off an identifier's end.
    console.print(table, crop=False)


def _least_width(column: Column, cells: list[str], most: int) -> int:
    """The narrowest a column may be: its header, its widest identifier, a few words of text."""
    if column.kind == TEXT:
        return max(cell_len(column.header), min(most, TEXT_LEAST))
    return _widest([column.header, *(cells if column.kind == ID else column.words)])


def _widest(texts: Iterable[str]) -> int:
    """The width of the widest line, in terminal cells (a Chinese character takes two)."""
    return max((cell_len(line) for text in texts for line in text.splitlines()), default=1)


def _findings_text(findings: list[dict]) -> str:
    return "\n".join(f"{'✗' if f['severity'] == 'error' else '!'} {f['rule']}"
                      + (f" ({f['field']})" if f["field"] else "")
                      + (" waived" if f.get("waived_by") else "") for f in findings)


def _verdict(row: dict) -> str:
    """The mail's verdict, → the current one where people changed it; or why it was parked."""
    if row["status"] == "parked":
        lines = (row["error"] or "").strip().splitlines()
        return f"parked: {lines[-1].strip()[:80] if lines else '(no reason recorded)'}"
    verdict = row["verdict"] or row["status"]
    if row["current"] and row["current"] != row["verdict"]:
        verdict = f"{verdict} → {row['current']}"
    return verdict


def _status_words(row: dict) -> list[str]:
    """The words of a row's verdict that are status words, not a parked message's error."""
    return ["parked:"] if row["status"] == "parked" else _verdict(row).split()


def print_list(console: Console, rows: list[dict]) -> None:
    findings = _findings_text([f for row in rows for f in row["findings"]])
    # A note (why a mail is no submission) is free text; a finding's words are identifiers.
    columns = [Column("#", ID), Column("subject"), Column("campaign", ID), Column("unit"),
               Column("verdict", WORDS, tuple(w for row in rows for w in _status_words(row))),
               Column("reference", ID), Column("findings", WORDS, tuple(findings.split()))]
    print_table(console, f"{len(rows)} messages", columns, [
        (str(row["id"]), row["subject"] or "", row["campaign"] or "—", row["unit_name"] or "",
         _verdict(row), row["reference"] or "", _findings_text(row["findings"]) or (row["note"] or ""))
        for row in rows], show_lines=True)


def print_report(console: Console, report: RunReport) -> None:
    counts: dict[str, int] = {}
    for _, outcome in report.outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new"
    console.print(f"fetched {report.fetched}, processed {len(report.outcomes)} ({summary}), "
                  f"parked {len(report.parked)}, replies sent {report.sent}")
    for row_id, error in report.parked:
        console.print(Text.assemble((f"parked message {row_id}", "red"), ": ", plain(error)))
    for line in report.send_errors:
        console.print(Text.assemble(("not sent", "red"), " ", plain(line)))
    for name, why in report.unpolled:
        console.print(Text.assemble((f"mailbox {shown(name)} not polled", "red"), ": ",
                                    plain(why)))
    print_held(console, report.held)


def print_demo(console: Console, rows: list[dict], config: Config, report: RunReport) -> None:
    print_list(console, rows)
    console.print(f"database: {config.database}\nreplies spooled to: {config.replies.spool}")
    print_held(console, report.held)


def print_held(console: Console, held: int) -> None:
    if held:  # "\\[" keeps rich from reading [replies] as markup
        console.print(f"{held} repl(ies) held for review (\\[replies] mode = \"review\"): "
                      "`intake outbox list` shows them, `intake outbox approve ID` or `--all` "
                      "sends them")


def print_check(console: Console, result: dict) -> None:
    console.print(Text.assemble(
        plain(result.get("file", ""), "bold"),
        plain(f" {result['campaign'] or '—'} {result['verdict']} {result['reference'] or ''} "
              f"{result['unit_name']}")))
    for finding in result["findings"]:
        console.print(_finding_line(finding))


def _finding_line(finding: dict) -> Text:
    return plain(f"  {finding['severity']}: {finding['rule']} {finding['field'] or ''} "
                 f"— {finding['message']}")


def print_show(console: Console, db: Database, key: str) -> bool:
    """A submission by reference, or a ledger message by id."""
    found = by_reference(db, key)
    if found:
        print_submission(console, db, found)
        return True
    if key.lstrip("#").isdigit():
        rows = message_rows(db, ListFilter(row_id=int(key.lstrip("#"))))
        if rows:
            _show_message(console, rows[0])
            return True
    return False


def _show_message(console: Console, row: dict) -> None:
    for key in ("id", "source", "uid", "subject", "sender", "received_at", "status", "attempts",
                "campaign", "verdict", "reference", "note", "raw_path"):
        console.print(Text.assemble((key, "bold"), ": ", plain(row.get(key))))
    if row["error"]:
        console.print(Text.assemble(("error", "bold red"), ":\n", plain(row["error"], lines=True)))
    for finding in row["findings"]:
        console.print(_finding_line(finding))


def print_campaigns(console: Console, config: Config) -> None:
    profiles = config.profiles()
    columns = [Column("id", ID), Column("title"), Column("deadline", ID), Column("subject"),
               Column("file", ID)]
    print_table(console, "campaigns", columns, [
        (p.id, p.title, str(p.deadline or ""), p.subject.example or " + ".join(p.subject.keywords),
         Path(p.source).name) for p in profiles.values()])


def print_campaign(console: Console, config: Config, campaign_id: str) -> None:
    from pipeline.cli.describe import describe_profile

    profiles = config.profiles()
    if campaign_id not in profiles:
        raise ConfigError(f"no campaign {campaign_id!r}; known: {', '.join(profiles)}")
    console.print(plain(describe_profile(profiles[campaign_id]), lines=True), soft_wrap=True)
