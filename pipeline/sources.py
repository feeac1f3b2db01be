"""Where mail comes from: the Source protocol and the Maildir / folder-of-.eml source."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol

from pipeline.config import SourceConfig


@dataclass(frozen=True)
class SourceMessage:
    """One message as a source identifies it; `read()` gives its bytes."""

    folder: str
    uidvalidity: str
    uid: str
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


# The ledger's uids for (folder, uidvalidity) of this source.
Known = Callable[[str, str], set[str]]


class Source(Protocol):
    name: str

    def messages(self, known: Known) -> Iterator[SourceMessage]:
        """Messages whose uid is not in known(folder, uidvalidity), oldest first."""
        ...


class MaildirSource:
    """A Maildir (new/ and cur/) or a plain folder of .eml files, read without changing it.

    Like BODY.PEEK on IMAP, nothing is moved or flagged: people may read the same Maildir.
    A message's uid is its Maildir unique name (the file name before ':2,'), which survives
    a mail client moving it from new/ to cur/ and changing its flags.
    """

    UIDVALIDITY = "maildir"

    def __init__(self, config: SourceConfig):
        self.name = config.name
        self.root = config.path
        self.is_maildir = config.type == "maildir"

    def _files(self) -> list[tuple[str, Path]]:
        if self.is_maildir:
            folders = [self.root / "new", self.root / "cur"]
            files = [p for f in folders if f.is_dir() for p in f.iterdir() if p.is_file()]
        else:
            files = [p for p in self.root.glob("*.eml") if p.is_file()] if self.root.is_dir() else []
        keyed = [(p.name.split(":2,")[0], p) for p in files if not p.name.startswith(".")]
        # Maildir unique names start with the delivery time, so name order is arrival order.
        return sorted(keyed)

    def messages(self, known: Known) -> Iterator[SourceMessage]:
        seen = known("INBOX", self.UIDVALIDITY)
        for uid, path in self._files():
            if uid not in seen:
                yield SourceMessage("INBOX", self.UIDVALIDITY, uid, path)


def open_source(config: SourceConfig) -> Source:
    return MaildirSource(config)
