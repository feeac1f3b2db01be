"""The database: migrations, the ledger key, references and the outbox, on an in-memory DB."""
from __future__ import annotations

import pytest

from pipeline.store.database import Database


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
    assert database.query("select count(*) as n from _sqlite_migrations")[0]["n"] == 12
    assert database.query("pragma journal_mode")[0]["journal_mode"] == "wal"
    database.close()


def test_body_contact_findings_of_an_older_database_take_the_documented_keys(tmp_path):
    """Recorded as field "phone" before: after the upgrade the finding and its waiver say
    body_contact_phone, as the rule now does, so the waiver still matches."""
    import sqlite3

    from sqlite_utils import Database as Plain

    from pipeline.store.schema import migrations
    conn = sqlite3.connect(tmp_path / "old.db")
    older = Plain(conn)
    migrations.apply(older, stop_before="m009_body_contact_keys")
    older["findings"].insert({"rule": "body_contact_missing", "field": "phone", "severity": "error"})
    older["findings"].insert({"rule": "field_missing", "field": "phone", "severity": "error"})
    older["overrides"].insert({"submission_id": 1, "action": "waive", "rule": "body_contact_missing",
                               "field": "name", "note": "纸质件已核", "by": "秘书处", "at": "2023"})
    conn.commit()
    conn.close()
    database = Database(tmp_path / "old.db")
    fields = [(r["rule"], r["field"]) for r in database.query("select rule, field from findings")]
    waived = database.query("select field from overrides")[0]["field"]
    database.close()
    assert fields == [("body_contact_missing", "body_contact_phone"), ("field_missing", "phone")]
    assert waived == "body_contact_name"


def test_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    """`intake serve` starting while someone runs `intake list`: both open a database that is
    not there yet; the migrations run once, under the write lock, and neither fails."""
    import subprocess
    import sys

    opener = ("import sys; from pathlib import Path; from pipeline.store.database import Database; "
              "Database(Path(sys.argv[1])).close()")
    for attempt in range(30):
        path = tmp_path / f"new-{attempt}.db"
        children = [subprocess.Popen([sys.executable, "-c", opener, str(path)],
                                     stderr=subprocess.PIPE, text=True) for _ in range(4)]
        errors = [child.communicate(timeout=60)[1] for child in children]
        assert [child.returncode for child in children] == [0] * 4, errors
        database = Database(path)
        names = [r["name"] for r in database.query("select name from _sqlite_migrations")]
        database.close()
        assert len(names) == len(set(names)) == 12


def test_opening_waits_while_another_connection_holds_the_write_lock(tmp_path):
    """SQLite refuses the switch to WAL at once, without waiting, while another connection
    writes to a database still in its first journal mode; opening waits it out instead."""
    import sqlite3
    import threading

    path = tmp_path / "older.db"
    writer = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    writer.execute("create table notes (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("insert into notes values (1)")
    release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        database = Database(path)
    finally:
        release.join()
        writer.close()
    assert database.query("pragma journal_mode")[0]["journal_mode"] == "wal"
    assert database.query("select x from notes") == [{"x": 1}]
    database.close()


def test_a_polls_last_uid_question_is_answered_from_an_index(tmp_path):
    """Polling a folder asks for its highest uid: from the index, not a scan of the ledger."""
    database = Database(tmp_path / "x.db")
    plan = database.query(
        "explain query plan select max(cast(uid as integer)) from messages "
        "where source = ? and folder = ? and uidvalidity = ?", ["s", "INBOX", "1"])
    database.close()
    assert any("messages_last_uid" in row["detail"] for row in plan)


def test_a_transaction_inside_another_commits_and_rolls_back_with_it(db):
    """The fetcher records a group of ledger rows in one transaction; each row's own
    transaction is then a savepoint of it: the group commits, or nothing does."""
    with db.transaction():
        with db.transaction():
            db.next_reference("a", "A")
        with db.transaction():
            db.next_reference("a", "A")
    with pytest.raises(RuntimeError), db.transaction():
        with db.transaction():
            db.next_reference("a", "A")
        raise RuntimeError
    with db.transaction():
        assert db.next_reference("a", "A") == "A-0003"
