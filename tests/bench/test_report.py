"""RESULTS.md explains a missed target from the run's own figures."""
from __future__ import annotations

from bench.imapbench import FetchFigures, PollFigures
from bench.officebench import ConversionFigures
from bench.report import Figures, render

MACHINE = {"CPU": "test CPU"}


def figures(fetch_seconds: float = 1.0, large_poll_ms: float = 12.0) -> Figures:
    """200 mails whose figures meet every target, except the ones given."""
    found = Figures(count=200, mail_bytes=5e6, build_seconds=40, floor_ms=70, pipeline_ms=65,
                    verdicts={"complete": 175, "deficient": 25}, expected_deficient=25,
                    disk_per_second=240, disk_cpu_ms=4.5, cores=2, total_seconds=240)
    found.fetch = FetchFigures(messages=200, megabytes=950, seconds=fetch_seconds,
                               transfer_seconds=0.9, server_cpu_ms=5.0, client_cpu_ms=8.0)
    found.polls = [PollFigures(10_000, large_poll_ms, 0.12), PollFigures(1_000, 11.0, 0.08)]
    found.conversion = ConversionFigures(single_seconds=0.8, batch_seconds=0.07, documents=20,
                                         failures=0)
    found.rss = {"eml": 85e6, "before": 60e6, "peak": 250e6, "worker_peak": 260e6}
    return found


def test_a_run_that_meets_every_target_has_no_gap_section():
    assert "## Targets not met" not in render(figures(), MACHINE, "make bench")


def test_a_slow_fetch_is_explained_by_the_cpu_both_sides_spent():
    text = render(figures(fetch_seconds=1.75), MACHINE, "make bench")
    gap = text.split("## Targets not met", 1)[1]
    assert "| IMAP fetch | ≥ 150 messages/s | 114 messages/s (543 MB/s) | **no** |" in text
    # 2 cores over 8 + 5 ms of CPU per mail: at most 154 a second; 114 is 74 % of it.
    assert "The fetch spends 8.0 ms per mail" in gap
    assert "of which the durable write alone took 4.5 ms" in gap
    assert "at most 154 messages/s" in gap and "reaches 74% of it" in gap
    assert "it alone allows at most 200 messages/s" in gap


def test_a_slow_poll_is_explained_by_what_is_not_the_search():
    text = render(figures(large_poll_ms=20.2), MACHINE, "make bench")
    gap = text.split("## Targets not met", 1)[1]
    assert "| idle poll of 10,000 messages | ≤ 15 ms | 20.2 ms | **no** |" in text
    assert "| idle poll 10,000 ÷ 1,000 | ≤ 1.2 | 1.84 | **no** |" in text
    assert "takes 0.12 ms at 10,000 messages and 0.08 ms at 1,000" in gap
    assert "(20.1 and 10.9 ms) is connecting, logging in" in gap
    assert "see its section above" not in gap  # one explanation for both poll targets
