"""The SMTP sender: the only importer of smtplib.

One connection is opened at the first send and kept for the following ones until close() or
an error. Every failure becomes a SendError whose kind tells the outbox what to do:

- permanent: the server refused the message with 5xx (MAIL FROM, every RCPT TO, DATA or the
  reply to the data); sending it again would be refused again.
- temporary: nothing was handed over: a 4xx reply, no connection, a timeout or a lost
  connection before the end of the data, a refused login, a failed TLS handshake or certificate
  check, a secret that cannot be read. The message is fine; sending it later may work.
- ambiguous: the whole message and its final "\\r\\n.\\r\\n" were written, and then the
  connection was lost or timed out before the server's reply came. The server may have
  accepted it (and may deliver it) or not; only the reply would have said. The outbox sends it
  again, so the applicant may get it twice, and counts it.

To tell the last two apart exactly, the connection notes when the data ending in
"\\r\\n.\\r\\n" has been written: smtplib's data() (CPython 3.11) writes the dot-stuffed message
and its closing dot with one send() call, and send() raises if the socket refused any of it.

`SendError.code` is set only for a reply to MAIL FROM, RCPT TO or DATA: a failure without a
code (no connection, login, TLS) says the server cannot be used now, whatever the message.
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
from contextlib import contextmanager
from typing import Iterator

from pipeline import failpoints
from pipeline.config.replies import SmtpConfig
from pipeline.errors import SecretError, SendError

log = logging.getLogger("intake")

# What a server that closes an idle connection may say before closing (RFC 5321 4.5.3.2).
SERVICE_CLOSING = 421
# "530 5.7.0 Authentication required" to MAIL FROM: our config lacks AUTH, the message is fine.
AUTH_REQUIRED = 530
_LINE_END = re.compile(rb"\r\n|\r|\n")


class _Tracking:
    """Mixed into smtplib's classes, reset for each message: `answered` turns true at the
    server's first reply, `dot_sent` once the data's final dot is out."""

    answered = dot_sent = False

    def send(self, s: bytes | str) -> None:
        data = isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")
        if data:  # DATA was answered 354; nothing of the message is out yet
            failpoints.reach("smtp_before_dot")
        super().send(s)  # type: ignore[misc]
        if data:
            self.dot_sent = True
            failpoints.reach("smtp_after_dot")  # the server's reply is not read yet

    def getreply(self) -> tuple[int, bytes]:
        reply = super().getreply()  # type: ignore[misc]
        self.answered = True
        return reply


class _Plain(_Tracking, smtplib.SMTP):
    """A connection that starts unencrypted: tls = "starttls" or "none"."""


class _Implicit(_Tracking, smtplib.SMTP_SSL):
    """A connection that is TLS from the first byte: tls = "implicit"."""


def recipients(to_addr: str) -> list[str]:
    """The envelope recipients of a To: "a@example.org, b@example.org" gives both."""
    return [a.strip() for a in to_addr.split(",") if a.strip()]


def with_crlf(raw: bytes) -> bytes:
    """Line ends as SMTP wants them: the email package writes "\\n", and a bare LF is refused by
    servers that guard against SMTP smuggling."""
    return _LINE_END.sub(b"\r\n", raw)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _by_code(code: int, what: str, where: str, dot_sent: bool) -> SendError:
    """A reply to MAIL FROM, RCPT TO or DATA: 4xx temporary, 5xx permanent."""
    if code == AUTH_REQUIRED:
        return SendError("temporary", f"{where}: {what}; set user in [smtp] to log in", code)
    if 400 <= code < 500:
        return SendError("temporary", f"{where}: {what}", code)
    if 500 <= code < 600:
        return SendError("permanent", f"{where}: {what}", code)
    # Not an SMTP reply at all: after the dot, whether the server took the message is unknown.
    return SendError("ambiguous" if dot_sent else "temporary", f"{where}: {what}")


def _all_refused(refused: dict[str, tuple[int, bytes]], where: str) -> SendError:
    """Every RCPT TO refused: temporary when any refusal was 4xx, permanent when all were 5xx."""
    codes = [code for code, _ in refused.values()]
    listed = "; ".join(f"{a}: {c} {_text(r)}" for a, (c, r) in refused.items())
    code = next((c for c in codes if not 500 <= c < 600), codes[0] if codes else None)
    kind = "permanent" if codes and all(500 <= c < 600 for c in codes) else "temporary"
    return SendError(kind, f"{where}: every recipient refused ({listed})", code)


def send_error(error: Exception, where: str, timeout: float, dot_sent: bool) -> SendError:
    """What a library or socket error means for the message (see the module docstring)."""
    if isinstance(error, SecretError):
        return SendError("temporary", f"{where}: cannot read the SMTP password: {error}")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _all_refused(error.recipients, where)
    if isinstance(error, smtplib.SMTPSenderRefused):
        what = f"MAIL FROM {error.sender} refused ({error.smtp_code} {_text(error.smtp_error)})"
        return _by_code(error.smtp_code, what, where, dot_sent)
    if isinstance(error, smtplib.SMTPDataError):
        step = "the message" if dot_sent else "DATA"
        what = f"{step} refused ({error.smtp_code} {_text(error.smtp_error)})"
        return _by_code(error.smtp_code, what, where, dot_sent)
    if dot_sent:
        return SendError("ambiguous", f"{where}: connection lost after the whole message was "
                                      f"sent, before the server's reply: {error}; it may have "
                                      "been accepted")
    return SendError("temporary", f"{where}: {_connection_trouble(error, timeout)}")


def _connection_trouble(error: Exception, timeout: float) -> str:
    """Why the connection could not be used, for a failure before any data was handed over."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"SMTP login refused ({error.smtp_code} {_text(error.smtp_error)})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the server refused to go on ({error.smtp_code} {_text(error.smtp_error)})"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"TLS certificate check failed: {error.verify_message}; set ca_file to the CA "
                "that signed the server's certificate")
    if isinstance(error, ssl.SSLError):
        return (f"TLS failed: {error.reason or error}; check tls (implicit for 465, starttls "
                "for 587)")
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return f"no answer within {timeout:g} s: {error}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"connection lost before the message was handed over: {error}"
    if isinstance(error, smtplib.SMTPException):
        return f"SMTP failed: {error}"
    return f"cannot connect or connection lost: {error}"


class SmtpSender:
    """The Sender that hands each message to the secretariat's SMTP server."""

    def __init__(self, config: SmtpConfig, envelope_from: str, helo: str | None = None):
        self.config, self.envelope_from, self.helo = config, envelope_from, helo
        self.where = f"{config.host}:{config.port}"
        self._smtp: _Plain | _Implicit | None = None

    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        rcpts, data = recipients(to_addr), with_crlf(raw)
        if not rcpts:
            raise SendError("permanent", f"no recipient address in {to_addr!r}")
        with self._errors():
            reused = self._smtp is not None
            try:
                refused = self._transaction(rcpts, data)
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused) as error:
                if not (reused and self._stale(error)):
                    raise
                log.info("%s: the kept connection was closed (%s); reconnecting", self.where, error)
                self._drop()
                refused = self._transaction(rcpts, data)
        if refused:
            listed = "; ".join(f"{a} ({c} {_text(r)})" for a, (c, r) in refused.items())
            log.warning("outbox #%s %s: sent, but these recipients were refused: %s",
                        outbox_id, message_id, listed)

    def probe(self) -> str:
        """Connect, secure and log in as a send would, then QUIT, sending nothing: what
        `intake doctor` reports. Raises SendError like send()."""
        with self._errors():
            smtp = self._open()
            smtp.ehlo_or_helo_if_needed()
            tls = smtp.sock.version() if isinstance(smtp.sock, ssl.SSLSocket) else "no TLS"
            size = smtp.esmtp_features.get("size", "").strip()
        self.close()
        login = f"logged in as {self.config.user}" if self.config.user else "no login"
        limit = f", size limit {int(size) / 1048576:.0f} MB" if size.isdigit() and size != "0" else ""
        return f"{self.where}: {tls}, {login}{limit}"

    def close(self) -> None:
        """QUIT and let go; a server that is gone already does not matter."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except OSError:
            pass
        finally:
            smtp.close()

    def _stale(self, error: Exception) -> bool:
        """A kept connection the server closed while idle: gone before it answered MAIL FROM,
        or answered it with 421. Nothing of this message was handed over."""
        assert self._smtp is not None
        if isinstance(error, smtplib.SMTPSenderRefused):
            return error.smtp_code == SERVICE_CLOSING
        return not self._smtp.answered

    def _transaction(self, rcpts: list[str], data: bytes) -> dict[str, tuple[int, bytes]]:
        """MAIL, RCPT for each, DATA; the recipients refused while others were accepted."""
        smtp = self._smtp or self._open()
        smtp.answered = smtp.dot_sent = False
        options = [] if all(a.isascii() for a in (self.envelope_from, *rcpts)) else ["SMTPUTF8"]
        smtp.ehlo_or_helo_if_needed()
        if options and not smtp.has_extn("smtputf8"):
            raise SendError("permanent", f"{self.where}: a recipient address is not ASCII and "
                                         "the server does not accept such addresses (SMTPUTF8)")
        return smtp.sendmail(self.envelope_from, rcpts, data, mail_options=options)

    def _open(self) -> _Plain | _Implicit:
        smtp = self._connect()
        try:
            self._secure_and_log_in(smtp)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _connect(self) -> _Plain | _Implicit:
        c = self.config
        if c.tls == "implicit":
            return _Implicit(c.host, c.port, self.helo, timeout=c.timeout, context=self._context())
        return _Plain(c.host, c.port, self.helo, timeout=c.timeout)

    def _secure_and_log_in(self, smtp: _Plain | _Implicit) -> None:
        if self.config.tls == "starttls":
            smtp.ehlo()
            # Never fall back to plain text: the password and the applicants' mail would show.
            if not smtp.has_extn("starttls"):
                raise SendError("temporary", f"{self.where}: the server does not offer STARTTLS; "
                                             "nothing was sent unencrypted")
            smtp.starttls(context=self._context())
            smtp.ehlo()
        if self.config.user:
            self._log_in(smtp)

    def _log_in(self, smtp: _Plain | _Implicit) -> None:
        user, secret = self.config.user, self.config.secret()
        # smtplib encodes AUTH as ASCII; a UnicodeEncodeError would say nothing useful.
        if not (user.isascii() and secret.isascii()):
            raise SendError("temporary", f"{self.where}: the SMTP user or password is not ASCII, "
                                         "which smtplib cannot send in AUTH")
        smtp.login(user, secret)

    def _context(self) -> ssl.SSLContext:
        ca_file = self.config.ca_file
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Any failure drops the connection and leaves as a SendError."""
        try:
            yield
        except SendError:
            self._drop()
            raise
        except (OSError, SecretError) as error:
            dot_sent = self._smtp is not None and self._smtp.dot_sent
            self._drop()
            raise send_error(error, self.where, self.config.timeout, dot_sent) from None
