"""The embedded sender: each message written to a spool folder instead of a mail server."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import SendError
from pipeline.store.raw import write_durably


class SpoolSender:
    """Writes `<id>-<message-id>.eml`; sending the same row again rewrites the same file."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path_for(self, outbox_id: int, message_id: str) -> Path:
        token = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>"))[:120]
        return self.folder / f"{outbox_id:06d}-{token}.eml"

    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        try:
            write_durably(self.path_for(outbox_id, message_id), raw)
        except OSError as error:
            raise SendError("temporary", f"cannot write to the spool folder: {error}") from None

    def close(self) -> None:
        pass
