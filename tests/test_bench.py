"""`make bench` still runs: a tiny corpus through every measurement, on the real servers.

The figures of so small a run mean nothing; what this keeps is that the benchmark's code
follows the pipeline's (a renamed attribute once broke `make bench` unseen)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_end_to_end_on_a_tiny_corpus(tmp_path):
    report = tmp_path / "RESULTS.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--count", "3", "--passes", "1",
                             "--idle", "20", "10", "--out", str(report)], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    text = report.read_text(encoding="utf-8")
    assert "× F" in text and "Dovecot" in text
