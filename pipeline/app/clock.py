"""The wall clock. Only the ways in (the CLI, `intake serve`) read it; every job takes `now`."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
