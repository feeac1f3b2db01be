"""The embedded sender: each outgoing message becomes an .eml file in a spool folder."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from pipeline.store import write_durably


class Sender(Protocol):
    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        """Deliver one message or raise; a retry carries the same Message-ID."""
        ...


class SpoolSender:
    """Writes `<id>-<message-id>.eml`; sending the same row again rewrites the same file."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path_for(self, outbox_id: int, message_id: str) -> Path:
        token = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>"))[:120]
        return self.folder / f"{outbox_id:06d}-{token}.eml"

    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        write_durably(self.path_for(outbox_id, message_id), raw)
