"""`intake console` as a user meets it: a real server on a loopback port, a client keeping
cookies as a browser does; logins, roles, CSRF, and decisions recorded as the CLI records them."""
from __future__ import annotations

import re

import httpx
import pytest

from tests.support.console import (PASSWORD, SCRIPT, VIEWER_PASSWORD, add_account,
                                   running_console)
from tests.support.workspace import Workspace

TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with running_console(tmp_path_factory.mktemp("console")) as workspace:
        yield workspace


def _client(console: Workspace) -> httpx.Client:
    return httpx.Client(base_url=console.url, follow_redirects=False, timeout=30)


def _token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text)[1]


def _logged_in(console: Workspace, name: str = "alice", password: str = PASSWORD) -> httpx.Client:
    client = _client(console)
    answer = client.post("/login", data={"name": name, "password": password,
                                         "csrftoken": _token(client, "/login")})
    assert answer.status_code == 303, answer.text
    return client


def _held(console: Workspace) -> list[int]:
    return [r["id"] for r in console.query("select id from outbox where status = 'held' "
                                           "order by id")]


@pytest.mark.parametrize("path", ["/", "/outbox", "/outbox/1", "/outbox/1/html"])
def test_every_page_needs_a_login(console, path):
    answer = _client(console).get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_session_cookie_is_httponly_strict_and_pages_carry_a_policy(console):
    client = _client(console)
    answer = client.post("/login", data={"name": "alice", "password": PASSWORD,
                                         "csrftoken": _token(client, "/login")})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_the_dashboard_shows_the_campaigns_and_the_held_replies(console):
    page = _logged_in(console).get("/")
    assert page.status_code == 200
    assert "gpipc-park-2024" in page.text and "ccea-csr-2022" in page.text
    assert f"{len(_held(console))} 封" in page.text


def test_a_post_without_the_csrf_token_is_refused(console):
    client = _logged_in(console)
    first = _held(console)[0]
    answer = client.post(f"/outbox/{first}/approve", data={})
    assert answer.status_code == 403
    assert first in _held(console)


def test_a_viewer_sees_but_cannot_act(console):
    client = _logged_in(console, "bob", VIEWER_PASSWORD)
    first = _held(console)[0]
    page = client.get(f"/outbox/{first}")
    assert page.status_code == 200 and "批准发送" not in page.text
    token = TOKEN.search(page.text)[1]
    answer = client.post(f"/outbox/{first}/approve", data={"csrftoken": token})
    assert answer.status_code == 403 and first in _held(console)
    batch = client.post("/outbox/approve", data={"csrftoken": token, "id": [str(first)]})
    assert batch.status_code == 403 and first in _held(console)


def test_all_deficiency_notices_of_a_campaign_are_approved_in_one_step(console):
    """GIVEN held replies of several kinds and campaigns WHEN alice filters the park notices
    THEN the confirmation names their count, and confirming approves exactly those."""
    chosen = [r["id"] for r in console.query(
        "select o.id from outbox o join submissions s on s.id = o.submission_id where "
        "o.status = 'held' and o.kind = 'deficiency' and s.campaign = 'gpipc-park-2024'")]
    others = [i for i in _held(console) if i not in chosen]
    assert chosen and others
    client = _logged_in(console)
    listed = client.get("/outbox", params={"campaign": "gpipc-park-2024", "kind": "deficiency"})
    assert f"待审回复（{len(chosen)}）" in listed.text
    confirm = client.get("/outbox/approve", params={"campaign": "gpipc-park-2024",
                                                    "kind": "deficiency"})
    assert f"确认批准这 {len(chosen)} 封" in confirm.text
    ids = re.findall(r'name="id" value="(\d+)"', confirm.text)
    answer = client.post("/outbox/approve", data={"csrftoken": TOKEN.search(confirm.text)[1],
                                                  "id": ids})
    assert answer.status_code == 303 and answer.headers["location"] == f"/outbox?approved={len(chosen)}"
    assert sorted(int(i) for i in ids) == sorted(chosen)
    assert _held(console) == others
    rows = console.query(f"select approved_by from outbox where id in ({','.join(ids)})")
    assert {r["approved_by"] for r in rows} == {"alice"}


def test_an_approval_is_recorded_as_the_cli_records_it(console):
    """GIVEN two held replies WHEN alice approves one in the console and the other with
    `intake outbox approve --by alice` THEN both rows carry the same decision."""
    client = _logged_in(console)
    by_console, by_cli = _held(console)[:2]
    page = client.get(f"/outbox/{by_console}")
    answer = client.post(f"/outbox/{by_console}/approve",
                         data={"csrftoken": TOKEN.search(page.text)[1]})
    assert answer.status_code == 303
    assert console.intake("outbox", "approve", str(by_cli), "--by", "alice").returncode == 0
    rows = console.query("select id, status, approved_by, approved_at is not null as stamped "
                         "from outbox where id in (?, ?) order by id", [by_console, by_cli])
    decided = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    assert decided[0]["approved_by"] == decided[1]["approved_by"] == "alice"
    assert decided[0]["stamped"] and decided[1]["stamped"]
    # The CLI also sent at once (no serve running); the console leaves that to the sender.
    assert {decided[0]["status"], decided[1]["status"]} <= {"queued", "sent"}


def test_an_applicants_script_is_shown_as_text_and_its_html_only_sandboxed(console):
    client = _logged_in(console)
    (row,) = console.query("select id from outbox where to_addr = 'script@example.cn'")
    page = client.get(f"/outbox/{row['id']}")
    assert SCRIPT not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    frame = client.get(f"/outbox/{row['id']}/html")
    assert frame.headers["content-security-policy"].startswith("sandbox")


def test_wrong_passwords_are_refused_limited_and_never_stored(console):
    client = _client(console)
    for attempt in range(5):
        answer = client.post("/login", data={"name": "carol", "password": f"guess-{attempt}",
                                             "csrftoken": _token(client, "/login")})
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    add_account(console, "carol", "viewer", "finally right 123")
    limited = client.post("/login", data={"name": "carol", "password": "finally right 123",
                                          "csrftoken": _token(client, "/login")})
    assert limited.status_code == 401 and "登录失败次数过多" in limited.text
    logins = console.query("select * from console_logins where name = 'carol'")
    assert len(logins) == 6 and not any(r["ok"] for r in logins)
    # The same machine's other names are not locked out by carol's attempts.
    _logged_in(console, "bob", VIEWER_PASSWORD)
    assert b"guess-" not in (console.root / "var" / "intake.db").read_bytes()


def test_make_demo_ends_with_a_demo_account_that_opens_the_console(console):
    """`intake demo --console-account` (the last step of `make demo`) prints how to open the
    console and a demo account's new password, which logs in; said to be for the demo only."""
    done = console.intake("demo", "--console-account")
    assert done.returncode == 0, done.stderr
    assert "intake console" in done.stdout and "for the demo only" in done.stdout
    password = re.search(r"log in as demo / (\S+)", done.stdout)[1]
    assert _logged_in(console, "demo", password).get("/").status_code == 200


def test_the_audit_page_lists_every_decision_with_who_and_why(console):
    """A waiver made with the CLI and an approval made in the console are both on 审计."""
    (ref,) = console.query("select reference from submissions where verdict = 'deficient' "
                           "limit 1")
    (finding,) = console.query(
        "select f.rule, f.field from findings f join versions v on v.id = f.version_id join "
        "submissions s on s.id = v.submission_id where s.reference = ? and f.severity = 'error' "
        "limit 1", [ref["reference"]])
    waive = ["waive", ref["reference"], finding["rule"]] + \
        (["--field", finding["field"]] if finding["field"] else [])
    done = console.intake(*waive, "--note", "纸质材料已核对", "--by", "王秘书")
    assert done.returncode == 0, done.stderr
    page = _logged_in(console).get("/audit")
    assert page.status_code == 200
    assert "王秘书" in page.text and "豁免" in page.text and "纸质材料已核对" in page.text
    assert "alice" in page.text and "批准发送" in page.text
