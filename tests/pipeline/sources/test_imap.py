"""The IMAP source against a real Dovecot on loopback: found once, answered once, nothing touched."""
from __future__ import annotations

import email
import threading
import time
from email import policy
from pathlib import Path

import pytest

from bench.dovecot import Dovecot
from pipeline.app.clock import utc_now
from pipeline.app.digest import render_digest
from pipeline.app.runner import run
from pipeline.demo.samples import catalogue
from pipeline.errors import MailboxError
from pipeline.sources import fetch as fetch_module
from pipeline.sources.imap import connect, diagnose, watch_idle
from pipeline.store.database import Database
from tests.support.workspace import Workspace

SAMPLES = {s.key: s for s in catalogue()}
SECRET_ENV = "INTAKE_TEST_IMAP_SECRET"


def deliver(server: Dovecot, *keys: str, folder: str = "INBOX") -> list[int]:
    return [server.append(SAMPLES[key].build(), folder) for key in keys]


def deliver_bytes(server: Dovecot, *mails: bytes, folder: str = "INBOX") -> list[int]:
    return [server.append(data, folder) for data in mails]


class Deployment(Workspace):
    """A workspace whose config points at one Dovecot; database and spool in a temporary folder."""

    def __init__(self, root: Path, server: Dovecot, monkeypatch, **source: object):
        super().__init__(root, [])
        monkeypatch.setenv(SECRET_ENV, server.password)
        options = {"tls": "implicit", "port": server.tls_port, "ca_file": str(server.ca_file),
                   "idle": False, "backlog": "reply", **source}
        lines = "\n".join(f"{k} = {_toml(v)}" for k, v in options.items())
        self.config_path.write_text(f'''
[paths]
database = "var/intake.db"
raw = "var/raw"

[[sources]]
name = "box"
type = "imap"
host = "{server.host}"
user = "{server.user}"
password_env = "{SECRET_ENV}"
{lines}

[replies]
spool = "var/outbox"
mode = "send"
''', encoding="utf-8")

    def run(self):
        return run(self.config())

    def replies(self) -> list[Path]:
        spool = self.root / "var" / "outbox"
        return sorted(spool.glob("*.eml")) if spool.is_dir() else []

    def verdicts(self) -> list[tuple[str, str, str]]:
        return [(r["folder"], r["uid"], r["verdict"]) for r in
                self.query("select folder, uid, verdict from messages order by id")]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def flags_of(server: Dovecot, folder: str = "INBOX") -> dict[int, set[bytes]]:
    with server.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        # \Recent is the server's, not anyone's doing.
        return {uid: set(data[b"FLAGS"]) - {b"\\Recent"}
                for uid, data in client.fetch(uids, ["FLAGS"]).items()}


def test_new_mail_is_processed_once_and_a_second_poll_finds_nothing(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    deployment.run()  # first contact with an empty mailbox
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient", "inquiry")
    first = deployment.run()
    second = deployment.run()
    assert (first.fetched, second.fetched, len(second.outcomes)) == (3, 0, 0)
    assert [v for _, _, v in deployment.verdicts()] == ["complete", "deficient", "not_submission"]
    assert len(deployment.replies()) == 2
    assert all(b"\\Seen" not in flags for flags in flags_of(dovecot).values())
    polls = deployment.query("select ok, fetched from polls order by id")
    assert [(p["ok"], p["fetched"]) for p in polls] == [(1, 0), (1, 3), (1, 0)]


def test_another_client_reading_flagging_and_deleting_changes_nothing(dovecot, tmp_path, monkeypatch):
    """GIVEN processed mail WHEN a person marks one read, un-marks it, deletes another and
    new mail arrives THEN only the new mail is processed, and the person's flags stay theirs."""
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    deployment.run()
    first, second, third = deliver(dovecot, "gpipc-park-complete", "inquiry", "auto-reply")
    deployment.run()
    with dovecot.client() as person:
        person.select_folder("INBOX")
        person.add_flags([first, third], [b"\\Seen"])
        person.remove_flags([third], [b"\\Seen"])
        person.delete_messages([second])
        person.expunge()
    deliver(dovecot, "gpipc-enterprise-complete")
    report = deployment.run()
    assert (report.fetched, [o.verdict for _, o in report.outcomes]) == (1, ["complete"])
    flags = flags_of(dovecot)
    assert b"\\Seen" in flags[first] and b"\\Seen" not in flags[third]
    assert len(deployment.query("select id from messages")) == 4
    assert len(deployment.replies()) == 2


def test_a_new_uidvalidity_with_the_same_mail_is_not_processed_again(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    deployment.run()
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient")
    deployment.run()
    before = dovecot.uidvalidity()
    dovecot.recreate("INBOX")
    assert dovecot.uidvalidity() != before
    report = deployment.run()
    assert (report.fetched, report.outcomes) == (0, [])
    assert len(deployment.replies()) == 2
    rows = deployment.query("select uidvalidity from messages")
    assert {r["uidvalidity"] for r in rows} == {str(dovecot.uidvalidity())}
    events = deployment.query("select kind from events")
    assert [e["kind"] for e in events] == ["uidvalidity"]
    assert deployment.run().fetched == 0 and len(deployment.query("select kind from events")) == 1


def test_uids_reused_for_different_mail_after_a_reset_are_all_answered(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    deployment.run()
    deliver(dovecot, "gpipc-park-complete")
    deployment.run()
    dovecot.reset_uids("INBOX", keep_messages=False)
    uids = deliver(dovecot, "gpipc-enterprise-complete", "cq-ict-complete")
    assert uids[0] == 1  # the same uid as the first mail, under a new UIDVALIDITY
    report = deployment.run()
    assert [o.verdict for _, o in report.outcomes] == ["complete", "complete"]
    assert len(deployment.replies()) == 3


def test_a_server_restarted_in_the_middle_of_a_fetch_resumes_cleanly(dovecot, tmp_path, monkeypatch):
    """GIVEN three mails fetched one per FETCH WHEN Dovecot restarts after the first is stored
    THEN the poll reconnects and takes the other two; each mail is in the ledger once."""
    deployment = Deployment(tmp_path, dovecot, monkeypatch, batch=1)
    deployment.run()
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient", "cq-ict-complete")
    stored = []

    def restart_once(name: str) -> None:
        if name != "after_store":
            return
        stored.append(name)
        if len(stored) == 1:
            dovecot.restart()

    monkeypatch.setattr(fetch_module.failpoints, "reach", restart_once)
    monkeypatch.setattr("pipeline.app.runner.time.sleep", lambda seconds: None)
    report = deployment.run()
    assert report.fetched == 3
    assert sorted(int(uid) for _, uid, _ in deployment.verdicts()) == [1, 2, 3]
    assert len(deployment.replies()) == 3
    polls = deployment.query("select ok from polls order by id")
    assert polls[-1]["ok"] == 1


@pytest.mark.parametrize("capabilities", [
    "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ENABLE UIDPLUS",   # no ID, MOVE or IDLE
    "IMAP4rev1 LITERAL+ ENABLE",                                   # not even UIDPLUS
])
def test_a_server_without_id_move_or_idle_is_polled_and_filed(dovecot_factory, tmp_path,
                                                               monkeypatch, capabilities):
    server = dovecot_factory(capabilities=capabilities)
    deployment = Deployment(tmp_path, server, monkeypatch, move={"complete": "已受理"})
    deployment.run()
    deliver(server, "gpipc-park-complete", "inquiry")
    deployment.run()
    session = connect(deployment.config().sources[0].imap)
    try:
        assert not session.sent_id and not session.has("MOVE")
    finally:
        session.close()
    moved = flags_of(server, "已受理")
    assert len(moved) == 1
    left = flags_of(server)
    if "UIDPLUS" in capabilities:  # copied, then only that uid expunged
        assert len(left) == 1 and all(b"\\Deleted" not in f for f in left.values())
    else:  # a plain EXPUNGE could remove what people deleted: only marked
        assert sorted(b"\\Deleted" in f for f in left.values()) == [False, True]
    filed = [r["filed"] for r in deployment.query("select filed from messages order by id")]
    assert filed[0].startswith("copied to 已受理") and filed[1] == "nothing"


def test_processed_mail_is_keyworded_and_moved_per_verdict_without_seen(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch, keyword="$Intake-Done",
                            move={"complete": "已受理", "deficient": "待补正"})
    deployment.run()
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient", "inquiry")
    deployment.run()
    assert list(flags_of(dovecot).values()) == [{b"$Intake-Done"}]  # the inquiry stays
    for folder in ("已受理", "待补正"):
        assert [f for f in flags_of(dovecot, folder).values()] == [{b"$Intake-Done"}]
    assert deployment.run().fetched == 0  # moving out of INBOX is not new mail


@pytest.mark.parametrize("junk_name, special_use", [("Junk", True), ("垃圾邮件", False)])
def test_the_junk_folder_is_read(dovecot_factory, tmp_path, monkeypatch, junk_name, special_use):
    server = dovecot_factory(junk_name=junk_name, junk_special_use=special_use)
    deployment = Deployment(tmp_path, server, monkeypatch)
    deployment.run()
    deliver(server, "gpipc-park-complete", folder=junk_name)
    deployment.run()
    assert deployment.verdicts() == [(junk_name, "1", "complete")]
    assert len(deployment.replies()) == 1


def test_mail_waiting_at_first_contact_is_recorded_but_not_answered(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch, backlog="record")
    deliver(dovecot, "gpipc-park-complete", "gpipc-park-deficient")
    deployment.run()
    deliver(dovecot, "gpipc-enterprise-complete")
    deployment.run()
    rows = deployment.query("select verdict, backlog, note from messages order by id")
    assert [(r["verdict"], r["backlog"]) for r in rows] == [("complete", 1), ("deficient", 1),
                                                           ("complete", 0)]
    assert "backlog" in rows[0]["note"]
    assert len(deployment.replies()) == 1


def test_a_mail_over_the_size_limit_is_parked_from_its_header(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch, max_size_mb=1)
    deployment.run()
    big = SAMPLES["gpipc-park-complete"].build()
    assert len(big) > 1048576
    deliver_bytes(dovecot, big)
    deployment.run()
    row = deployment.query("select status, error, size, raw_path from messages")[0]
    assert row["status"] == "parked" and "超过上限 1 MB" in row["error"]
    assert row["size"] >= len(big)  # the server's RFC822.SIZE counts CRLF line ends
    stored = Path(row["raw_path"]).read_bytes()
    assert stored.replace(b"\r\n", b"\n").startswith(big[:200]) and len(stored) < 20000
    assert deployment.replies() == []


def test_starttls_works_and_an_untrusted_certificate_is_a_tls_error(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch, tls="starttls", port=dovecot.port)
    source = deployment.config().sources[0]
    connect(source.imap).close()
    untrusted = Deployment(tmp_path, dovecot, monkeypatch, ca_file="")
    with pytest.raises(MailboxError, match="certificate not trusted") as caught:
        connect(untrusted.config().sources[0].imap)
    assert caught.value.kind == "tls"


def test_a_refused_login_says_to_use_the_authorization_code(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    monkeypatch.setenv(SECRET_ENV, "wrong")
    with pytest.raises(MailboxError, match="授权码") as caught:
        connect(deployment.config().sources[0].imap)
    assert caught.value.kind == "login"
    report = deployment.run()
    assert report.fetched == 0
    poll = deployment.query("select ok, error_kind from polls")[0]
    assert (poll["ok"], poll["error_kind"]) == (0, "login")


def test_doctor_reports_capabilities_folders_and_the_junk_folder(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    report = diagnose(deployment.config().sources[0])
    assert "IDLE" in report.capabilities and "ID" in report.capabilities
    assert report.id_needed is False and report.junk == "Junk"
    assert set(report.folders) == {"INBOX", "Junk"}
    assert report.server_id.get("name") == "Dovecot"


def test_idle_wakes_the_scheduler_when_mail_arrives(dovecot, tmp_path, monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    imap = deployment.config().sources[0].imap
    woken, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_idle, args=(imap, "INBOX", woken.set, stop.is_set))
    watcher.start()
    try:
        time.sleep(0.5)  # let it enter IDLE
        deliver(dovecot, "inquiry")
        assert woken.wait(10)
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()


def test_idle_watcher_returns_at_once_when_the_server_has_no_idle(dovecot_factory, tmp_path,
                                                                   monkeypatch):
    server = dovecot_factory(capabilities="IMAP4rev1 LITERAL+ ENABLE UIDPLUS")
    deployment = Deployment(tmp_path, server, monkeypatch)
    started = time.monotonic()
    watch_idle(deployment.config().sources[0].imap, "INBOX", lambda: None, lambda: False)
    assert time.monotonic() - started < 5


def test_doctor_exits_0_when_all_is_well_and_1_when_a_mailbox_refuses(dovecot, tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    deployment = Deployment(tmp_path, dovecot, monkeypatch)

    def doctor(secret: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipeline", "doctor", "--config",
                               str(tmp_path / "config.toml")], capture_output=True, text=True,
                              timeout=60, env={**os.environ, SECRET_ENV: secret})

    good = doctor(dovecot.password)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ID: sent" in good.stdout and "junk folder: Junk" in good.stdout
    assert "INBOX (UIDVALIDITY" in good.stdout and "ffprobe" in good.stdout
    bad = doctor("wrong")
    assert bad.returncode == 1
    assert "FAIL  mailbox box" in bad.stdout and "login" in bad.stdout
    assert dovecot.password not in good.stdout + good.stderr
    assert deployment.config().sources[0].imap.host == dovecot.host


def test_no_secret_and_no_message_text_reaches_the_log(dovecot, tmp_path, monkeypatch, caplog):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)
    deployment.run()
    deliver(dovecot, "gpipc-park-complete")
    with caplog.at_level("INFO"):  # the level `intake serve` logs at
        deployment.run()
    assert "verdict=complete" in caplog.text
    assert dovecot.password not in caplog.text
    assert "案例简介" not in caplog.text and "Content-Type" not in caplog.text


def test_a_missing_folder_is_named_and_the_other_folders_are_still_read(dovecot, tmp_path,
                                                                        monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch, folders=["INBOX", "申报材料"])
    deployment.run()
    deliver(dovecot, "gpipc-park-complete")
    report = deployment.run()
    assert report.fetched == 1
    poll = deployment.query("select ok, error_kind, error from polls order by id desc")[0]
    assert (poll["ok"], poll["error_kind"]) == (0, "folder_missing") and "申报材料" in poll["error"]


def test_a_second_client_acting_during_a_poll_loses_and_repeats_nothing(dovecot, tmp_path,
                                                                       monkeypatch):
    """GIVEN five new mails fetched one per batch WHEN, after the first batch, a person reads
    one, flags one, moves one to another watched folder and deletes one THEN every mail still
    there is processed and answered once (the moved one from its new folder), the deleted one
    is simply gone, and \\Seen is only where the person put it."""
    with dovecot.client() as person:
        person.create_folder("审核")
    deployment = Deployment(tmp_path, dovecot, monkeypatch, folders=["INBOX", "审核"], batch=1)
    deployment.run()
    keys = ("gpipc-park-complete", "gpipc-park-deficient", "gpipc-enterprise-complete",
            "gpipc-enterprise-deficient", "ccea-csr-complete")
    uids = deliver(dovecot, *keys)
    real, acted = fetch_module.failpoints.reach, []

    def person_acts(name: str) -> None:
        if name == "after_fetch" and not acted:
            acted.append(name)
            with dovecot.client() as person:
                person.select_folder("INBOX")
                person.fetch([uids[1]], ["BODY[]"])  # reading sets \Seen: the person's doing
                person.add_flags([uids[2]], [b"\\Flagged"])
                person.move([uids[3]], "审核")
                person.delete_messages([uids[4]])
                person.expunge()
        real(name)

    monkeypatch.setattr(fetch_module.failpoints, "reach", person_acts)
    deployment.run()
    monkeypatch.setattr(fetch_module.failpoints, "reach", real)
    deployment.run()
    assert acted
    rows = deployment.query("select folder, message_id, count(*) as n from messages "
                            "group by message_id order by folder, message_id")
    assert sorted(r["message_id"] for r in rows) == sorted(f"<sample-{k}@example.com>"
                                                          for k in keys[:4])
    assert all(r["n"] == 1 for r in rows)
    assert {r["folder"] for r in rows} == {"INBOX", "审核"}
    assert len(deployment.replies()) == 4
    flags = flags_of(dovecot)
    assert b"\\Seen" in flags[uids[1]] and b"\\Flagged" in flags[uids[2]]
    assert b"\\Seen" not in flags[uids[0]] and b"\\Seen" not in flags[uids[2]]
    assert all(b"\\Seen" not in f for f in flags_of(dovecot, "审核").values())


@pytest.mark.slow
def test_a_200_mb_mail_is_refused_by_its_size_before_fetching_and_reported(dovecot, tmp_path,
                                                                          monkeypatch):
    deployment = Deployment(tmp_path, dovecot, monkeypatch)  # max_size_mb: the default 50
    deployment.run()
    head = (b"From: zhangsan@example.cn\r\nTo: cases@example.org\r\nSubject: big video\r\n"
            b"Message-ID: <huge@example.cn>\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n")
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n"
    deliver_bytes(dovecot, head + line * (200 * 1048576 // len(line)))
    started = time.monotonic()
    deployment.run()
    elapsed = time.monotonic() - started
    row = deployment.query("select status, error, size, raw_path from messages")[0]
    assert row["status"] == "parked" and "超过上限 50 MB" in row["error"]
    assert row["size"] >= 200 * 1048576 - 100
    assert Path(row["raw_path"]).stat().st_size < 20000 and elapsed < 10
    db = Database(deployment.config().database)
    try:
        raw = render_digest(db, deployment.config(), utc_now()).raw
    finally:
        db.close()
    text = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert "处理失败、已搁置的邮件（请查看原始邮件）（1）" in text and "big video" in text
