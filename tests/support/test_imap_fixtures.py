"""The IMAP test servers themselves: a fetcher test is only as good as the server it talks to."""
from __future__ import annotations

import shutil
import socket
import ssl
import time

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bench.dovecot import Dovecot, dovecot_folder
from tests.support.dovecot import needs_dovecot
from tests.support.imapscript import SUSPENDED, Folder, ScriptedIMAP, in_set

ONE = b"Message-ID: <one@example.org>\r\nSubject: one\r\n\r\nfirst\r\n"
TWO = b"Message-ID: <two@example.org>\r\nSubject: two\r\n\r\nsecond\r\n"
THREE = b"Message-ID: <three@example.org>\r\nSubject: three\r\n\r\nthird\r\n"
LIKE_163 = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ENABLE UIDPLUS"


def message_ids(server: Dovecot, folder: str = "INBOX") -> dict[int, bytes]:
    with server.client() as client:
        client.select_folder(folder, readonly=True)
        fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    return {uid: data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].split()[1]
            for uid, data in fetched.items()}


# Dovecot ---------------------------------------------------------------------------------

def test_starttls_and_implicit_tls_verify_the_throwaway_ca(dovecot):
    with IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10) as client:
        assert b"STARTTLS" in client.capabilities()
        client.starttls(dovecot.tls_context())
        client.login(dovecot.user, dovecot.password)
        assert client.socket().version() in ("TLSv1.2", "TLSv1.3")
    with IMAPClient(dovecot.host, dovecot.tls_port, ssl=True, ssl_context=dovecot.tls_context(),
                    timeout=10) as client:
        client.login(dovecot.user, dovecot.password)
        assert client.socket().getpeercert()["subjectAltName"] == (
            ("IP Address", "127.0.0.1"), ("DNS", "localhost"))
    with pytest.raises(ssl.SSLCertVerificationError):  # the system's CAs do not know it
        IMAPClient(dovecot.host, dovecot.tls_port, ssl=True, timeout=10)


def test_wrong_password_is_refused_at_once(dovecot):
    client = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=10)
    started = time.monotonic()
    with pytest.raises(LoginError, match="AUTHENTICATIONFAILED"):
        client.login(dovecot.user, "not-" + dovecot.password)
    assert time.monotonic() - started < 1  # auth_failure_delay = 0
    client.shutdown()


def test_append_returns_the_uids_and_junk_is_listed_as_junk(dovecot):
    assert [dovecot.append(ONE), dovecot.append(TWO, flags=[b"\\Seen"])] == [1, 2]
    assert dovecot.append(THREE, folder="Junk") == 1
    assert message_ids(dovecot) == {1: b"<one@example.org>", 2: b"<two@example.org>"}
    folders = dovecot.folder_list()
    assert set(folders) == {"INBOX", "Junk"}
    assert b"\\Junk" in folders["Junk"] and b"\\Junk" not in folders["INBOX"]


def test_a_chinese_junk_folder_goes_in_modified_utf7(dovecot_factory):
    server = dovecot_factory(junk_name="垃圾邮件")
    assert b"\\Junk" in server.folder_list()["垃圾邮件"]
    with server.client() as client:
        client.folder_encode = False
        wire = {name: flags for flags, _, name in client.list_folders()}
    assert b"\\Junk" in wire[b"&V4NXPpCuTvY-"]
    plain = dovecot_factory(junk_name="垃圾邮件", junk_special_use=False)
    assert b"\\Junk" not in plain.folder_list()["垃圾邮件"]


def test_capabilities_can_leave_out_id_move_and_idle(dovecot, dovecot_factory):
    with dovecot.client() as client:
        assert {b"ID", b"MOVE", b"IDLE"} <= set(client.capabilities())
    server = dovecot_factory(capabilities=LIKE_163)
    with IMAPClient(server.host, server.port, ssl=False, timeout=10) as client:
        before = set(client.capabilities())
        client.login(server.user, server.password)
        after_login = client.capabilities()  # from the tagged LOGIN OK
        client._cached_capabilities = None  # and from a CAPABILITY command of its own
        asked = client.capabilities()
    # Before login imap-login adds what the connection allows; after it, exactly the string.
    assert before == set(LIKE_163.upper().encode().split()) | {
        b"STARTTLS", b"AUTH=PLAIN", b"AUTH=LOGIN"}
    assert after_login == asked == tuple(LIKE_163.upper().encode().split())


def test_reset_uids_gives_a_new_uidvalidity(dovecot):
    dovecot.append(ONE)
    dovecot.append(TWO)
    first = dovecot.uidvalidity()
    dovecot.recreate()
    second = dovecot.uidvalidity()
    assert second > first
    assert message_ids(dovecot) == {1: b"<one@example.org>", 2: b"<two@example.org>"}
    dovecot.reset_uids(keep_messages=False)
    assert dovecot.uidvalidity() > second and dovecot.uids() == []
    assert dovecot.append(THREE) == 1  # the same UID as before, now for other mail
    assert message_ids(dovecot) == {1: b"<three@example.org>"}


def test_reset_uids_of_another_folder_leaves_inbox_alone(dovecot_factory):
    server = dovecot_factory(junk_name="垃圾邮件")
    server.append(ONE)
    server.append(TWO, folder="垃圾邮件")
    inbox, junk = server.uidvalidity(), server.uidvalidity("垃圾邮件")
    server.reset_uids("垃圾邮件")
    assert server.uidvalidity() == inbox
    assert server.uidvalidity("垃圾邮件") > junk
    assert message_ids(server, "垃圾邮件") == {1: b"<two@example.org>"}


def test_restart_keeps_ports_mail_and_uidvalidity(dovecot):
    dovecot.append(ONE)
    ports, validity = (dovecot.port, dovecot.tls_port), dovecot.uidvalidity()
    dovecot.restart()
    assert (dovecot.port, dovecot.tls_port) == ports
    assert dovecot.uidvalidity() == validity
    assert message_ids(dovecot) == {1: b"<one@example.org>"}


def test_stop_leaves_no_process_even_with_a_client_logged_in(dovecot):
    client = dovecot.client()
    client.select_folder("INBOX")
    assert len(dovecot.processes()) > 3  # master, log, config, auth, imap...
    dovecot.stop()
    assert dovecot.processes() == []
    with pytest.raises(OSError):
        socket.create_connection((dovecot.host, dovecot.port), timeout=1).close()


def test_start_and_stop_take_well_under_a_second():
    needs_dovecot()
    server = Dovecot(dovecot_folder())
    try:
        started = time.monotonic()
        server.start()
        middle = time.monotonic()
        server.stop()
        assert middle - started < 1 and time.monotonic() - middle < 1
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


def test_a_failed_start_shows_the_log():
    needs_dovecot()
    server = Dovecot(dovecot_folder())
    try:
        with socket.create_server((server.host, server.port)):  # someone else has the port
            with pytest.raises(RuntimeError, match="Address already in use"):
                server.start()
        assert server.processes() == []
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


# The scripted Coremail-like responder ---------------------------------------------------

@pytest.fixture
def coremail():
    folders = {"INBOX": Folder([(5, ONE), (9, TWO)], uidvalidity=1700000000),
               "垃圾邮件": Folder([(3, THREE)], flags=("\\HasNoChildren", "\\Junk"))}
    with ScriptedIMAP(folders) as server:
        yield server


def login(server: ScriptedIMAP) -> IMAPClient:
    client = IMAPClient(server.host, server.port, ssl=False, timeout=10)
    client.login(server.user, server.password)
    return client


def test_scripted_select_needs_id_first(coremail):
    client = login(coremail)
    assert client.welcome.startswith(b"* OK Coremail System IMap Server Ready(")
    with pytest.raises(IMAPClientError, match="Unsafe Login. Please contact kefu@example.com"):
        client.select_folder("INBOX")
    client.id_({"name": "intake"})
    assert client.select_folder("INBOX")[b"UIDVALIDITY"] == 1700000000
    client.logout()
    assert coremail.command_names() == ["CAPABILITY", "LOGIN", "SELECT", "CAPABILITY", "ID",
                                        "SELECT", "LOGOUT"]


def test_scripted_lists_the_junk_folder_in_modified_utf7(coremail):
    client = login(coremail)
    client.folder_encode = False
    assert ((b"\\HasNoChildren", b"\\Junk"), b"/", b"&V4NXPpCuTvY-") in client.list_folders()


def test_scripted_uid_search_and_fetch(coremail):
    client = login(coremail)
    client.id_()
    client.select_folder("INBOX", readonly=True)
    assert client.search("ALL") == [5, 9]
    assert client.search(["UID", "6:*"]) == [9]
    assert client.search(["UID", "10:*"]) == [9]  # n:* past the last UID is still the last
    assert client.search(["UID", "6:8"]) == []
    sizes = client.fetch([5, 9], ["RFC822.SIZE"])
    assert {uid: data[b"RFC822.SIZE"] for uid, data in sizes.items()} == {5: len(ONE), 9: len(TWO)}
    assert client.fetch([9], ["BODY.PEEK[]"])[9][b"BODY[]"] == TWO
    header = client.fetch([5], ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])[5]
    assert header[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"] == b"Message-ID: <one@example.org>\r\n\r\n"
    assert coremail.folders["INBOX"].seen == set()
    assert not any("STORE" in line.upper() for line in coremail.commands)


def test_scripted_body_without_peek_marks_seen(coremail):
    client = login(coremail)
    client.id_()
    client.select_folder("INBOX")
    client.fetch([5], ["BODY[]"])
    assert coremail.folders["INBOX"].seen == {5}
    assert client.get_flags([5, 9]) == {5: (b"\\Seen",), 9: ()}


def test_scripted_login_error():
    with ScriptedIMAP(login_error=SUSPENDED) as server:
        with pytest.raises(LoginError, match="Login error user suspended"):
            login(server)


@pytest.mark.parametrize(("number", "sequence_set", "largest", "inside"), [
    (5, "9:*", 5, True), (4, "9:*", 5, False), (3, "1,3:4", 9, True), (2, "1,3:4", 9, False),
    (7, "*", 7, True), (6, "*:2", 7, True)])
def test_sequence_sets_follow_rfc_3501(number, sequence_set, largest, inside):
    assert in_set(number, sequence_set, largest) is inside
