"""The raw store: every message's bytes, named by sha256, on disk before anything else."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


def write_durably(path: Path, data: bytes) -> None:
    """Write to a temporary file, fsync it, rename it into place, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Per thread: the fetcher stores two mails at once, which may be the same bytes.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class RawStore:
    """sha256-named .eml files in two-level folders; identical bytes are stored once."""

    def __init__(self, root: Path):
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.eml"

    def put(self, data: bytes) -> tuple[str, Path]:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256)
        if not path.exists():
            write_durably(path, data)
        return sha256, path

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def sweep(self) -> int:
        """Remove the temporary files a killed process left half-written; how many.

        Only the process holding the run lock may call this: no other writer is at work, and
        the mail those files were for is fetched again (the ledger never named them).
        """
        left = list(self.root.glob("??/.*.tmp")) if self.root.is_dir() else []
        for path in left:
            path.unlink(missing_ok=True)
        return len(left)
