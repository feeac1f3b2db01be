"""The test proxy against an echo server: each fault does what it says, stop() leaves nothing."""
from __future__ import annotations

import socket
import socketserver
import threading
import time

import pytest

from tests.support.faultproxy import UP, FaultProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        try:
            while data := self.request.recv(65536):
                self.server.reads.append(data)  # type: ignore[attr-defined]
                self.request.sendall(data)
        except ConnectionResetError:  # what the reset tests do to it
            pass


@pytest.fixture
def echo():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.reads = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(echo):
    with FaultProxy(echo.server_address) as proxy:
        yield proxy


def talk(proxy: FaultProxy, data: bytes, timeout: float = 2.0) -> bytes:
    with socket.create_connection((proxy.host, proxy.port), timeout=timeout) as sock:
        sock.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_a_clean_proxy_passes_everything_and_counts_it(proxy):
    assert talk(proxy, b"hello") == b"hello"
    assert (proxy.connections, proxy.received, proxy.tripped) == (1, {"up": 5, "down": 5}, 0)


def test_latency_holds_back_each_chunk(proxy):
    proxy.latency(0.2)
    started = time.monotonic()
    assert talk(proxy, b"hello") == b"hello"
    assert time.monotonic() - started >= 0.4  # once on the way up, once down


def test_a_reset_lets_the_first_bytes_through_then_sends_rst(proxy, echo):
    proxy.reset_after(10, direction=UP)
    with pytest.raises(ConnectionResetError):
        talk(proxy, b"x" * 100)
    assert proxy.tripped == 1 and len(b"".join(echo.reads)) <= 10


def test_a_stall_never_answers_and_never_closes_until_switched_back(proxy):
    proxy.stall()
    with pytest.raises(TimeoutError):
        talk(proxy, b"hello", timeout=0.3)
    proxy.clean()
    assert talk(proxy, b"again") == b"again"


def test_a_stall_after_a_marker_lets_the_marker_through(proxy, echo):
    proxy.stall(direction=UP, marker=b"\r\n.\r\n")
    with pytest.raises(TimeoutError):
        talk(proxy, b"DATA\r\nbody\r\n.\r\nQUIT\r\n", timeout=0.3)
    assert b"".join(echo.reads) == b"DATA\r\nbody\r\n.\r\n"


def test_a_marker_split_over_two_writes_is_found(proxy, echo):
    proxy.reset_after(0, direction=UP, marker=b"END")
    with socket.create_connection((proxy.host, proxy.port), timeout=2) as sock:
        sock.sendall(b"abcE")
        assert sock.recv(10) == b"abcE"
        sock.sendall(b"NDxyz")
        with pytest.raises(ConnectionResetError):
            sock.recv(10)
    # Bytes sent just before a RST may be discarded unread by the receiver: never more passed.
    assert b"abcEND".startswith(b"".join(echo.reads)) and proxy.tripped == 1


def test_slicing_writes_every_byte_on_its_own(proxy, echo):
    proxy.slice()
    data = bytes(range(256)) * 4
    assert talk(proxy, data) == data
    assert len(echo.reads) > 1


def test_count_limits_a_fault_to_the_next_connections(proxy):
    proxy.stall(count=1)
    with pytest.raises(TimeoutError):
        talk(proxy, b"first", timeout=0.3)
    assert talk(proxy, b"second") == b"second" and proxy.connections == 2


def test_cut_resets_the_open_connections_and_spares_later_ones(proxy):
    with socket.create_connection((proxy.host, proxy.port), timeout=2) as sock:
        sock.sendall(b"hello")
        assert sock.recv(10) == b"hello"
        proxy.cut()
        with pytest.raises(ConnectionResetError):
            sock.recv(10)
    assert talk(proxy, b"again") == b"again" and proxy.tripped == 1


def test_stop_ends_every_thread_and_closes_the_port(echo):
    proxy = FaultProxy(echo.server_address).start()
    proxy.stall()
    stalled = socket.create_connection((proxy.host, proxy.port))
    stalled.sendall(b"hello")
    time.sleep(0.1)
    proxy.stop()
    assert not any(t.name == "faultproxy" and t.is_alive() for t in threading.enumerate())
    assert stalled.recv(10) == b""  # closed by the stop, not left hanging
    stalled.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((proxy.host, proxy.port), timeout=1)
