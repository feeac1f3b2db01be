"""What every source gives and may ask: the Source protocol, an Incoming message, the Ledger."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol


@dataclass(frozen=True)
class Incoming:
    """One new message as a source delivers it: where it is, and its bytes.

    complete is False for mail over the size limit: data then holds only its header.
    """

    folder: str
    uidvalidity: str
    uid: str
    data: bytes
    size: int
    complete: bool = True


class Ledger(Protocol):
    """What a source may ask the ledger about one of its folders."""

    def last_uid(self, folder: str, uidvalidity: str) -> int: ...

    def known(self, folder: str, uidvalidity: str) -> set[str]: ...


class Source(Protocol):
    """A mailbox. Sources only read: filing (keyword, move) is a separate, optional step."""

    name: str

    def sure_folders(self) -> list[str]:
        """Folders that exist without asking the server (INBOX), read before folders()."""
        ...

    def folders(self) -> tuple[list[str], list[str]]:
        """The folders to read now, and the configured ones that do not exist."""
        ...

    def open_folder(self, folder: str) -> str:
        """Open a folder read-only and give its UIDVALIDITY."""
        ...

    def newest(self, folder: str) -> str:
        """The highest uid now in the (open) folder, "" when it is empty."""
        ...

    def is_at_or_before(self, uid: str, boundary: str) -> bool:
        """uid arrived no later than boundary, in this source's uid order."""
        ...

    def incoming(self, folder: str, uidvalidity: str, ledger: Ledger) -> Iterator[Incoming]:
        """Messages of the open folder the ledger does not hold yet, oldest first."""
        ...

    def file(self, folder: str, uidvalidity: str, items: list[tuple[str, str]]) -> dict[str, str]:
        """Keyword / move the (uid, verdict) items; per uid what was done, "" for nothing."""
        ...

    def close(self) -> None: ...
