"""Document parsers and archive expansion in a child process with memory, CPU and time limits.

A forked child works through the files of one message in turn and sends each result back as
soon as it has it. When the child dies or stalls, the file it was on becomes unreadable with
the reason, and a new child takes the rest: one hostile file costs one file, never the
submission.
"""
from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import struct
import time
from dataclasses import dataclass
from dataclasses import replace
from typing import Callable, Sequence, TypeVar

from parsers import sniff
from parsers.reading import (Content, Converter, Inspected, RawFile, expand_one, finish, plan,
                             read_content)
from parsers.types import Attachment

_HEADER = struct.Struct("!Q")
Item, Result = TypeVar("Item"), TypeVar("Result")


@dataclass(frozen=True)
class Limits:
    """Per document: extra memory over the worker's own size, CPU seconds, wall-clock seconds."""

    memory_mb: int = 512
    cpu_seconds: int = 60
    wall_seconds: float = 120.0


class IsolatedReader:
    """The Reader the pipeline uses: conversion in the parent, parsers in a limited child."""

    def __init__(self, limits: Limits = Limits(), converter: Converter | None = None):
        self.limits, self.converter = limits, converter

    def expand(self, attachments: Sequence[Attachment]) -> list[RawFile]:
        """Attachments, with archives opened in the child (their own limits bound the rest)."""
        files = [RawFile(a.name, a.data) for a in attachments]
        archive = [sniff.sniff(f.data) in sniff.ARCHIVE_FORMATS for f in files]
        archives = [f for f, is_archive in zip(files, archive) if is_archive]
        opened = iter(_isolated(archives, expand_one, self.limits))
        result: list[RawFile] = []
        for file, is_archive in zip(files, archive):
            found = next(opened) if is_archive else [file]
            result.extend(found if isinstance(found, list) else [replace(file, error=found)])
        return result

    def read(self, files: Sequence[RawFile]) -> list[Inspected]:
        jobs = plan(files, self.converter)
        contents = _isolated(jobs, read_content, self.limits)
        return [finish(job, c if isinstance(c, Content) else Content(error=c))
                for job, c in zip(jobs, contents)]


def _isolated(items: Sequence[Item], work: Callable[[Item], Result],
              limits: Limits) -> list[Result | str]:
    """work(item) for each item in limited children; a reason (str) where a child failed."""
    results: list[Result | str] = []
    while len(results) < len(items):
        results.extend(_child_runs(items[len(results):], work, limits))
    return results


def _child_runs(items: Sequence[Item], work: Callable[[Item], Result],
                limits: Limits) -> list[Result | str]:
    """Results for a prefix of `items`; the last is the reason when the child did not finish."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        _serve(items, work, writer, limits)
    os.close(writer)
    try:
        return _collect(pid, reader, len(items), limits)
    finally:
        os.close(reader)


def _serve(items: Sequence[Item], work: Callable[[Item], Result], writer: int,
           limits: Limits) -> None:
    """In the child: own process group, limits, then one framed result per item."""
    code = 0
    try:
        os.setsid()  # ffprobe and friends die with us when the parent kills the group
        faulthandler.disable()  # a parser's crash is reported by the parent, not dumped
        _limit_memory(limits.memory_mb)
        for item in items:
            _limit_cpu(limits.cpu_seconds)
            _send(writer, _guarded(work, item))
    except BaseException:  # the child must never fall back into the parent's code
        code = 70
    finally:
        os._exit(code)


def _guarded(work: Callable[[Item], Result], item: Item) -> Result | str:
    """The isolation boundary: whatever a parser raises is this file's reason, not a crash."""
    try:
        return work(item)
    except MemoryError:
        return "文件解析超过内存限制（文件可能异常或被构造为攻击）"
    except RecursionError:
        return "文件结构嵌套过深，无法解析"
    except Exception as error:  # a parser bug on strange bytes: one file's finding, not a park
        return f"文件无法解析：{type(error).__name__}"


def _limit_memory(extra_mb: int) -> None:
    """Address space: what the forked worker already maps, plus the budget for one document."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: int) -> None:
    """A fresh CPU budget for the next document: SIGXCPU ends the child when it is spent."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = spent + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else
                                             min(soft, hard), hard))


def _send(writer: int, result: object) -> None:
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(writer, view):]


def _collect(pid: int, reader: int, count: int, limits: Limits) -> list[object]:
    results: list[object] = []
    buffer = bytearray()
    deadline = time.monotonic() + limits.wall_seconds
    while len(results) < count:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([reader], [], [], wait)[0]:
            _kill(pid)
            results.append(f"文件解析超时（超过{limits.wall_seconds:.0f}秒）")
            return results
        chunk = os.read(reader, 1 << 20)
        if not chunk:
            results.append(_death(pid))
            return results
        buffer += chunk
        for result in _frames(buffer):
            results.append(result)
            deadline = time.monotonic() + limits.wall_seconds
    os.waitpid(pid, 0)
    return results


def _frames(buffer: bytearray) -> list[object]:
    """Complete frames at the head of the buffer, removed from it."""
    found = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        found.append(pickle.loads(bytes(buffer[_HEADER.size:_HEADER.size + size])))
        del buffer[:_HEADER.size + size]
    return found


def _kill(pid: int) -> None:
    """The child and its group (a child killed before its setsid() has no group yet)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.waitpid(pid, 0)


_SIGNAL_REASONS = {
    signal.SIGXCPU: "文件解析超过CPU时间限制",
    signal.SIGKILL: "文件解析进程被终止（可能超过内存限制）",
    signal.SIGSEGV: "文件解析进程崩溃",
}


def _death(pid: int) -> str:
    """Why the child ended without sending every result."""
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return _SIGNAL_REASONS.get(number, f"文件解析进程异常退出（信号{number}）")
    return f"文件解析进程异常退出（退出码{os.WEXITSTATUS(status)}）"
