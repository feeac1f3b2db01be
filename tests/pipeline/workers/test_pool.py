"""The pool's message budget: what is not done in time is stopped, or never started."""
from __future__ import annotations

import os
import socket
import time

from parsers import children
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


def _surroundings(port: int) -> tuple[dict[str, str], str, int]:
    """What a parser in a worker sees: its environment, its network namespace, a connection."""
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
        reached = 1
    except OSError:
        reached = 0
    return dict(os.environ), os.readlink("/proc/self/ns/net"), reached


def test_a_worker_sees_no_password_variable_and_no_network(monkeypatch):
    """GIVEN the IMAP and SMTP passwords in our environment and a server on our loopback WHEN a
    parser runs in a worker THEN its environment holds neither password and (where the kernel
    gives a network namespace) it is in a network of its own, reaching nothing."""
    monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", "smtp-secret-4711")
    monkeypatch.setenv("INTAKE_TEST_IMAP_CODE", "imap-secret-4711")
    with socket.create_server(("127.0.0.1", 0)) as server:
        pool = Pool(Limits(wall_seconds=30), size=1)
        try:
            port = server.getsockname()[1]
            environment, network, reached = pool.map(_surroundings, [port])[0]
        finally:
            pool.close()
    assert not [v for v in environment.values() if "secret-4711" in v]
    assert environment["PATH"] == os.environ["PATH"]
    if children._namespace_prefix(os.getpid()):
        assert network != os.readlink("/proc/self/ns/net") and reached == 0
