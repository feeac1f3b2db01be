"""The database: migrations, the ledger key, references and the outbox, on an in-memory DB."""
from __future__ import annotations

import pytest

from pipeline.db import Database


@pytest.fixture
def db():
    database = Database(None)
    yield database
    database.close()


def ledger(uid: str, sha: str = "s1") -> dict:
    return {"source": "demo", "folder": "INBOX", "uidvalidity": "v", "uid": uid, "sha256": sha,
            "raw_path": "/x"}


def test_the_ledger_key_is_unique(db):
    first = db.record_fetched(ledger("1"))
    assert db.record_fetched(ledger("1")) == first
    assert db.known_uids("demo", "INBOX", "v") == {"1"}
    assert [row.id for row in db.pending()] == [first]


def test_attempts_are_counted_before_the_work(db):
    row = db.record_fetched(ledger("1"))
    assert db.begin_attempt(row) == 1
    assert db.begin_attempt(row) == 2
    db.set_error(row, "boom", park=True)
    assert db.pending() == []


def test_references_count_per_campaign(db):
    with db.transaction():
        assert db.next_reference("a", "A-2024") == "A-2024-0001"
        assert db.next_reference("a", "A-2024") == "A-2024-0002"
        assert db.next_reference("b", "B") == "B-0001"


def test_a_failed_transaction_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.transaction():
        db.next_reference("a", "A")
        raise RuntimeError
    with db.transaction():
        assert db.next_reference("a", "A") == "A-0001"


def test_the_migrations_are_idempotent(tmp_path):
    Database(tmp_path / "x.db").close()
    database = Database(tmp_path / "x.db")
    assert database.query("select count(*) as n from _sqlite_migrations")[0]["n"] == 7
    assert database.query("pragma journal_mode")[0]["journal_mode"] == "wal"
    database.close()
