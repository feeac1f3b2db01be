"""The source a [[sources]] entry names: a Maildir or folder here, IMAP loaded only when needed."""
from __future__ import annotations

from pipeline.config.sources import SourceConfig
from pipeline.sources.base import Source
from pipeline.sources.maildir import MaildirSource


def open_source(config: SourceConfig) -> Source:
    if config.type == "imap":
        from pipeline.sources.imap import ImapSource  # imapclient is loaded only when a mailbox needs it

        return ImapSource(config)
    return MaildirSource(config)
