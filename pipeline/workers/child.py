"""Inside a parser worker: limits for each file, one answer per request, never a crash.

The worker is a fork of the pipeline (pipeline/workers/pool.py). It closes what it inherited, takes
requests (a function and an item) one at a time, sets a fresh memory and CPU budget for each,
and answers with (result, retire, seconds). Whatever a parser raises becomes the file's reason.
"""
from __future__ import annotations

import ctypes
import faulthandler
import os
import resource
import select
import time
from typing import Callable, TypeVar

from parsers.children import child_environment
from pipeline.workers.frames import PIPE_BYTES, read_frames, write_frame

Item, Result = TypeVar("Item"), TypeVar("Result")
# A worker waiting this long for a file leaves, with this exit code; the next file gets a new one.
IDLE_SECONDS = 30.0
IDLE_EXIT = 75
_IDLE = object()
NO_MEMORY = "文件解析超过内存限制（文件可能异常或被构造为攻击）"
TOO_DEEP = "文件结构嵌套过深，无法解析"


def serve(requests: int, results: int, memory_mb: int, cpu_seconds: int) -> None:
    """In the child: own process group, only its own pipes open, one answer per request."""
    code = 0
    try:
        os.setsid()  # ffprobe and friends die with us when the parent kills the group
        faulthandler.disable()  # a parser's crash is reported by the parent, not dumped
        _keep_only(requests, results)
        isolate()
        buffer = bytearray()
        while (request := _read_frame(requests, buffer)) not in (None, _IDLE):
            work, item = request
            _limit_memory(memory_mb)
            _limit_cpu(cpu_seconds)
            started = time.perf_counter()
            result = _guarded(work, item)
            retire = isinstance(result, str) and _retire(result)
            write_frame(results, (result, retire, time.perf_counter() - started))
            del request, item, result
        code = IDLE_EXIT if request is _IDLE else 0
    except BaseException:  # the child must never fall back into the parent's code
        code = 70
    finally:
        os._exit(code)


def _keep_only(*keep: int) -> None:
    """Close what the parent had open (its database, its mailbox connection, other workers'
    pipes): a long-lived worker must not hold them after the parent has let them go."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def isolate() -> None:
    """Leave the parent's environment and network: a parser (or the LibreOffice and ffprobe it
    starts) sees no password variable and can reach no host, not even our own loopback."""
    kept = child_environment()
    os.environ.clear()
    os.environ.update(kept)
    _leave_network()


# From <sched.h>; Python 3.12 has os.unshare, 3.11 only the C library's.
_CLONE_NEWNET, _CLONE_NEWUSER = 0x40000000, 0x10000000


def _leave_network() -> bool:
    """A network namespace of our own: as root directly, else inside a user namespace that maps
    our uid and gid to themselves (a single-threaded process may make one). False where the
    kernel allows neither; the converters then keep off the network by their own settings."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    for name, line in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as file:
            file.write(line)
    return True


def _retire(reason: str) -> bool:
    """After running out of memory or stack a worker may be in a poor state: replace it."""
    return reason in (NO_MEMORY, TOO_DEEP)


def _read_frame(fd: int, buffer: bytearray) -> object | None:
    """The next request; None when the parent has closed the pipe, _IDLE when none came for
    IDLE_SECONDS (a worker does not outlive its use: `intake serve` sleeps between polls)."""
    while True:
        frames = read_frames(buffer, limit=1)
        if frames:
            return frames[0]
        if not buffer and not select.select([fd], [], [], IDLE_SECONDS)[0]:
            return _IDLE
        chunk = os.read(fd, PIPE_BYTES)
        if not chunk:
            return None
        buffer += chunk


def _guarded(work: Callable[[Item], Result], item: Item) -> Result | str:
    """The isolation boundary: whatever a parser raises is this file's reason, not a crash."""
    try:
        return work(item)
    except MemoryError:
        return NO_MEMORY
    except RecursionError:
        return TOO_DEEP
    except Exception as error:  # a parser bug on strange bytes: one file's finding, not a park
        return f"文件无法解析：{type(error).__name__}"


def _limit_memory(extra_mb: int) -> None:
    """Address space: what the worker maps now (the file included), plus one document's budget.

    Only the soft limit is set, so that the next file can have its own; parsers do not raise it.
    """
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    limit = mapped + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else
                                            min(limit, hard), hard))


def _limit_cpu(seconds: int) -> None:
    """A fresh CPU budget for the next document: SIGXCPU ends the child when it is spent."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = spent + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else
                                             min(soft, hard), hard))
