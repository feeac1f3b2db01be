"""Where a run's time goes, stage by stage, when someone is measuring it (`make bench`).

Stages nest: a stage's figure is its own time, without the stages inside it, so the figures
of a run add up to its wall-clock time. The parser workers' time is added from their reports:
it runs beside the main process, not inside it. Nothing is kept unless `recording()` is on.
"""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator

_totals: dict[str, float] | None = None
# The time spent in stages nested in each open stage, innermost last.
_inner: list[float] = []


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Seconds per stage for what runs inside; the dict fills as the stages end."""
    global _totals
    saved, _totals = _totals, defaultdict(float)
    try:
        yield _totals
    finally:
        _totals = saved


@contextmanager
def stage(name: str) -> Iterator[None]:
    if _totals is None:
        yield
        return
    started = time.perf_counter()
    _inner.append(0.0)
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        nested = _inner.pop()
        if _totals is not None:
            _totals[name] += elapsed - nested
        if _inner:
            _inner[-1] += elapsed


def add(name: str, seconds: float) -> None:
    """Time spent elsewhere (a parser worker), reported afterwards."""
    if _totals is not None:
        _totals[name] += seconds
