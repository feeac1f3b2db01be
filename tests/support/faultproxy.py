"""A TCP proxy for the network-fault tests: latency, resets, stalls and one-byte writes on loopback.

The pipeline is pointed at the proxy instead of the server. Each accepted connection takes the
fault in force when it arrives (so switching back to clean() spares later connections only):

    latency(0.05)                  each chunk, either way, is held back 50 ms
    reset_after(100_000)           100 000 bytes from the server get through, then both sides
                                   get a TCP RST (SO_LINGER 0), as from a broken middlebox
    stall()                        accepted, read, and never answered nor closed by the proxy
    stall(marker=b"\\r\\n.\\r\\n", direction=UP)   everything up to the final dot gets through,
                                   then the connection stalls: the server has the mail, the
                                   client never hears so
    slice()                        every byte is written on its own (TCP_NODELAY, one send each)
    cut()                          every open connection is reset at once

`after` counts bytes in `direction` from the end of the first `marker` (from the start when
the marker is empty); markers are only seen on plain-text connections. `first` and `count`
choose the connections (numbered from 1) a fault applies to: `stall(count=1)` stalls the next
connection only, so a reconnection finds the server again.
"""
from __future__ import annotations

import select
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest

HOST = "127.0.0.1"
UP, DOWN = "up", "down"  # client -> server, server -> client
CHUNK = 65536


@dataclass(frozen=True)
class Fault:
    """What the proxy does to the connections it applies to; see the module docstring."""

    kind: str = "clean"  # clean, latency, reset, stall, slice
    seconds: float = 0.0
    after: int = 0
    direction: str = DOWN
    marker: bytes = b""
    first: int = 1
    count: int | None = None

    def applies_to(self, number: int) -> bool:
        return number >= self.first and (self.count is None or number < self.first + self.count)


class _Link:
    """One client connection and its connection to the server, served by one thread."""

    def __init__(self, client: socket.socket, server: socket.socket, fault: Fault):
        self.client, self.server, self.fault = client, server, fault
        self.offset = {UP: 0, DOWN: 0}  # bytes seen so far each way
        self.armed_at: int | None = None if fault.marker else 0
        self.tail = b""  # the end of the faulted direction, to find a marker split over chunks
        self.stalled = self.cut = False

    def limit(self, data: bytes, start: int) -> int | None:
        """How many bytes of this chunk (at `start` in the faulted direction) pass before the
        fault trips, or None when it does not trip within the chunk."""
        if self.armed_at is None:
            window = self.tail + data
            marker = self.fault.marker
            found = window.find(marker)
            if found < 0:
                keep = len(marker) - 1  # a marker's start may be at the end of this chunk
                self.tail = window[-keep:] if keep else b""
                return None
            self.armed_at = start - len(self.tail) + found + len(marker)
        passing = self.armed_at + self.fault.after - start
        return passing if passing <= len(data) else None


class FaultProxy:
    """127.0.0.1:port -> upstream; start() and stop(), or a context manager."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.fault = Fault()
        self.connections = self.tripped = 0  # connections accepted; resets, stalls, cuts done
        self.received = {UP: 0, DOWN: 0}  # bytes read from the client and from the server
        self._listener = socket.create_server((HOST, 0))
        self.host, self.port = HOST, self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._links: set[_Link] = set()
        self._lock = threading.Lock()

    # Switching faults -------------------------------------------------------------------

    def clean(self) -> None:
        self.fault = Fault()

    def latency(self, seconds: float, **which: int | None) -> None:
        self.fault = Fault("latency", seconds=seconds, **which)

    def reset_after(self, nbytes: int, direction: str = DOWN, marker: bytes = b"",
                    **which: int | None) -> None:
        self.fault = Fault("reset", after=nbytes, direction=direction, marker=marker, **which)

    def stall(self, after: int = 0, direction: str = DOWN, marker: bytes = b"",
              **which: int | None) -> None:
        self.fault = Fault("stall", after=after, direction=direction, marker=marker, **which)

    def slice(self, **which: int | None) -> None:
        self.fault = Fault("slice", **which)

    def cut(self) -> None:
        """Reset every open connection now, both ways, whatever its fault."""
        with self._lock:
            for link in self._links:
                link.cut = True

    # Running ----------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        """Stop every thread and close every socket, the listener first."""
        self._stopping.set()
        if self._threads:  # the accepting thread first: no connection comes after it
            self._threads[0].join(timeout=5)
        for thread in self._threads[1:]:
            thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="faultproxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            if not select.select([self._listener], [], [], 0.05)[0]:
                continue
            client, _ = self._listener.accept()
            self.connections += 1
            fault = self.fault if self.fault.applies_to(self.connections) else Fault()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _abort(client)
                continue
            for sock in (client, server):
                sock.settimeout(5)  # a write to a side that stopped reading gives up
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._spawn(self._serve, _Link(client, server, fault))

    def _serve(self, link: _Link) -> None:
        """Copy both ways until either side closes, the fault resets it, or the proxy stops."""
        peers = {link.client: (link.server, UP), link.server: (link.client, DOWN)}
        with self._lock:
            self._links.add(link)
        try:
            while not self._stopping.is_set():
                if link.cut:
                    self._reset(link)
                    return
                reading = [link.client] if link.stalled else list(peers)
                for source in select.select(reading, [], [], 0.05)[0]:
                    target, direction = peers[source]
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    with self._lock:
                        self.received[direction] += len(data)
                    if not link.stalled and not self._forward(link, data, target, direction):
                        return
        except OSError:  # either side went away: nothing left to forward
            return
        finally:
            with self._lock:
                self._links.discard(link)
            for sock in (link.client, link.server):
                sock.close()

    def _forward(self, link: _Link, data: bytes, target: socket.socket, direction: str) -> bool:
        """Pass a chunk through the fault; False once the connection has been reset."""
        fault, start = link.fault, link.offset[direction]
        link.offset[direction] += len(data)
        passing = None
        if fault.kind in ("reset", "stall") and direction == fault.direction:
            passing = link.limit(data, start)
        if fault.kind == "latency":
            time.sleep(fault.seconds)
        _send(target, data if passing is None else data[:passing], fault.kind == "slice")
        if passing is None:
            return True
        if fault.kind == "stall":
            with self._lock:
                self.tripped += 1
            link.stalled = True
            return True
        return self._reset(link)

    def _reset(self, link: _Link) -> bool:
        with self._lock:
            self.tripped += 1
        for sock in (link.client, link.server):
            _abort(sock)
        return False


def _send(target: socket.socket, data: bytes, one_by_one: bool) -> None:
    if not one_by_one:
        target.sendall(data)
        return
    for index in range(len(data)):
        target.sendall(data[index:index + 1])


def _abort(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN: SO_LINGER on, with a zero timeout."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


@pytest.fixture
def fault_proxy() -> Iterator[Callable[[tuple[str, int]], FaultProxy]]:
    """Start proxies, `fault_proxy((host, port))`; each is stopped after the test, pass or fail."""
    made: list[FaultProxy] = []

    def make(upstream: tuple[str, int]) -> FaultProxy:
        proxy = FaultProxy(upstream)
        made.append(proxy)
        return proxy.start()

    try:
        yield make
    finally:
        for proxy in made:
            proxy.stop()

