"""One intake process per database: the run lock beside the database file."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pipeline.errors import AlreadyRunning


class RunLock:
    """One intake process per database: a second run refuses to start."""

    def __init__(self, database: Path):
        database.parent.mkdir(parents=True, exist_ok=True)
        self.path = database.with_name(database.name + ".lock")
        self.handle = None

    def __enter__(self) -> RunLock:
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise AlreadyRunning(f"another intake process is using {self.path.with_suffix('')}")
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle:
            self.handle.close()
