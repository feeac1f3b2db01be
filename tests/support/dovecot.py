"""The Dovecot fixtures: a real Dovecot on loopback per test (the server itself is bench/dovecot.py)."""
from __future__ import annotations

import shutil

import pytest

from bench.dovecot import Dovecot, dovecot_folder, installed


def needs_dovecot() -> None:
    """Skip unless Dovecot's IMAP server is installed: `make test` installs it."""
    if not installed():
        pytest.skip("dovecot-imapd not installed (make test installs it)")


@pytest.fixture
def dovecot_factory():
    """Start Dovecots with options, `dovecot_factory(capabilities="IMAP4rev1 UIDPLUS")`;
    each is stopped and its folder removed after the test, pass or fail.

    Its log is printed at teardown, which pytest shows only when the test failed.
    """
    needs_dovecot()
    made: list[Dovecot] = []

    def make(**options) -> Dovecot:
        folder = dovecot_folder()
        try:
            server = Dovecot(folder, **options)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        made.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        for server in made:
            server.stop()
            print(f"--- the end of Dovecot's log\n{server.log_tail()}")
            shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_factory) -> Dovecot:
    """A started Dovecot with the defaults: a Junk folder marked \\Junk, all capabilities."""
    return dovecot_factory()
