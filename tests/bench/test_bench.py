"""`make bench` runs end to end: a tiny corpus, every measurement, a complete report.

Nothing here is timed: the figures are the benchmark's business (bench/RESULTS.md). What is
checked is that every part runs and that the pipeline it measures did the real work.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import expected_deficient

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_runs_and_reports_every_figure(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--count", "10", "--passes", "1",
                           "--idle", "60", "30", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    report = out.read_text(encoding="utf-8")
    assert done.returncode == 0, done.stderr[-2000:]
    for heading in ("## Targets", "## Pipeline against the floor", "## IMAP", "## Legacy Word",
                    "## Memory", "## Machine"):
        assert heading in report
    deficient = expected_deficient(10)
    assert f"Verdicts: {10 - deficient} complete, {deficient} deficient; parked: 0 (as the " \
           "corpus requires)" in report
    assert "make bench BENCH_ARGS='--count 10 --passes 1 --idle 60 30'" in report
