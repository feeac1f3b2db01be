"""Converters' child processes: no password variable in their environment, no network."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from parsers import children

CONNECT = "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)"


def test_a_child_environment_holds_no_password_variable(monkeypatch):
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", "secret-1")
    monkeypatch.setenv("QQ_IMAP_AUTH_CODE", "secret-2")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    environment = children.child_environment()
    assert "secret-1" not in environment.values() and "secret-2" not in environment.values()
    assert environment["PATH"] == os.environ["PATH"] and environment["LC_ALL"] == "C.UTF-8"


@pytest.fixture
def server():
    with socket.create_server(("127.0.0.1", 0)) as listening:
        yield listening.getsockname()[1]


def test_an_offline_command_cannot_reach_even_our_loopback(server):
    """GIVEN a server on 127.0.0.1 WHEN a command connects to it, offline and not THEN only the
    command that is not offline reaches it."""
    if not children._namespace_prefix(os.getpid()):
        pytest.skip("this kernel gives no network namespace; the fallback is tested in "
                    "test_office.py and test_video.py")
    command = [sys.executable, "-c", CONNECT, str(server)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    offline = subprocess.run(children.offline(command), capture_output=True, text=True)
    assert offline.returncode != 0 and "Network is unreachable" in offline.stderr


def test_without_a_namespace_the_command_runs_as_it_is(monkeypatch):
    monkeypatch.setattr(children, "_namespace_prefix", lambda pid: ())
    assert children.offline(["ffprobe", "x"]) == ["ffprobe", "x"]
