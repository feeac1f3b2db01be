"""How fast this machine's disk takes mail durably: the ceiling under any fetch that keeps mail.

The same mails are written the way the raw store writes them (temporary file, fsync, rename,
fsync of the folder), by two threads as the fetcher does, with nothing else going on: no
network, no hashing, no ledger. A fetch that keeps every mail before recording it cannot be
faster than this.
"""
from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.imapbench import own_cpu_seconds
from pipeline.store.raw import write_durably


@dataclass(frozen=True)
class DiskFigures:
    per_second: float  # the median pass
    cpu_ms: float  # our CPU per mail in that pass (both threads; the kernel's work included)


def durable_writes(emls: list[Path], work: Path, passes: int = 3) -> DiskFigures:
    mails = [path.read_bytes() for path in emls]
    runs = []
    for _ in range(passes):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        cpu, started = own_cpu_seconds(), time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda item: write_durably(work / f"{item[0]:04d}.eml", item[1]),
                          enumerate(mails)))
        seconds = time.perf_counter() - started
        runs.append((len(mails) / seconds, (own_cpu_seconds() - cpu) / len(mails) * 1000))
    shutil.rmtree(work, ignore_errors=True)
    return DiskFigures(*sorted(runs)[len(runs) // 2])
