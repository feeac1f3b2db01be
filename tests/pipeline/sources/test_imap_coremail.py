"""What Dovecot cannot imitate, against a scripted Coremail-style responder on loopback."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.sources import parse_source
from pipeline.errors import MailboxError
from pipeline.sources.fetch import Fetcher
from pipeline.sources.imap import ImapSource, connect, diagnose, login_hint
from pipeline.store.database import Database
from pipeline.store.raw import RawStore
from tests.pipeline.sources.test_fetch import NOW, mail
from tests.support.imapscript import GREETING, WRONG_PASSWORD, Folder, ScriptedIMAP

SECRET_ENV = "INTAKE_TEST_CM_SECRET"


def source_config(server: ScriptedIMAP, monkeypatch, **extra: object):
    monkeypatch.setenv(SECRET_ENV, server.password)
    return parse_source({"name": "cm", "type": "imap", "host": server.host, "port": server.port,
                         "tls": "none", "user": server.user, "password_env": SECRET_ENV,
                         "backlog": "reply", **extra}, Path("."))


def inbox_and_junk() -> dict[str, Folder]:
    return {"INBOX": Folder([(3, mail(3)), (8, mail(8))], uidvalidity=42),
            "垃圾邮件": Folder([(5, mail(5))], uidvalidity=43, flags=("\\HasNoChildren", "\\Junk"))}


def test_a_coremail_server_is_read_after_id_and_nothing_is_marked_seen(tmp_path, monkeypatch):
    """GIVEN a server that greets like Coremail and refuses SELECT before ID WHEN polled
    THEN ID goes after LOGIN and before any folder command, INBOX and the junk folder are read with BODY.PEEK,
    and no STORE is ever sent."""
    with ScriptedIMAP(inbox_and_junk()) as server:
        config = source_config(server, monkeypatch)
        db = Database(None)
        Fetcher(config, ImapSource(config), db, RawStore(tmp_path), lambda: NOW).run()
        names = server.command_names()
        rows = db.query("select folder, uidvalidity, uid from messages order by id")
    assert [(r["folder"], r["uidvalidity"], r["uid"]) for r in rows] == [
        ("INBOX", "42", "3"), ("INBOX", "42", "8"), ("垃圾邮件", "43", "5")]
    # ID before any folder command; INBOX (which always exists) is read before the LIST.
    assert names.index("LOGIN") < names.index("ID") < names.index("EXAMINE") < names.index("LIST")
    assert "STORE" not in names and "SELECT" not in names  # EXAMINE only: read-only
    assert all("BODY[]" not in c or "BODY.PEEK[]" in c for c in server.commands)
    assert not any(folder.seen for folder in server.folders.values())


def test_a_server_that_demands_id_without_offering_it_is_a_clear_unsafe_login(monkeypatch):
    with ScriptedIMAP(capabilities="IMAP4rev1 UIDPLUS") as server:
        config = source_config(server, monkeypatch)
        with pytest.raises(MailboxError, match="Unsafe Login.*IMAP ID") as caught:
            ImapSource(config).open_folder("INBOX")
    assert caught.value.kind == "unsafe_login"


def test_doctor_finds_that_the_server_needs_id(monkeypatch):
    with ScriptedIMAP(inbox_and_junk()) as server:
        report = diagnose(source_config(server, monkeypatch))
    assert report.id_needed is True and report.junk == "垃圾邮件"
    assert report.server_id["vendor"] == "Coremail"
    assert report.folders == {"INBOX": ("42", 2), "垃圾邮件": ("43", 1)}


def test_a_refused_login_quotes_the_server_and_gives_the_providers_hint(monkeypatch):
    with ScriptedIMAP(login_error=WRONG_PASSWORD) as server:
        with pytest.raises(MailboxError) as caught:
            connect(source_config(server, monkeypatch).imap)
    assert caught.value.kind == "login"
    assert "password error" in str(caught.value) and "授权码" in str(caught.value)
    assert GREETING.startswith("* OK Coremail")


@pytest.mark.parametrize("host, user, words", [
    ("imap.163.com", "cases@example.cn", "网易"),
    ("imap.example.cn", "cases@126.com", "网易"),
    ("imap.exmail.qq.com", "cases@example.cn", "客户端专用密码"),
    ("imap.qq.com", "x@example.cn", "QQ邮箱"),
    ("imap.qiye.aliyun.com", "cases@example.cn", "阿里邮箱"),
    ("mail.example.org", "cases@example.org", "授权码"),
])
def test_the_login_hint_matches_the_provider(host, user, words, monkeypatch):
    monkeypatch.setenv("X", "x")
    config = parse_source({"name": "p", "type": "imap", "host": host, "user": user,
                           "password_env": "X"}, Path("."))
    assert words in login_hint(config.imap)


def test_a_timeout_is_named_as_one(monkeypatch):
    """A server that accepts and never greets: the connection fails within the timeout."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        monkeypatch.setenv(SECRET_ENV, "x")
        config = parse_source({"name": "s", "type": "imap", "host": "127.0.0.1",
                               "port": listener.getsockname()[1], "tls": "none", "user": "u",
                               "password_env": SECRET_ENV, "timeout": 0.5}, Path("."))
        with pytest.raises(MailboxError) as caught:
            connect(config.imap)
    finally:
        listener.close()
    assert caught.value.kind == "timeout" and caught.value.retryable
