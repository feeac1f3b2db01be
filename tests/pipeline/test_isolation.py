"""The child-process boundary: a parser that hangs, spins, eats memory or crashes costs one file."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from parsers.reading import Content, RawFile
from pipeline import isolation
from pipeline.isolation import IsolatedReader, Limits

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
