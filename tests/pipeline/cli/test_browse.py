"""`intake browse`: Datasette over a database the pipeline filled, through its JSON API and a
real headless browser (Debian's chromium), and nothing it serves can write. Every request here
shows the token's cookie, as a browser that opened the printed address does; the gate itself
(Host, token, CSV) is tested in test_browseguard.py."""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.app.runner import run
from pipeline.cli.browse import browse_command
from pipeline.cli.datasette import DATABASE, OVERVIEW, VIEWS, datasette, metadata, view_path
from pipeline.demo.samples import catalogue
from pipeline.errors import ConfigError
from pipeline.store.database import Database
from tests.support.workspace import Workspace, make_workspace

# Two campaigns; complete, deficient (one with two categories ticked), late, and an inquiry.
SAMPLES = ("ccea-green-complete", "ccea-green-deficient", "ccea-csr-deficient",
           "gpipc-enterprise-late", "inquiry")
VERDICTS = {"complete": "已受理", "deficient": "需补正", "late": "逾期"}


@dataclass(frozen=True)
class Server:
    url: str
    database: Path
    # The database's content and file bytes before the server started.
    before: tuple[str, str]
    # The token of the printed address, and the cookie a browser gets for it.
    token: str = ""

    @property
    def cookie(self) -> str:
        return f"intake_browse_{urllib.parse.urlsplit(self.url).port}={self.token}"

    def request(self, url_path: str, **options) -> urllib.request.Request:
        """A request as the logged-in browser sends it."""
        headers = {"Cookie": self.cookie, **options.pop("headers", {})}
        return urllib.request.Request(self.url + url_path, headers=headers, **options)


def fingerprint(path: Path) -> tuple[str, str]:
    """Every row of every table (WAL included), and the hash of the main file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    return dump, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    samples = [s for s in catalogue() if s.key in SAMPLES]
    workspace = make_workspace(tmp_path_factory.mktemp("browse"), samples)
    run(workspace.config())
    return workspace


@contextmanager
def browsing(workspace: Workspace) -> Iterator[Server]:
    """`intake browse --port 0` in its own process group, until the block ends."""
    database = workspace.config().database
    before = fingerprint(database)
    log_path = workspace.root / "browse.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from pipeline.cli.browse import browse_command; browse_command()",
             "--config", str(workspace.config_path), "--port", "0"],
            cwd=workspace.root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url, token = _wait_until_answering(process, log_path)
        yield Server(url, database, before, token)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def server(workspace):
    with browsing(workspace) as running:
        yield running


def _wait_until_answering(process: subprocess.Popen, log_path: Path) -> tuple[str, str]:
    """The URL and token the command printed, once a GET of the address answers 200 (after
    the redirect that trades the token for a cookie)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, f"intake browse exited:\n{log_path.read_text()}"
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\S*intake_token=([\w-]+)",
                          log_path.read_text())
        if found:
            try:
                with cookie_opener().open(f"{found.group(1)}/?intake_token={found.group(2)}",
                                          timeout=2) as response:
                    if response.status == 200:
                        return found.group(1), found.group(2)
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"intake browse did not answer in 20 s:\n{log_path.read_text()}")


def cookie_opener() -> urllib.request.OpenerDirector:
    """An opener keeping cookies across redirects, as a browser does."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor())


def get_json(server: Server, url_path: str) -> object:
    with urllib.request.urlopen(server.request(url_path), timeout=10) as response:
        return json.load(response)


def with_token(server: Server, url: str) -> str:
    """A URL as the printed address gives it: chromium keeps no session cookie between runs."""
    return url + ("&" if "?" in url else "?") + f"intake_token={server.token}"


def status_of(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_overview_shows_every_submission_in_chinese(server, workspace):
    rows = get_json(server, view_path(OVERVIEW, ".json?_shape=array&_size=max"))
    expected = workspace.query("select reference, verdict from submissions")
    assert {r["受理编号"]: r["结论"] for r in rows} == \
        {e["reference"]: VERDICTS[e["verdict"]] for e in expected}
    assert {r["征集活动"] for r in rows} == {"ccea-green-2022", "ccea-csr-2022",
                                             "gpipc-enterprise-2024"}
    by_verdict = {r["结论"]: r for r in rows}
    assert by_verdict["已受理"]["待补正"] == 0 and by_verdict["需补正"]["待补正"] > 0
    # Several ticked categories are one value, joined with 、.
    assert "助力乡村振兴、消除数字鸿沟" in {r["案例类别"] for r in rows}


def test_the_overview_has_the_three_facets(server):
    page = get_json(server, view_path(OVERVIEW, ".json"))
    assert set(page["facet_results"]) == {"征集活动", "结论", "案例类别"}


def test_the_tables_are_hidden_and_the_views_shown(server, workspace):
    index = get_json(server, f"/{DATABASE}.json")
    assert index["tables"] and all(t["hidden"] for t in index["tables"])
    assert {"messages", "documents", "outbox"} <= {t["name"] for t in index["tables"]}
    assert [v["name"] for v in index["views"]] == list(VIEWS)


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (.ci/system-packages installs it)")
def test_a_browser_loads_the_overview_and_a_facet_filters_it(server, workspace, tmp_path):
    references = {r["reference"]: r["verdict"] for r in workspace.query(
        "select reference, verdict from submissions")}
    page = chromium_dom(with_token(server, server.url + view_path(OVERVIEW)), tmp_path)
    assert all(reference in page for reference in references)

    facets = FacetLinks.of(page)
    assert {column for column, _ in facets} == {"征集活动", "结论", "案例类别"}
    filtered = chromium_dom(with_token(server, urllib.parse.urljoin(
        server.url, facets["结论", "需补正"])), tmp_path)
    assert {r for r in references if r in filtered} == \
        {r for r, verdict in references.items() if verdict == "deficient"}


def chromium_dom(url: str, tmp_path: Path) -> str:
    """The page's DOM after its scripts ran, as Debian's chromium renders it."""
    result = subprocess.run(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
         f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "</html>" in result.stdout, result.stderr[-2000:]
    return result.stdout


class FacetLinks(HTMLParser):
    """(facet column, value) -> href of every facet link in a Datasette table page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[tuple[str, str], str] = {}
        self.column: str | None = None
        self.href: str | None = None

    @classmethod
    def of(cls, page: str) -> dict[tuple[str, str], str]:
        parser = cls()
        parser.feed(page)
        return parser.links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "div" and "facet-info" in (values.get("class") or "").split():
            self.column = values.get("data-column")
        elif tag == "a" and self.column:
            self.href = values.get("href")

    def handle_data(self, data: str) -> None:
        if self.href and data.strip():
            self.links[self.column, data.strip()] = self.href
            self.href = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self.column = None


def test_nothing_served_can_write(server):
    """GIVEN the server WHEN writes are tried every way Datasette 0.65 has THEN all are refused
    and the database is what it was, row for row and byte for byte."""
    attempts = [
        server.request(f"/{DATABASE}.json?sql=delete+from+counters"),
        server.request(f"/{DATABASE}", data=b"sql=delete from counters"),
        server.request(f"/{DATABASE}/counters", data=b"last=0"),
        server.request(f"/{DATABASE}/counters/-/insert",
                       data=b'{"row": {"campaign": "x", "last": 1}}',
                       headers={"Content-Type": "application/json"}),
    ]
    # Through the gate: each attempt is refused by Datasette, not by a missing cookie.
    assert all(status_of(request) != 401 for request in attempts)
    assert all(status_of(request) >= 400 for request in attempts)
    assert get_json(server, "/-/plugins.json") == []
    assert get_json(server, "/-/databases.json")[0]["is_mutable"]  # mode=ro, not immutable=1
    assert fingerprint(server.database) == server.before


def test_the_write_connection_is_read_only_too(workspace):
    """The one write path Datasette has (writable canned queries, plugins) meets SQLite's refusal."""
    ds = datasette(workspace.config().database, {})
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(ds.databases[DATABASE].execute_write("delete from counters"))


def test_what_the_pipeline_writes_meanwhile_shows_on_the_next_page(workspace, tmp_path):
    """GIVEN browse open on a database WHEN the pipeline commits a submission (WAL) THEN the
    next page shows it: the file is opened mode=ro, not immutable=1."""
    copy = tmp_path / "intake.db"
    with sqlite3.connect(workspace.config().database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    ds = datasette(copy, {})

    async def references() -> set[str]:
        response = await ds.client.get(view_path(OVERVIEW, ".json?_shape=array&_size=max"))
        return {row["受理编号"] for row in response.json()}

    async def before_and_after() -> tuple[set[str], set[str]]:
        before = await references()
        db = Database(copy)  # kept open, so the row stays in the WAL, as under `intake serve`
        try:
            db.insert("submissions", {"campaign": "ccea-green-2022",
                                      "reference": "CCEA-2022-G-9999", "verdict": "complete",
                                      "version": 1})
            return before, await references()
        finally:
            db.close()

    before, after = asyncio.run(before_and_after())
    assert after - before == {"CCEA-2022-G-9999"}


def test_every_facet_sort_and_description_names_a_column_of_its_view(profiles):
    db = Database(None)
    meta = metadata(profiles, ["messages"])["databases"][DATABASE]["tables"]
    for view in VIEWS:
        columns = {row["name"] for row in db.query(f"pragma table_info({view})")}
        named = {*meta[view]["facets"], *meta[view]["columns"],
                 meta[view].get("sort") or meta[view]["sort_desc"]}
        assert named <= columns, view
    assert meta["messages"] == {"hidden": True}
    assert profiles["ccea-csr-2022"].title in meta[OVERVIEW]["columns"]["征集活动"]
    db.close()


def test_browse_without_a_database_says_so(tmp_path):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    result = CliRunner().invoke(browse_command, ["--config", str(tmp_path / "config.toml")])
    assert isinstance(result.exception, ConfigError) and "intake run" in str(result.exception)
    assert not (tmp_path / "var").exists()
