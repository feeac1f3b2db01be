"""The child-process boundary: a parser that hangs, spins, eats memory or crashes costs one file."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from parsers.reading import Content, RawFile
from pipeline.workers import child as workerchild
from pipeline.workers import pool as workers
from pipeline.workers import reader as isolation
from pipeline.workers.reader import IsolatedReader, Limits

FAST = Limits(memory_mb=256, cpu_seconds=1, wall_seconds=3)
# The CPU limit must strike before the wall clock, even on a loaded machine.
SLOW_WALL = Limits(memory_mb=256, cpu_seconds=1, wall_seconds=20)


def _files(*names: str) -> list[RawFile]:
    return [RawFile(name, f"bytes of {name}".encode()) for name in names]


def _misbehave(job) -> Content:
    """A parser standing in for a hostile file: what it does depends on the file's name."""
    name = job.file.name
    if name == "hang":
        time.sleep(3600)
    if name == "spin":
        while True:
            pass
    if name == "eat":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if name == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if name == "raise":
        raise ValueError("a parser bug")
    if name == "grandchild":
        with open(f"/tmp/intake-grandchild-{os.getppid()}", "w") as out:
            out.write(str(subprocess.Popen(["sleep", "600"]).pid))
        time.sleep(3600)
    return Content()


@pytest.fixture
def hostile(monkeypatch):
    monkeypatch.setattr(isolation, "read_content", _misbehave)


def test_every_file_is_read_in_order():
    files = [RawFile("a.txt", b"plain text"), RawFile("b.bin", b"\x00\x01garbage")]
    result = IsolatedReader(FAST).read(files)
    assert [i.file.name for i in result] == ["a.txt", "b.bin"]
    assert [i.format for i in result] == ["text", "unknown"]
    assert all(i.content.error is None for i in result)


@pytest.mark.parametrize("name, reason, limits", [
    ("hang", "超时", FAST),
    ("spin", "CPU", SLOW_WALL),
    ("eat", "内存", FAST),
    ("crash", "崩溃", FAST),
    ("raise", "ValueError", FAST),
])
def test_a_misbehaving_parser_costs_one_file(hostile, name, reason, limits):
    """GIVEN a file whose parser misbehaves between two good ones
    WHEN the isolated reader reads the three
    THEN that file is unreadable with the reason and the others are read."""
    started = time.monotonic()
    result = IsolatedReader(limits).read(_files("before", name, "after"))
    assert [i.content.error is None for i in result] == [True, False, True]
    assert reason in result[1].content.error
    assert time.monotonic() - started < limits.wall_seconds + 5


def test_a_stalled_parser_takes_its_own_children_down(hostile):
    IsolatedReader(FAST).read(_files("grandchild"))
    marker = f"/tmp/intake-grandchild-{os.getpid()}"
    with open(marker) as handle:
        pid = int(handle.read())
    os.unlink(marker)
    time.sleep(0.2)
    assert _gone(pid)


def _gone(pid: int) -> bool:
    """Dead, or a zombie waiting for a container's init to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_the_parent_keeps_its_own_limits():
    """Limits are set in the child only: the worker itself can still grow."""
    import resource
    before = resource.getrlimit(resource.RLIMIT_AS)
    IsolatedReader(FAST).read(_files("x"))
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_workers_are_kept_and_share_out_the_files():
    """Two workers, forked once: the files of two messages go to both, in order."""
    pool = workers.Pool(FAST, size=2)
    try:
        first = pool.map(_pid_after, [0.2, 0.2])
        second = pool.map(_pid_after, [0.0, 0.0, 0.0])
    finally:
        pool.close()
    assert len(set(first)) == 2 and os.getpid() not in first
    assert set(second) <= set(first)


def test_a_cancelled_batch_stops_its_workers_and_the_next_one_is_served():
    pool = workers.Pool(FAST, size=1)
    try:
        slow = pool.submit(_pid_after, [30, 30])
        busy = next(iter(pool.busy))
        stopped_pid = busy.pid
        slow.cancel()
        assert not pool.queue and not pool.busy and _gone(stopped_pid)
        assert pool.map(_pid_after, [0.0]) != [stopped_pid]
    finally:
        pool.close()


def test_a_worker_that_ran_out_of_memory_is_replaced():
    """After MemoryError a worker's heap may be in poor shape: the next file gets a new one."""
    pool = workers.Pool(FAST, size=1)
    try:
        first = pool.map(_pid_after, [0.0])[0]
        assert pool.map(_eat, [1])[0] == workerchild.NO_MEMORY
        assert pool.map(_pid_after, [0.0])[0] != first
    finally:
        pool.close()


def _eat(_: int) -> None:
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def test_workers_are_gone_when_the_reader_closes():
    reader = IsolatedReader(FAST)
    reader.read(_files("a"))
    pids = [w.pid for w in reader.pool.workers if w.pid]
    reader.close()
    assert pids and all(_gone(pid) for pid in pids)


def test_an_idle_worker_leaves_and_its_next_file_is_read_by_a_new_one(monkeypatch):
    """A worker idle for IDLE_SECONDS exits; a file sent just as it left is read again."""
    monkeypatch.setattr(workerchild, "IDLE_SECONDS", 0.3)
    pool = workers.Pool(FAST, size=1)
    try:
        first = pool.map(_pid_after, [0.0])[0]
        time.sleep(0.8)  # the worker has left; the pool has not noticed yet
        assert _gone(first)
        again = pool.map(_pid_after, [0.0])[0]
    finally:
        pool.close()
    assert again != first
