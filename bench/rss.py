"""Peak memory of one pass over a Maildir, run alone in a fresh process by bench/__main__.py.

Prints one JSON line: the main process's resident size before the pass and at its peak
(VmHWM, reset just before the pass), and the largest peak among the parser workers.
"""
from __future__ import annotations

import json
import resource
import sys
import tempfile
from pathlib import Path

from bench.pipelinebench import bench_config, fixed_clock
from pipeline.app.runner import Pipeline
from pipeline.store.database import Database


def _status(field: str) -> int:
    """A /proc/self/status figure, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def measure(maildir: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="intake-bench-rss-") as work:
        config = bench_config(maildir, Path(work))
        db = Database(config.database)
        pipeline = Pipeline(config, db, fixed_clock)
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS
        before = _status("VmRSS")
        report = pipeline.run_once()
        peak = _status("VmHWM")
        pipeline.reader.close()  # reaped workers count in RUSAGE_CHILDREN
        db.close()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    verdicts = [outcome.verdict for _, outcome in report.outcomes]
    return {"before": before, "peak": peak, "worker_peak": workers, "verdicts": verdicts,
            "parked": len(report.parked)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
