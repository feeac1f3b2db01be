"""Console accounts: roles, usable names and passwords, argon2id, the login rate limit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.console import accounts
from pipeline.store.database import Database

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
PASSWORD = "a long passphrase"


@pytest.fixture
def db():
    database = Database(None)
    accounts.set_account(database, "alice", PASSWORD, "处理", NOW)
    yield database
    database.close()


def test_the_hash_is_argon2id_and_the_password_opens_it(db):
    (row,) = db.query("select role, hash from console_users")
    assert row["role"] == "handler" and row["hash"].startswith("$argon2id$")
    found, problem = accounts.authenticate(db, "alice", PASSWORD, "127.0.0.1", NOW)
    assert found == accounts.Account("alice", "handler") and found.may_act and problem == ""


@pytest.mark.parametrize("name, password, role", [("a b", PASSWORD, "viewer"),
                                                  ("x" * 65, PASSWORD, "viewer"),
                                                  ("carol", "short", "viewer"),
                                                  ("carol", PASSWORD, "admin")])
def test_an_unusable_name_password_or_role_is_refused(db, name, password, role):
    with pytest.raises(ValueError):
        accounts.set_account(db, name, password, role, NOW)


def test_five_failures_lock_the_name_for_the_window_and_then_no_longer(db):
    for n in range(accounts.LIMIT):
        assert accounts.authenticate(db, "alice", f"wrong {n}", "10.0.0.1", NOW)[0] is None
    found, problem = accounts.authenticate(db, "alice", PASSWORD, "10.0.0.2", NOW)
    assert found is None and "次数过多" in problem
    later = NOW + accounts.WINDOW + timedelta(seconds=1)
    assert accounts.authenticate(db, "alice", PASSWORD, "10.0.0.2", later)[0] is not None


def test_one_address_trying_many_names_is_stopped(db):
    for n in range(accounts.ADDRESS_LIMIT):
        accounts.authenticate(db, f"name{n}", "guess", "10.0.0.9", NOW)
    assert accounts.authenticate(db, "alice", PASSWORD, "10.0.0.9", NOW)[0] is None
    assert accounts.authenticate(db, "alice", PASSWORD, "10.0.0.8", NOW)[0] is not None


def test_a_removed_account_ends_its_sessions(db):
    from pipeline.store import accounts as store

    assert accounts.current(db, "alice") is not None
    assert store.remove_account(db, "alice")
    assert accounts.current(db, "alice") is None
