"""Every exception intake raises on purpose, one class per way the work cannot be done."""
from __future__ import annotations


class IntakeError(Exception):
    """Base class: the CLI turns these into a one-line message and a non-zero exit."""


class ConfigError(IntakeError):
    """config.toml is missing, malformed, or names something that does not exist."""


class ProfileError(IntakeError):
    """A campaign profile is malformed; the message names the file and the line."""


class UnreadableMail(IntakeError):
    """The bytes of a message cannot be parsed as a mail at all."""


class UnreadableDocument(IntakeError):
    """An attachment cannot be opened: corrupt, encrypted, unsupported or over a limit."""


class AlreadyRunning(IntakeError):
    """Another intake process holds the database's run lock."""


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
