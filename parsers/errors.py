"""The exceptions parsers raise: bytes that cannot be read as what they claim to be."""
from __future__ import annotations


class ParseError(Exception):
    """Base class: the input itself cannot be read; the CLI gives a one-line message."""


class UnreadableMail(ParseError):
    """The bytes of a message cannot be parsed as a mail at all."""


class UnreadableDocument(ParseError):
    """An attachment cannot be opened: corrupt, encrypted, unsupported or over a limit."""
