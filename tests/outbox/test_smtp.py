"""The SMTP sender against a real server (tests/support/smtpserver.py): delivery, reuse, and every failure
as the SendError kind the outbox acts on."""
from __future__ import annotations

import logging
import smtplib
import socket
import time
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from outbox.smtp import SmtpSender, send_error
from pipeline.config.replies import SmtpConfig
from pipeline.errors import SendError
from tests.support.smtpserver import HOST, SmtpServer

FROM = "cases@example.org"
TO = "applicant@example.com"
USER = "cases@example.org"
SUBJECT = "回复：【示例开发区】绿色低碳案例征集——材料已收到"
# A line that starts with a dot: SMTP stuffs it on the wire, the server unstuffs it.
BODY = "王老师您好：\n\n您的申报材料已收到，编号 2024-017。\n.这一行以句点开头\n\n案例征集秘书处\n"


def message(to: str = f"王晓明 <{TO}>") -> tuple[str, bytes]:
    """A reply as compose writes it: Chinese headers, 8bit UTF-8 body, "\\n" line ends."""
    mail = EmailMessage(policy=policy.default)
    mail["From"] = f"案例征集秘书处 <{FROM}>"
    mail["To"] = to
    mail["Subject"] = SUBJECT
    mail["Message-ID"] = message_id = make_msgid(domain="example.org")
    mail.set_content(BODY)
    return message_id, mail.as_bytes()


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def config(server: SmtpServer, **values) -> SmtpConfig:
    settings = {"host": server.host, "port": server.port, "tls": server.tls or "none",
                "ca_file": server.ca_file, "timeout": 5.0}
    settings.update(values)
    return SmtpConfig(**settings)


@pytest.fixture
def connect():
    """SmtpSenders for a server, closed after the test."""
    made: list[SmtpSender] = []

    def make(server: SmtpServer, **values) -> SmtpSender:
        made.append(SmtpSender(config(server, **values), FROM, helo="intake.example.org"))
        return made[-1]

    yield make
    for sender in made:
        sender.close()


def failure(sender: SmtpSender, to: str = TO) -> SendError:
    message_id, raw = message()
    with pytest.raises(SendError) as caught:
        sender.send(1, to, message_id, raw)
    return caught.value


# Delivery ---------------------------------------------------------------------------------


def test_a_reply_arrives_as_composed(smtp_server, connect):
    message_id, raw = message()
    connect(smtp_server).send(1, TO, message_id, raw)
    [got] = smtp_server.wait_for(1)
    assert (got.mail_from, got.rcpt_tos, got.tls, got.login) == (FROM, (TO,), False, None)
    # Only the line ends change: the dot at the start of a line is stuffed and unstuffed.
    assert got.raw == crlf(raw)
    parsed = smtp_server.parsed(0)
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == SUBJECT
    assert parsed.get_content().replace("\r\n", "\n") == BODY


def test_sends_share_one_connection_until_close(smtp_server, connect):
    sender = connect(smtp_server)
    for n in (1, 2):
        sender.send(n, TO, *message())
    assert (len(smtp_server.messages), smtp_server.connections) == (2, 1)
    sender.close()
    sender.send(3, TO, *message())
    assert (len(smtp_server.messages), smtp_server.connections) == (3, 2)


def test_the_digest_goes_to_every_address(smtp_server, connect):
    to = "a@example.org, b@example.org ,c@example.com"
    connect(smtp_server).send(1, to, *message(to))
    assert smtp_server.messages[0].rcpt_tos == ("a@example.org", "b@example.org", "c@example.com")


def test_a_refused_recipient_among_several_is_skipped_and_logged(smtp_server, connect, caplog):
    smtp_server.script(["rcpt:550:b@example.org"])
    to = "a@example.org, b@example.org, c@example.com"
    with caplog.at_level(logging.WARNING, "intake"):
        connect(smtp_server).send(7, to, *message(to))
    assert smtp_server.messages[0].rcpt_tos == ("a@example.org", "c@example.com")
    assert "#7" in caplog.text and "b@example.org (550" in caplog.text


def test_a_chinese_address_goes_with_smtputf8(smtp_server, connect):
    connect(smtp_server).send(1, "王晓明@example.cn", *message())
    assert smtp_server.messages[0].rcpt_tos == ("王晓明@example.cn",)


def test_a_chinese_address_is_refused_for_good_without_smtputf8(smtp_server_factory, connect):
    server = smtp_server_factory(smtputf8=False)
    error = failure(connect(server), "王晓明@example.cn")
    assert (error.kind, error.code) == ("permanent", None) and "SMTPUTF8" in str(error)
    assert server.transactions == 0


# Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["421", "451"])
def test_a_4xx_after_the_data_is_temporary_and_the_retry_delivers_once(smtp_server, connect,
                                                                      code):
    smtp_server.script([code])
    sender, (message_id, raw) = connect(smtp_server), message()
    with pytest.raises(SendError) as caught:
        sender.send(1, TO, message_id, raw)
    assert (caught.value.kind, caught.value.code) == ("temporary", int(code))
    assert f"{code} 4.3.0 scripted temporary failure" in str(caught.value)
    assert smtp_server.messages == []
    sender.send(1, TO, message_id, raw)
    assert [m.raw for m in smtp_server.messages] == [crlf(raw)]
    assert smtp_server.parsed(0)["Message-ID"] == message_id


@pytest.mark.parametrize("entry, kind, code", [
    ("550", "permanent", 550), ("554", "permanent", 554),
    ("rcpt:450", "temporary", 450), ("rcpt:550", "permanent", 550),
    ("mail:421", "temporary", 421), ("mail:451", "temporary", 451),
    ("mail:553", "permanent", 553),
])
def test_a_refusal_is_temporary_for_4xx_and_permanent_for_5xx(smtp_server, connect, entry,
                                                              kind, code):
    smtp_server.script([entry])
    error = failure(connect(smtp_server))
    assert (error.kind, error.code) == (kind, code)
    assert str(code) in str(error) and "scripted" in str(error)
    assert smtp_server.messages == [] and smtp_server.dropped == []


def test_every_recipient_refused_is_temporary_when_any_refusal_was_4xx():
    mixed = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 no such user"),
                                           "b@example.org": (452, b"4.2.2 mailbox full")})
    error = send_error(mixed, "smtp.example.org:465", 60, False)
    assert (error.kind, error.code) == ("temporary", 452)
    assert "a@example.org: 550 5.1.1 no such user" in str(error)


def test_no_address_at_all_is_permanent(smtp_server, connect):
    error = failure(connect(smtp_server), " , ")
    assert (error.kind, error.code) == ("permanent", None) and "no recipient" in str(error)
    assert smtp_server.connections == 0


def test_mail_refused_for_want_of_auth_is_temporary(smtp_server_factory, connect):
    server = smtp_server_factory(user=USER, require_auth=True)
    error = failure(connect(server))
    assert (error.kind, error.code) == ("temporary", 530) and "set user in [smtp]" in str(error)


# Lost connections ----------------------------------------------------------------------------


def test_a_connection_lost_after_the_dot_is_ambiguous(smtp_server, connect):
    smtp_server.script(["drop_after_dot"])
    sender, (message_id, raw) = connect(smtp_server), message()
    with pytest.raises(SendError) as caught:
        sender.send(1, TO, message_id, raw)
    assert (caught.value.kind, caught.value.code) == ("ambiguous", None)
    assert "may have been accepted" in str(caught.value)
    assert smtp_server.messages == []
    assert message_id.encode() in smtp_server.dropped[0].raw
    sender.send(1, TO, message_id, raw)
    assert len(smtp_server.messages) == 1


def test_a_connection_lost_at_data_is_temporary_and_not_retried(smtp_server, connect):
    sender = connect(smtp_server)
    sender.send(1, TO, *message())
    smtp_server.script(["drop_before_data"])
    error = failure(sender)
    assert (error.kind, error.code) == ("temporary", None)
    assert "before the message was handed over" in str(error)
    # The kept connection answered MAIL and RCPT: not a stale one to retry on.
    assert (smtp_server.transactions, len(smtp_server.messages)) == (2, 1)
    assert smtp_server.dropped == []


def test_no_reply_after_the_dot_is_ambiguous_once_the_timeout_passes(smtp_server, connect):
    smtp_server.script(["stall_after_dot"])
    started = time.monotonic()
    error = failure(connect(smtp_server, timeout=1.0))
    assert time.monotonic() - started < 3
    assert (error.kind, error.code) == ("ambiguous", None) and "timed out" in str(error)
    assert len(smtp_server.dropped) == 1 and smtp_server.messages == []


@pytest.mark.parametrize("say", [None, "421 4.4.2 smtp.example.org idle timeout"])
def test_a_kept_connection_closed_by_the_server_is_replaced(smtp_server, connect, caplog, say):
    sender = connect(smtp_server)
    sender.send(1, TO, *message())
    smtp_server.disconnect_all(say)
    message_id, raw = message()
    with caplog.at_level(logging.INFO, "intake"):
        sender.send(2, TO, message_id, raw)
    assert "the kept connection was closed" in caplog.text
    assert [m.raw for m in smtp_server.messages][1:] == [crlf(raw)]
    assert smtp_server.connections == 2


def test_a_closed_port_is_temporary():
    with socket.socket() as sock:
        sock.bind((HOST, 0))  # bound, never listening: connections are refused
        smtp = SmtpConfig(HOST, sock.getsockname()[1], tls="none", timeout=2.0)
        error = failure(SmtpSender(smtp, FROM))
    assert (error.kind, error.code) == ("temporary", None)
    assert "cannot connect" in str(error) and "refused" in str(error)


def test_a_server_that_never_greets_is_temporary():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen()  # the kernel accepts, nobody answers
        smtp = SmtpConfig(HOST, sock.getsockname()[1], tls="none", timeout=0.5)
        error = failure(SmtpSender(smtp, FROM))
    assert (error.kind, error.code) == ("temporary", None)
    assert "no answer within 0.5 s" in str(error)


# TLS and login --------------------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
@pytest.mark.parametrize("source", ["env", "file"])
def test_tls_and_login_deliver(smtp_server_factory, connect, monkeypatch, tmp_path, tls, source):
    server = smtp_server_factory(tls=tls, user=USER, require_auth=True)
    if source == "env":
        monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", server.password)
        secret = {"password_env": "INTAKE_TEST_SMTP_PASSWORD"}
    else:
        (tmp_path / "smtp-password").write_text(server.password + "\n", encoding="utf-8")
        (tmp_path / "smtp-password").chmod(0o600)
        secret = {"password_file": tmp_path / "smtp-password"}
    message_id, raw = message()
    connect(server, user=USER, **secret).send(1, TO, message_id, raw)
    assert server.messages[0].raw == crlf(raw)
    assert (server.messages[0].tls, server.messages[0].login) == (True, USER)


def test_a_refused_login_is_temporary_and_keeps_the_password_out(smtp_server_factory, connect,
                                                                monkeypatch):
    server = smtp_server_factory(tls="starttls", user=USER)
    monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", "wrong-auth-code-8231")
    error = failure(connect(server, user=USER, password_env="INTAKE_TEST_SMTP_PASSWORD"))
    assert (error.kind, error.code) == ("temporary", None)
    assert "SMTP login refused (535" in str(error) and "wrong-auth-code-8231" not in str(error)
    assert server.logins and not any(ok for _, ok in server.logins)
    assert server.transactions == 0


@pytest.mark.parametrize("password", [None, "授权码"])
def test_a_password_that_cannot_be_used_is_temporary(smtp_server_factory, connect, monkeypatch,
                                                     password):
    server = smtp_server_factory(tls="starttls", user=USER)
    monkeypatch.delenv("INTAKE_TEST_SMTP_PASSWORD", raising=False)
    if password:
        monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", password)
    error = failure(connect(server, user=USER, password_env="INTAKE_TEST_SMTP_PASSWORD"))
    assert (error.kind, error.code) == ("temporary", None)
    assert ("INTAKE_TEST_SMTP_PASSWORD" if password is None else "not ASCII") in str(error)
    assert server.logins == [] and server.transactions == 0


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_an_untrusted_certificate_is_temporary(smtp_server_factory, connect, tls):
    server = smtp_server_factory(tls=tls)
    error = failure(connect(server, ca_file=None))
    assert (error.kind, error.code) == ("temporary", None)
    assert "TLS certificate check failed" in str(error)
    assert server.transactions == 0


def test_no_starttls_offered_sends_nothing_in_plain(smtp_server_factory, connect, monkeypatch):
    server = smtp_server_factory(user=USER)  # plain, offering AUTH without TLS
    monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", server.password)
    error = failure(connect(server, tls="starttls", user=USER,
                            password_env="INTAKE_TEST_SMTP_PASSWORD"))
    assert (error.kind, error.code) == ("temporary", None) and "STARTTLS" in str(error)
    assert server.logins == [] and server.transactions == 0
