"""How a message leaves: the Sender protocol that outbox/smtp.py and outbox/spool.py follow."""
from __future__ import annotations

from typing import Protocol


class Sender(Protocol):
    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        """Deliver one message (to_addr may list several, comma-separated) or raise SendError;
        a retry carries the same Message-ID and bytes."""
        ...

    def close(self) -> None:
        """Let go of any connection; the next send opens a new one."""
        ...
