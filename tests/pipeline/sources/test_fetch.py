"""Fetching into the ledger: first contact, UIDVALIDITY changes and the size limit, on a fake source."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest

from pipeline.config.sources import parse_source
from pipeline.sources.base import Incoming, Ledger
from pipeline.sources.fetch import Fetcher
from pipeline.store.database import Database
from pipeline.store.raw import RawStore

NOW = datetime(2024, 4, 8, 1, 0, tzinfo=timezone.utc)


def mail(n: int, message_id: str | None = None) -> bytes:
    return (f"Message-ID: <{message_id or n}@example.com>\r\nFrom: a{n}@example.com\r\n"
            f"Subject: mail {n}\r\n\r\nbody {n}\r\n").encode()


class FakeFolder:
    """A folder of (uid, bytes), with a UIDVALIDITY a test can change, as IMAP numbers them."""

    def __init__(self, uidvalidity: str = "1"):
        self.uidvalidity, self.mail = uidvalidity, {}

    def reset(self, uidvalidity: str, mails: list[bytes]) -> None:
        self.uidvalidity, self.mail = uidvalidity, {i: m for i, m in enumerate(mails, 1)}


class FakeSource:
    def __init__(self, folder: FakeFolder, limit: int = 10**9):
        self.name, self.box, self.limit = "box", folder, limit

    def sure_folders(self) -> list[str]:
        return []

    def folders(self) -> tuple[list[str], list[str]]:
        return ["INBOX"], []

    def open_folder(self, folder: str) -> str:
        return self.box.uidvalidity

    def newest(self, folder: str) -> str:
        return str(max(self.box.mail)) if self.box.mail else ""

    def is_at_or_before(self, uid: str, boundary: str) -> bool:
        return bool(boundary) and int(uid) <= int(boundary)

    def incoming(self, folder: str, uidvalidity: str, ledger: Ledger) -> Iterator[Incoming]:
        last = ledger.last_uid(folder, uidvalidity)
        for uid in sorted(u for u in self.box.mail if u > last):
            data = self.box.mail[uid]
            whole = len(data) <= self.limit
            yield Incoming(folder, uidvalidity, str(uid), data if whole else data[:40], len(data), whole)

    def close(self) -> None:
        pass


@pytest.fixture
def db():
    database = Database(None)
    yield database
    database.close()


def fetch(db: Database, source: FakeSource, tmp_path, backlog: str = "record") -> None:
    config = parse_source({"name": "box", "type": "imap", "host": "127.0.0.1", "tls": "none",
                           "user": "u@example.org", "password_env": "X", "backlog": backlog,
                           "max_size_mb": 1}, tmp_path)
    Fetcher(config, source, db, RawStore(tmp_path / "raw"), lambda: NOW).run()


def rows(db: Database) -> list[tuple]:
    return [(r["uidvalidity"], r["uid"], r["status"], r["backlog"], r["verdict"]) for r in
            db.query("select * from messages order by id")]


def test_mail_waiting_at_first_contact_is_backlog_and_later_mail_is_not(db, tmp_path):
    folder = FakeFolder()
    folder.mail = {1: mail(1), 2: mail(2)}
    fetch(db, FakeSource(folder), tmp_path)
    folder.mail[3] = mail(3)
    fetch(db, FakeSource(folder), tmp_path)
    assert [(uid, backlog) for _, uid, _, backlog, _ in rows(db)] == [("1", 1), ("2", 1), ("3", 0)]


def test_backlog_reply_answers_the_waiting_mail(db, tmp_path):
    folder = FakeFolder()
    folder.mail = {1: mail(1)}
    fetch(db, FakeSource(folder), tmp_path, backlog="reply")
    assert rows(db)[0][3] == 0


def test_a_second_fetch_finds_nothing(db, tmp_path):
    folder = FakeFolder()
    folder.mail = {1: mail(1)}
    fetch(db, FakeSource(folder), tmp_path)
    fetch(db, FakeSource(folder), tmp_path)
    assert len(rows(db)) == 1


def test_a_new_uidvalidity_recognises_processed_mail_and_takes_new_mail(db, tmp_path):
    """GIVEN two processed mails WHEN the folder is rebuilt with them, a rewritten copy of one
    and a new mail THEN the same bytes relocate, the same Message-ID is a duplicate, the new one
    is fetched, and one warning is recorded."""
    folder = FakeFolder("1")
    fetch(db, FakeSource(folder), tmp_path)  # first contact with an empty folder
    folder.mail = {1: mail(1), 2: mail(2)}
    fetch(db, FakeSource(folder), tmp_path)
    db.db.execute("update messages set status = 'done', verdict = 'complete'")
    rewritten = b"X-Migrated: yes\r\n" + mail(2)
    folder.reset("7", [mail(1), rewritten, mail(9)])
    fetch(db, FakeSource(folder), tmp_path)
    assert rows(db) == [("7", "1", "done", 0, "complete"), ("1", "2", "done", 0, "complete"),
                        ("7", "2", "done", 0, "duplicate"), ("7", "3", "fetched", 0, None)]
    events = db.query("select kind, detail from events")
    assert [e["kind"] for e in events] == ["uidvalidity"] and "1 变为 7" in events[0]["detail"]


def test_uids_reused_for_other_mail_after_a_reset_are_all_new(db, tmp_path):
    folder = FakeFolder("1")
    fetch(db, FakeSource(folder), tmp_path)
    folder.mail = {1: mail(1), 2: mail(2)}
    fetch(db, FakeSource(folder), tmp_path)
    folder.reset("2", [mail(5), mail(6)])
    fetch(db, FakeSource(folder), tmp_path)
    assert [r[2] for r in rows(db) if r[0] == "2"] == ["fetched", "fetched"]


def test_a_mail_over_the_size_limit_is_parked_with_its_header(db, tmp_path):
    folder = FakeFolder()
    fetch(db, FakeSource(folder), tmp_path)
    folder.mail = {1: mail(1) + b"x" * 2_000_000}
    fetch(db, FakeSource(folder, limit=1048576), tmp_path)
    row = db.query("select status, error, size from messages")[0]
    assert row["status"] == "parked" and "超过上限 1 MB" in row["error"]
    assert row["size"] > 2_000_000
    assert [e["kind"] for e in db.query("select kind from events")] == ["too_large"]


class _SlowFirstStore(RawStore):
    """A store whose first write is slow and whose mail number `fail` cannot be written."""

    def __init__(self, root, fail: int | None = None):
        super().__init__(root)
        self.fail, self.calls = fail, 0

    def put(self, data: bytes):
        import time
        self.calls += 1
        if b"body 1\r" in data:
            time.sleep(0.2)  # the second mail finishes first
        if self.fail is not None and f"body {self.fail}\r".encode() in data:
            raise OSError(28, "No space left on device")
        return super().put(data)


def _incoming(n: int) -> Incoming:
    data = mail(n)
    return Incoming("INBOX", "1", str(n), data, len(data))


def test_stored_mails_are_recorded_in_arrival_order_however_the_writes_finish(tmp_path):
    from pipeline.sources.fetch import Storing
    recorded = []
    with Storing(_SlowFirstStore(tmp_path)) as storing:
        for n in (1, 2, 3):
            recorded += [m.uid for m, _ in storing.put(_incoming(n))]
        recorded += [m.uid for m, _ in storing.rest()]
    assert recorded == ["1", "2", "3"]


def test_a_failed_write_stops_the_record_before_any_later_mail(tmp_path):
    """Mail 3 is on disk first, but mail 2 failed: only mail 1 is recorded, so the next poll
    (resuming after the highest uid recorded) fetches 2 and 3 again."""
    from pipeline.sources.fetch import Storing
    recorded = []
    with pytest.raises(OSError), Storing(_SlowFirstStore(tmp_path, fail=2)) as storing:
        for n in (1, 2, 3):
            for message, _ in storing.put(_incoming(n)):
                recorded.append(message.uid)
        for message, _ in storing.rest():
            recorded.append(message.uid)
    assert recorded == ["1"]
