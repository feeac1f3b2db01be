"""Parser worker processes with limits, forked on first use, kept, and shared out.

A few forked workers (two by default: one per core of the machines this runs on) are kept
for a whole run. Each takes one file at a time, sets fresh limits for it (pipeline/
workerchild.py), and sends the result back; the files of a message are shared out among them,
and the results come back in order. When a worker dies or stalls, the file it was on becomes
unreadable with the reason, and a new worker takes its place: one hostile file costs one file,
never the submission. Keeping workers matters: a fresh child per message starts with cold
caches (PDF character maps, image plugins) and costs more than the parsing it protects.
"""
from __future__ import annotations

import fcntl
import os
import select
import signal
import time
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

from pipeline import stages
from pipeline.workers.child import IDLE_EXIT, serve
from pipeline.workers.frames import PIPE_BYTES, read_frames, write_frame

Item, Result = TypeVar("Item"), TypeVar("Result")
# A worker is replaced after this many files, so that what parsers leave behind cannot pile up.
RETIRE_AFTER = 500


@dataclass(frozen=True)
class Limits:
    """Per document: extra memory over the worker's own size, CPU seconds, wall-clock seconds;
    per message: wall-clock seconds for all its documents together (CPU is then at most this
    times the number of workers)."""

    memory_mb: int = 512
    cpu_seconds: int = 60
    wall_seconds: float = 120.0
    message_seconds: float = 120.0


# What a file not read within its message's budget is recorded with.
OVER_BUDGET = "此邮件的附件解析总用时超过每封邮件{:.0f}秒的上限，本文件未读完，请秘书处人工查看"


class Pool:
    """Workers forked on first use and kept. Items wait in one queue, in the order they were
    submitted, and each goes to the first free worker; each batch keeps its items' order."""

    def __init__(self, limits: Limits, size: int = 2):
        self.limits = limits
        self.workers = [Worker(limits) for _ in range(max(1, size))]
        self.queue: deque[tuple[Batch, int]] = deque()
        self.busy: dict[Worker, tuple[Batch, int]] = {}
        # Workers are ended with the pool, or when the process exits.
        self._finalizer = weakref.finalize(self, _stop_all, self.workers)

    def start(self) -> None:
        """Fork every worker now: before the caller starts a thread of its own, since a fork
        while another thread runs copies that thread's locks but not the thread."""
        for worker in self.workers:
            if not worker.pid:
                worker.start()

    def submit(self, work: Callable[[Item], Result], items: Sequence[Item],
               label: Callable[[Item], str] = lambda _: "worker",
               one_message: bool = False) -> Batch:
        """work(item) for each item in a worker; each item's time in its worker is added to
        the stage `label(item)` (pipeline/stages.py). Items of `one_message` share its budget
        (Limits.message_seconds from now): those not done by then are stopped or never
        started, and answered with OVER_BUDGET."""
        deadline = time.monotonic() + self.limits.message_seconds if one_message else None
        batch = Batch(self, work, items, label, deadline)
        self.queue.extend((batch, index) for index in range(len(items)))
        self._dispatch()
        return batch

    def map(self, work: Callable[[Item], Result], items: Sequence[Item],
            label: Callable[[Item], str] = lambda _: "worker") -> list[Result | str]:
        """work(item) for each item; a reason (str) where the worker failed."""
        return self.submit(work, items, label).results()

    def step(self) -> None:
        """Wait for the next answers, keep them in their batches, give out more work."""
        for worker, (result, seconds) in _answers(list(self.busy)):
            batch, index = self.busy.pop(worker)
            if result is LEFT:  # it left, idle, as the item was sent: the item never started
                self.queue.appendleft((batch, index))
            else:
                batch.answer(index, result, seconds)
        self._dispatch()

    def cancel(self, batch: Batch) -> None:
        """Forget a batch: its waiting items are dropped, the workers busy with it stopped."""
        self.queue = deque(entry for entry in self.queue if entry[0] is not batch)
        for worker, (owner, _) in list(self.busy.items()):
            if owner is batch:
                worker.stop()
                del self.busy[worker]
        self._dispatch()

    def _dispatch(self) -> None:
        for worker in self.workers:
            while self.queue and worker not in self.busy:
                batch, index = self.queue.popleft()
                if batch.spent():  # its message's budget ran out while it waited
                    batch.answer(index, batch.over_budget(), 0.0)
                    continue
                worker.send(batch.work, batch.items[index], batch.deadline)
                self.busy[worker] = (batch, index)

    def close(self) -> None:
        self.queue.clear()
        self.busy.clear()
        self._finalizer()


class Batch:
    """One submission's items and, as they come, their results."""

    def __init__(self, pool: Pool, work: Callable, items: Sequence, label: Callable[..., str],
                 deadline: float | None = None):
        self.pool, self.work, self.items, self.label = pool, work, items, label
        self.deadline = deadline
        self.answers: list[object] = [None] * len(items)
        self.missing = len(items)

    def spent(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def over_budget(self) -> str:
        return OVER_BUDGET.format(self.pool.limits.message_seconds)

    def answer(self, index: int, result: object, seconds: float) -> None:
        self.answers[index] = result
        self.missing -= 1
        stages.add(self.label(self.items[index]), seconds)

    def results(self) -> list:
        while self.missing:
            self.pool.step()
        return self.answers

    def cancel(self) -> None:
        self.pool.cancel(self)


def _stop_all(workers: list[Worker]) -> None:
    for worker in workers:
        worker.stop()


def _answers(busy: list[Worker]) -> list[tuple[Worker, object]]:
    """Wait for the first worker(s) to answer or to run out of time."""
    deadline = min(w.deadline for w in busy)
    wait = max(0.0, deadline - time.monotonic())
    ready, _, _ = select.select([w.results for w in busy], [], [], wait)
    answered = [(w, w.receive()) for w in busy if w.results in ready]
    found = [(w, r) for w, r in answered if r is not _PARTIAL]
    late = [w for w in busy if w.deadline <= time.monotonic() and w.results not in ready]
    return found + [(w, (w.time_out(), time.monotonic() - w.sent_at)) for w in late]


_PARTIAL = object()


class Worker:
    """One forked child serving one item at a time over two pipes, until stopped."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.pid = 0
        self.requests = self.results = -1
        self.served = 0
        self.sent_at = self.deadline = 0.0
        # True while the item's message budget, not its own time limit, ends it first.
        self.budgeted = False
        self.buffer = bytearray()

    def send(self, work: Callable[[Item], Result], item: Item,
             budget_end: float | None = None) -> None:
        if self.pid and self.served >= RETIRE_AFTER:
            self.stop()
        if not self.pid:
            self.start()
        self.served += 1
        self.sent_at = time.monotonic()
        own_end = self.sent_at + self.limits.wall_seconds
        self.budgeted = budget_end is not None and budget_end < own_end
        self.deadline = budget_end if self.budgeted else own_end
        try:
            write_frame(self.requests, (work, item))
        except BrokenPipeError:  # killed while idle (the OOM killer): a new worker takes it
            self.stop()
            self.send(work, item, budget_end)

    def receive(self) -> object:
        """(answer, seconds) once all of it has arrived, else _PARTIAL; the answer is a reason
        when the child died."""
        chunk = os.read(self.results, PIPE_BYTES)
        if not chunk:
            reason = _death(self.pid)
            self._forget()
            return (LEFT if reason == _LEFT_IDLE else reason), time.monotonic() - self.sent_at
        self.buffer += chunk
        frames = read_frames(self.buffer)
        if not frames:
            return _PARTIAL
        result, retire, seconds = frames[0]
        if retire:
            self.stop()
        return result, seconds

    def time_out(self) -> str:
        self.stop()
        if self.budgeted:
            return OVER_BUDGET.format(self.limits.message_seconds)
        return f"文件解析超时（超过{self.limits.wall_seconds:.0f}秒）"

    def stop(self) -> None:
        """Kill the child and its process group, and reap it."""
        if self.pid:
            _kill(self.pid)
        self._forget()

    def _forget(self) -> None:
        for fd in (self.requests, self.results):
            if fd >= 0:
                os.close(fd)
        self.pid, self.requests, self.results, self.served = 0, -1, -1, 0
        self.buffer = bytearray()

    def start(self) -> None:
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        for fd in (down_write, up_write):
            _widen(fd)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            serve(down_read, up_write, self.limits.memory_mb, self.limits.cpu_seconds)
        os.close(down_read)
        os.close(up_write)
        self.pid, self.requests, self.results = pid, down_write, up_read


def _widen(fd: int) -> None:
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # over /proc/sys/fs/pipe-max-size: the default size works, more slowly
        pass


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
    # C libraries (PDFium among them) abort instead of failing an allocation under the limit.
    signal.SIGABRT: "文件解析进程中止（可能超过内存限制）",
}


LEFT = object()
_LEFT_IDLE = "left while idle"


def _death(pid: int) -> str:
    """Why the child ended before answering."""
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == IDLE_EXIT:
        return _LEFT_IDLE
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return _SIGNAL_REASONS.get(number, f"文件解析进程异常退出（信号{number}）")
    return f"文件解析进程异常退出（退出码{os.WEXITSTATUS(status)}）"
