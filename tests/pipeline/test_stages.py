"""Stage timing: each stage's own time, nested ones subtracted; nothing kept unless recording."""
from __future__ import annotations

import time

from pipeline import stages


def test_a_stage_counts_its_own_time_without_the_stages_inside_it():
    with stages.recording() as spent:
        with stages.stage("outer"):
            time.sleep(0.05)
            with stages.stage("inner"):
                time.sleep(0.1)
        stages.add("worker", 1.5)
    assert spent["inner"] >= 0.1
    assert 0.05 <= spent["outer"] < 0.145  # the 0.1 s inside is the inner stage's
    assert spent["worker"] == 1.5


def test_nothing_is_kept_outside_recording():
    with stages.stage("alone"):
        stages.add("worker", 1.0)
    with stages.recording() as spent:
        pass
    assert spent == {}
