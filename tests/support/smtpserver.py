"""A real SMTP server on 127.0.0.1 for the sender's tests: aiosmtpd in a thread of the test process.

aiosmtpd speaks real SMTP (EHLO, SIZE, SMTPUTF8, STARTTLS, implicit TLS, AUTH PLAIN and
LOGIN, dot-stuffing), so smtplib is checked against a server, not against our idea of one.
What a well-behaved server never does is scripted: one entry per mail transaction, taken in
order at MAIL FROM, "accept" once the script runs out.

    "accept"                250 after the data
    "451", "550"            that reply after the whole data was received ("421" also closes)
    "mail:553"              that reply to MAIL FROM
    "rcpt:450"              that reply to every RCPT TO; "rcpt:550:b@example.org" to one address
    "drop_before_data"      the connection is closed when DATA comes, before 354
    "drop_after_dot"        the whole message is taken, then the connection closed without a reply
    "stall_after_dot"       the whole message is taken and never answered, until the client gives up

A message taken and never answered goes to `dropped`, never to `messages`.

aiosmtpd's quirks handled here: its Controller probes the port it was given, so port 0 needs
the chosen port read back before the probe; behind implicit TLS it does not know the
connection is encrypted and would neither offer nor accept AUTH unless auth_require_tls is off
(aiosmtpd issues #274, #281); its auth_required warns when TLS is not required, so "AUTH
first" is answered at MAIL FROM here instead.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import weakref
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bench.dovecot import write_certificates

HOST = "127.0.0.1"
SERVER_NAME = "smtp.example.org"
USER = "cases@example.org"
TLS_MODES = (None, "implicit", "starttls")
_ENTRY = re.compile(r"accept|drop_before_data|drop_after_dot|stall_after_dot|[45]\d\d"
                    r"|mail:[45]\d\d|rcpt:[45]\d\d(:\S+@\S+)?")
_TEXTS = {"4": "4.3.0 scripted temporary failure", "5": "5.7.1 scripted refusal"}


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the bytes after dot-unstuffing."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None


def _reply(code: str) -> str:
    return f"{code} {_TEXTS[code[0]]}"


async def _never() -> None:
    """Wait until the connection goes: aiosmtpd cancels its handler when it is lost."""
    await asyncio.Event().wait()


class _Handler:
    """aiosmtpd's hooks; they run on the server's thread and record into the SmtpServer."""

    def __init__(self, server: SmtpServer):
        self.server = server
        self.live: weakref.WeakSet[_Smtp] = weakref.WeakSet()

    async def handle_MAIL(self, smtp: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        self.server.transactions += 1
        if self.server.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        fault = self.server.take_fault()
        if fault.startswith("mail:"):
            return _reply(fault[5:])
        envelope.fault = fault  # type: ignore[attr-defined]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, smtp: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        fault = getattr(envelope, "fault", "accept")
        if fault.startswith("rcpt:"):
            code, _, only = fault[5:].partition(":")
            if only in ("", address):
                return _reply(code)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        fault = getattr(envelope, "fault", "accept")
        login = session.auth_data.login.decode() if session.authenticated else None
        received = Received(envelope.mail_from or "", tuple(envelope.rcpt_tos),
                            envelope.original_content or b"",
                            smtp.transport.get_extra_info("ssl_object") is not None, login)
        if fault in ("drop_after_dot", "stall_after_dot"):
            self.server.record(self.server.dropped, received)
            if fault == "drop_after_dot":
                smtp.transport.close()
            await _never()
        if fault == "421":
            await smtp.push(_reply(fault))
            smtp.transport.close()
            await _never()
        if fault[0].isdigit():
            return _reply(fault)
        self.server.record(self.server.messages, received)
        return "250 2.0.0 OK queued"

    def authenticate(self, smtp: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: LoginPassword) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        ok = (login, password) == (self.server.user, self.server.password)
        self.server.logins.append((login, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    async def disconnect_all(self, say: str | None) -> None:
        for smtp in list(self.live):
            if smtp.transport is not None:
                if say:
                    await smtp.push(say)
                smtp.transport.close()
        while any(smtp.transport is not None for smtp in self.live):
            await asyncio.sleep(0.002)


class _Smtp(SMTP):
    """aiosmtpd's protocol, able to drop the connection at the DATA command."""

    async def smtp_DATA(self, arg: str) -> None:
        if getattr(self.envelope, "fault", None) == "drop_before_data":
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    """Counts connections, and binds port 0: the port the system chose is read back before
    aiosmtpd's start-up probe connects to it."""

    def factory(self) -> _Smtp:
        smtp = _Smtp(self.handler, **self.SMTP_kwargs)
        self.handler.live.add(smtp)
        self.handler.server.connections += 1
        return smtp

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """One aiosmtpd on a free loopback port; a context manager, or start() and stop().

    tls: None (plain; STARTTLS not offered), "implicit" (TLS from the first byte) or
    "starttls" (offered and required before anything else). With `user`, AUTH PLAIN and LOGIN
    take `user` and `password` (random unless given); with `require_auth`, MAIL FROM before
    AUTH gets 530. `transactions` counts MAIL FROM commands, `logins` every AUTH attempt.
    """

    def __init__(self, folder: Path | None = None, *, tls: str | None = None,
                 user: str | None = None, password: str | None = None, require_auth: bool = False,
                 smtputf8: bool = True):
        assert tls in TLS_MODES, tls
        self.tls, self.user = tls, user
        self.password = password or secrets.token_urlsafe(12)
        self.require_auth, self.smtputf8 = require_auth, smtputf8
        self._own_folder = folder is None and tls is not None
        self.folder = Path(tempfile.mkdtemp(prefix="intake-smtp-")) if self._own_folder else folder
        self.ca_file: Path | None = None
        self.host, self.port = HOST, 0
        self.messages: list[Received] = []
        self.dropped: list[Received] = []
        self.logins: list[tuple[str, bool]] = []
        self.connections = self.transactions = 0
        self._script: list[str] = []
        self._changed = threading.Condition()
        self._handler = _Handler(self)
        self._controller: _Controller | None = None

    # Running ----------------------------------------------------------------------------

    def start(self) -> SmtpServer:
        assert self._controller is None, "already running"
        controller = _Controller(self._handler, hostname=HOST, port=0, **self._options())
        controller.start()
        self._controller, self.port = controller, controller.port
        self.connections = 0  # the start-up probe
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.disconnect_all()
            self._controller.stop()
            self._controller = None
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def disconnect_all(self, say: str | None = None) -> None:
        """Close every open connection from the server's side, as an idle timeout does;
        `say` ("421 4.4.2 idle timeout") is written first. Returns once they are closed."""
        assert self._controller is not None, "not running"
        asyncio.run_coroutine_threadsafe(self._handler.disconnect_all(say),
                                         self._controller.loop).result(5)

    def _options(self) -> dict:
        options: dict = {"server_hostname": SERVER_NAME, "enable_SMTPUTF8": self.smtputf8,
                         # Implicit TLS: aiosmtpd cannot tell, see the module docstring.
                         "auth_require_tls": self.tls == "starttls"}
        if self.user is not None:
            options["authenticator"] = self._handler.authenticate
        if self.tls == "implicit":
            options["ssl_context"] = self._tls_context()
        elif self.tls == "starttls":
            options.update(tls_context=self._tls_context(), require_starttls=True)
        return options

    def _tls_context(self) -> ssl.SSLContext:
        assert self.folder is not None, "TLS needs a folder for its certificates"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ca_file = self.folder / "ca.pem"
        write_certificates(self.folder, self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.folder / "server.pem", self.folder / "server.key")
        return context

    # Faults and what arrived --------------------------------------------------------------

    def script(self, entries: list[str]) -> None:
        """Queue faults for the next transactions (the vocabulary is in the module docstring)."""
        for entry in entries:
            if not _ENTRY.fullmatch(entry):
                raise ValueError(f"not a script entry: {entry!r}")
        with self._changed:
            self._script.extend(entries)

    def take_fault(self) -> str:
        with self._changed:
            return self._script.pop(0) if self._script else "accept"

    def record(self, into: list[Received], received: Received) -> None:
        with self._changed:
            into.append(received)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The first `count` accepted messages, once they are there."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{len(self.messages)} message(s) within {timeout:g} s, "
                                     f"not {count}")
            return self.messages[:count]

    def parsed(self, index: int) -> EmailMessage:
        return email.message_from_bytes(self.messages[index].raw, policy=email.policy.default)


@pytest.fixture
def smtp_server_factory(tmp_path):
    """Start SMTP servers with options, `smtp_server_factory(tls="starttls", user=USER)`;
    each is stopped after the test, pass or fail."""
    made: list[SmtpServer] = []

    def make(**options) -> SmtpServer:
        server = SmtpServer(tmp_path / f"smtp-{len(made)}", **options)
        made.append(server)
        return server.start()

    try:
        yield make
    finally:
        for server in made:
            server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory) -> SmtpServer:
    """A started plain SMTP server without AUTH that accepts everything unless scripted."""
    return smtp_server_factory()
