"""The raw store: every message's bytes, named by sha256, on disk before anything else."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


def write_durably(path: Path, data: bytes, release: bool = False) -> None:
    """Write to a temporary file, fsync it, rename it into place, fsync the folder.

    release: once the file is on disk, drop its pages from the page cache. On a virtual machine
    whose host takes back the memory the guest frees, every new page the cache grows into is
    first touched at the host's cost: writing 5 MB into fresh pages took 12-15 ms of CPU there,
    and 2-3 ms once the pages written before were handed back and reused.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Per thread: the fetcher stores two mails at once, which may be the same bytes.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        if release and hasattr(os, "posix_fadvise"):
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
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
            # An archive: the pipeline reads each mail back once, a disk read that costs less
            # than keeping a growing cache of every mail fetched (see write_durably).
            write_durably(path, data, release=True)
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
