"""`make bench`: the pipeline measured against the floor of MIME parsing, in one run.

Every figure is a median over repeated passes on this machine, and the headline ones are
ratios to a floor measured in the same run (see bench/pipelinebench.py), so that a slower or
faster machine moves both. The table goes to the terminal and to bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus as corpora
from bench.diskbench import durable_writes
from bench.imapbench import measure_fetch, measure_idle_poll
from bench.officebench import measure_conversion
from bench.pipelinebench import floor_pass, pipeline_pass
from bench.report import Figures, machine, write_results

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        print(f"building the corpus: {options.count} mails (seed {options.seed}) …", flush=True)
        corpus = corpora.build(work / "corpus", options.count, options.seed)
        figures = Figures(count=corpus.count, mail_bytes=corpus.total_bytes / corpus.count,
                          build_seconds=time.perf_counter() - started)
        _floor_and_pipeline(corpus, work, options.passes, figures)
        _imap(corpus, work, figures, options.idle)
        print("legacy Word conversion …", flush=True)
        os.sync()
        figures.conversion = measure_conversion(list(corpus.legacy))
        print("peak memory of the 60 MB mail …", flush=True)
        figures.rss = _rss(corpus)
        figures.total_seconds = time.perf_counter() - started
    text = write_results(figures, machine(), options.out, _command(options))
    print(text)
    # A target not met is a figure to read in the report; only a pipeline that did not do the
    # corpus's work (wrong verdicts, parked mail) makes the measurement void.
    return 0 if figures.correct else 1


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="submissions in the corpus")
    parser.add_argument("--seed", type=int, default=8, help="the corpus's seed")
    parser.add_argument("--passes", type=int, default=5, help="passes for each median")
    parser.add_argument("--idle", type=int, nargs=2, default=[10_000, 1_000],
                        metavar=("LARGE", "SMALL"), help="mailbox sizes for the idle poll")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="the report")
    return parser.parse_args(argv)


def _command(options: argparse.Namespace) -> str:
    defaults = _options([])
    changed = [f"--{k} {' '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
               for k, v in vars(options).items() if k != "out" and v != getattr(defaults, k)]
    return "make bench" + (f" BENCH_ARGS='{' '.join(changed)}'" if changed else "")


def _floor_and_pipeline(corpus: corpora.Corpus, work: Path, passes: int, figures: Figures) -> None:
    """F and the pipeline in alternation, so that a slow moment of the machine hits both."""
    emls = corpus.emls
    floors, runs = [], []
    for number in range(1, passes + 1):
        os.sync()  # each pass starts with no earlier pass's writes still going to the disk
        print(f"pass {number}/{passes}: floor …", flush=True)
        floors.append(floor_pass(emls, work / "floor"))
        os.sync()
        print(f"pass {number}/{passes}: pipeline …", flush=True)
        runs.append(pipeline_pass(corpus.maildir, work / "pipeline"))
    figures.floor_ms = statistics.median(floors) / len(emls) * 1000
    median = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    figures.pipeline_ms = median.seconds / len(emls) * 1000
    figures.stages_ms = {k: v / len(emls) * 1000 for k, v in median.stages.items()}
    figures.verdicts, figures.parked = dict(median.verdicts), median.parked
    figures.expected_deficient = corpora.expected_deficient(corpus.count)


def _imap(corpus: corpora.Corpus, work: Path, figures: Figures, idle: tuple[int, int]) -> None:
    print("IMAP fetch from Dovecot …", flush=True)
    os.sync()
    figures.fetch = measure_fetch(corpus.emls, work / "imap-fetch")
    os.sync()
    disk = durable_writes(corpus.emls, work / "disk")
    figures.disk_per_second, figures.disk_cpu_ms = disk.per_second, disk.cpu_ms
    for size in idle:
        print(f"idle poll of {size} messages …", flush=True)
        os.sync()
        figures.polls.append(measure_idle_poll(size, work / f"imap-idle-{size}"))


def _rss(corpus: corpora.Corpus) -> dict:
    """The 60 MB mail alone, in a fresh process: its peak is not the corpus's."""
    result = subprocess.run([sys.executable, "-m", "bench.rss", str(corpus.big_maildir)],
                            check=True, capture_output=True, text=True, cwd=HERE.parent)
    return {**json.loads(result.stdout.splitlines()[-1]), "eml": corpus.big_eml.stat().st_size}


if __name__ == "__main__":
    sys.exit(main())
