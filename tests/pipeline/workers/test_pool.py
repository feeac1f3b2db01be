"""The pool's message budget: what is not done in time is stopped, or never started."""
from __future__ import annotations

import time

from pipeline.workers.pool import OVER_BUDGET, Limits, Pool


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_message_budget_stops_the_running_and_skips_the_waiting_items():
    pool = Pool(Limits(wall_seconds=60, message_seconds=2), size=2)
    try:
        results = pool.submit(_nap, [0.1, 0.1, 30, 30, 30, 30], one_message=True).results()
        assert results[:2] == [0.1, 0.1]
        assert results[2:] == [OVER_BUDGET.format(2)] * 4
        assert "人工查看" in results[2]
    finally:
        pool.close()


def test_the_next_message_after_a_spent_budget_is_untouched():
    pool = Pool(Limits(wall_seconds=60, message_seconds=1), size=1)
    try:
        assert pool.submit(_nap, [30], one_message=True).results() == [OVER_BUDGET.format(1)]
        assert pool.submit(_nap, [0.1, 0.2], one_message=True).results() == [0.1, 0.2]
    finally:
        pool.close()


def test_without_a_budget_only_each_item_s_own_limit_applies():
    pool = Pool(Limits(wall_seconds=1), size=1)
    try:
        assert pool.map(_nap, [0.1, 30]) == [0.1, "文件解析超时（超过1秒）"]
    finally:
        pool.close()
