"""The Maildir / folder-of-.eml source: read without changing anything."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from pipeline.config.sources import SourceConfig
from pipeline.sources.base import Incoming, Ledger


class MaildirSource:
    """A Maildir (new/ and cur/) or a plain folder of .eml files, read without changing it.

    Like BODY.PEEK on IMAP, nothing is moved or flagged: people may read the same Maildir.
    A message's uid is its Maildir unique name (the file name before ':2,'), which survives
    a mail client moving it from new/ to cur/ and changing its flags. Unique names begin with
    the delivery time, so their order is arrival order.
    """

    UIDVALIDITY = "maildir"

    def __init__(self, config: SourceConfig):
        assert config.path is not None
        self.name = config.name
        self.root: Path = config.path
        self.is_maildir = config.type == "maildir"

    def _files(self) -> list[tuple[str, Path]]:
        if self.is_maildir:
            folders = [self.root / "new", self.root / "cur"]
            files = [p for f in folders if f.is_dir() for p in f.iterdir() if p.is_file()]
        else:
            files = [p for p in self.root.glob("*.eml") if p.is_file()] if self.root.is_dir() else []
        return sorted((p.name.split(":2,")[0], p) for p in files if not p.name.startswith("."))

    def sure_folders(self) -> list[str]:
        return []

    def folders(self) -> tuple[list[str], list[str]]:
        return ["INBOX"], []

    def open_folder(self, folder: str) -> str:
        return self.UIDVALIDITY

    def newest(self, folder: str) -> str:
        files = self._files()
        return files[-1][0] if files else ""

    def is_at_or_before(self, uid: str, boundary: str) -> bool:
        return bool(boundary) and uid <= boundary

    def incoming(self, folder: str, uidvalidity: str, ledger: Ledger) -> Iterator[Incoming]:
        seen = ledger.known(folder, uidvalidity)
        for uid, path in self._files():
            if uid in seen:
                continue
            try:
                data = path.read_bytes()
            except OSError:  # moved by a mail client between listing and reading: next pass
                continue
            yield Incoming(folder, uidvalidity, uid, data, len(data))

    def file(self, folder: str, uidvalidity: str, items: list[tuple[str, str]]) -> dict[str, str]:
        return {uid: "" for uid, _ in items}  # read-only: a Maildir shared with people

    def close(self) -> None:
        pass
