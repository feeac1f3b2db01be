"""Every exception the pipeline raises on purpose, one class per way the work cannot be done.

Parsers raise their own (parsers/errors.py: the input cannot be read), rules theirs
(rules/errors.py: a profile cannot be used); the CLI answers all three with one line.
"""
from __future__ import annotations

from parsers.errors import ParseError
from rules.errors import ProfileError


class IntakeError(Exception):
    """Base class: the CLI turns these into a one-line message and a non-zero exit."""


class ConfigError(IntakeError):
    """config.toml is missing, malformed, or names something that does not exist."""


class AlreadyRunning(IntakeError):
    """Another intake process holds the database's run lock."""


class SecretError(IntakeError):
    """The password or authorization code cannot be read (variable unset, file unreadable)."""


class SendError(IntakeError):
    """A message could not be handed to the mail server; `kind` says what the outbox does next.

    temporary: not sent (4xx, refused or lost connection before the end of the data, login or
    TLS trouble): retried later with the same Message-ID. permanent: refused for good (5xx):
    not retried. ambiguous: the connection was lost after the final dot, so the server may
    have accepted it: retried, and counted, because the applicant may get it twice.
    """

    KINDS = ("temporary", "permanent", "ambiguous")

    def __init__(self, kind: str, message: str, code: int | None = None):
        assert kind in self.KINDS, kind
        super().__init__(message)
        self.kind, self.code = kind, code


class MailboxError(IntakeError):
    """A mailbox cannot be read now; `kind` says why, so the operator knows what to fix.

    Kinds: secret (no password), tls (handshake or certificate), login (refused), unsafe_login
    (the server wants IMAP ID), folder_missing, timeout, connection (refused, reset, closed),
    protocol (the server answered something we did not expect).
    """

    RETRYABLE = ("timeout", "connection")

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        """Worth reconnecting within the same poll; the other kinds need a person or a new poll."""
        return self.kind in self.RETRYABLE


# What the CLI answers with one line and exit code 2: every error raised on purpose, in any layer.
EXPECTED = (IntakeError, ParseError, ProfileError)
