"""How fast this machine's disk takes mail durably: the ceiling under any fetch that keeps mail.

The same mails are written the way the raw store writes them (temporary file, fsync, rename,
fsync of the folder), by two threads as the fetcher does, with nothing else going on: no
network, no hashing, no ledger. A fetch that keeps every mail before recording it cannot be
faster than this.
"""
from __future__ import annotations

import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.store import write_durably


def durable_writes_per_second(emls: list[Path], work: Path, passes: int = 3) -> float:
    mails = [path.read_bytes() for path in emls]
    rates = []
    for _ in range(passes):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        started = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda item: write_durably(work / f"{item[0]:04d}.eml", item[1]),
                          enumerate(mails)))
        rates.append(len(mails) / (time.perf_counter() - started))
    shutil.rmtree(work, ignore_errors=True)
    return statistics.median(rates)
