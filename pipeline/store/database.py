"""The database: one connection, its transactions, and the ledger's and submissions' queries.

The schema is pipeline/store/schema.py; the other modules of pipeline/store/ hold the rest of
the SQL, one module per reader (the outbox, the digest, reminders, exports, the CLI's views).
"""
from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database as _Database

from pipeline.store.schema import migrations

@dataclass(frozen=True)
class FolderState:
    """What the ledger knows of a folder: its UIDVALIDITY and the two uid boundaries.

    backlog_uid: the newest uid at first contact; mail at or below it was there before intake.
    rescan_uid: the newest uid when UIDVALIDITY last changed; mail at or below it may be mail
    already processed under the old UIDVALIDITY and is recognised by sha256 / Message-ID.
    """

    uidvalidity: str
    backlog_uid: str = ""
    rescan_uid: str = ""
    first_seen_at: str = ""


@dataclass(frozen=True)
class MessageRow:
    id: int
    source: str
    folder: str
    uid: str
    sha256: str
    raw_path: str
    attempts: int
    status: str
    # Mail found at first contact with a mailbox (backlog = "record"): recorded, not answered.
    backlog: bool = False


BUSY_SECONDS = 30


def _into_wal(conn: sqlite3.Connection) -> None:
    """Switch a database to WAL, waiting while another process holds its write lock.

    Switching takes the write lock while this connection already reads the file, and SQLite then
    answers "database is locked" at once instead of waiting (it would be a deadlock otherwise):
    with four processes opening a new database together, about one open in a thousand met it.
    So the switch is retried until the same 30 s that every other lock waits.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


class Database:
    """One connection in WAL mode; every read-then-write runs in transaction() (BEGIN IMMEDIATE)."""

    def __init__(self, path: Path | None):
        if path is None:
            self.db = _Database(memory=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=BUSY_SECONDS)
            self.db = _Database(conn)
            _into_wal(conn)
        self.db.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        """Bring the schema up to date under the write lock, so that two processes opening a
        new (or older) database at once do not both migrate it; an up-to-date one is only read."""
        if migrations.pending(self.db):
            with self.transaction():
                migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE: take the write lock before reading, so no two writers race.

        Inside another transaction it is a savepoint of that one: the outer commit decides.
        """
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.db.conn.rollback()
            raise
        self.db.conn.commit()

    # ---- the ledger ----------------------------------------------------------------------

    def known_uids(self, source: str, folder: str, uidvalidity: str) -> set[str]:
        rows = self.db.execute(
            "select uid from messages where source = ? and folder = ? and uidvalidity = ?",
            [source, folder, uidvalidity]).fetchall()
        return {row[0] for row in rows}

    def record_fetched(self, row: dict[str, object]) -> int:
        """Enter a stored message in the ledger; an already-known key is left as it is.

        The row's status is "fetched" (to be processed) unless it says otherwise: "parked"
        for mail over the size limit, "done" for mail recognised after a UIDVALIDITY change.
        """
        with self.transaction():
            table = self.db["messages"]
            table.insert({"status": "fetched", **row, "attempts": 0}, ignore=True)
            found = self.db.execute(
                "select id from messages where source = ? and folder = ? and uidvalidity = ? "
                "and uid = ?", [row["source"], row["folder"], row["uidvalidity"], row["uid"]]
            ).fetchone()
            return int(found[0])

    def pending(self) -> list[MessageRow]:
        """Messages fetched but not finished, oldest first (a crash leaves them here)."""
        rows = self.db.execute(
            "select id, source, folder, uid, sha256, raw_path, attempts, status, backlog "
            "from messages where status = 'fetched' order by id").fetchall()
        return [MessageRow(*row[:8], backlog=bool(row[8])) for row in rows]

    def begin_attempt(self, message_row: int) -> int:
        """Count the attempt before doing the work, so a message that kills the process parks."""
        with self.transaction():
            self.db.execute("update messages set attempts = attempts + 1 where id = ?",
                            [message_row])
            return int(self.db.execute("select attempts from messages where id = ?",
                                       [message_row]).fetchone()[0])

    def set_error(self, message_row: int, error: str, park: bool) -> None:
        with self.transaction():
            self.db["messages"].update(message_row, {"error": error,
                                                     "status": "parked" if park else "fetched"})

    def seen_before(self, message_row: int, sha256: str, message_id: str) -> int | None:
        """An earlier finished message with the same bytes or Message-ID, if any."""
        found = self.db.execute(
            "select id from messages where id != ? and status = 'done' and verdict is not null "
            "and (sha256 = ? or (message_id = ? and message_id != '')) order by id limit 1",
            [message_row, sha256, message_id]).fetchone()
        return int(found[0]) if found else None

    # ---- folders, polls and events ----------------------------------------------------------

    def folder_state(self, source: str, folder: str) -> FolderState | None:
        found = self.db.execute(
            "select uidvalidity, backlog_uid, rescan_uid, first_seen_at from folders "
            "where source = ? and folder = ?", [source, folder]).fetchone()
        if found:
            return FolderState(*found)
        # A folder polled before folder state existed: known, with no backlog boundary.
        legacy = self.db.execute("select uidvalidity from messages where source = ? and folder = ? "
                                 "order by id desc limit 1", [source, folder]).fetchone()
        return FolderState(legacy[0]) if legacy else None

    def save_folder_state(self, source: str, folder: str, state: FolderState) -> None:
        with self.transaction():
            self.db["folders"].upsert({"source": source, "folder": folder,
                                       **dataclasses.asdict(state)}, pk=("source", "folder"))

    def last_uid(self, source: str, folder: str, uidvalidity: str) -> int:
        """The highest numeric uid the ledger holds for a folder under one UIDVALIDITY."""
        found = self.db.execute(
            "select max(cast(uid as integer)) from messages where source = ? and folder = ? "
            "and uidvalidity = ?", [source, folder, uidvalidity]).fetchone()
        return int(found[0] or 0)

    def recognise(self, source: str, folder: str, uidvalidity: str, sha256: str,
                  message_id: str) -> tuple[int, bool] | None:
        """A row of this folder under another UIDVALIDITY with these bytes (True) or Message-ID."""
        found = self.db.execute(
            "select id, sha256 = ? from messages where source = ? and folder = ? and "
            "uidvalidity != ? and (sha256 = ? or (message_id = ? and message_id != '')) "
            "order by sha256 = ? desc, id limit 1",
            [sha256, source, folder, uidvalidity, sha256, message_id, sha256]).fetchone()
        return (int(found[0]), bool(found[1])) if found else None

    def relocate(self, message_row: int, uidvalidity: str, uid: str) -> None:
        """The same mail under the folder's new UIDVALIDITY: the row follows it."""
        with self.transaction():
            self.db["messages"].update(message_row, {"uidvalidity": uidvalidity, "uid": uid})

    def record_event(self, at: str, source: str, folder: str, kind: str, detail: str) -> None:
        with self.transaction():
            self.db["events"].insert({"at": at, "source": source, "folder": folder, "kind": kind,
                                      "detail": detail})

    def record_poll(self, row: dict[str, object]) -> None:
        with self.transaction():
            self.db["polls"].insert(row)

    def unfiled(self, source: str) -> list[dict]:
        """Finished mail of a source not yet keyworded or moved, by folder and uid."""
        return self.query(
            "select id, folder, uidvalidity, uid, verdict from messages where source = ? "
            "and status = 'done' and filed is null order by folder, cast(uid as integer)", [source])

    def mark_filed(self, message_rows: list[int], filed: str) -> None:
        with self.transaction():
            marks = ",".join("?" * len(message_rows))
            self.db.execute(f"update messages set filed = ? where id in ({marks})",
                            [filed, *message_rows])

    # ---- submissions ---------------------------------------------------------------------

    def submission_by_reply(self, message_ids: list[str]) -> dict | None:
        """The submission whose reply this mail answers (In-Reply-To / References)."""
        ids = [m for m in message_ids if m]
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        found = self.db.execute(
            f"select submission_id from outbox where message_id in ({marks}) "
            "and submission_id is not null order by id desc limit 1", ids).fetchone()
        return self.submission(int(found[0])) if found else None

    def submissions_by_case(self, campaign: str, unit: str, case_name: str) -> list[dict]:
        """The campaign's submissions of this unit and case, oldest first (more than one when
        a person made a second applicant's mail a submission of its own)."""
        if not unit or not case_name:
            return []
        return self.query("select * from submissions where campaign = ? and unit_name = ? "
                          "and case_name = ? order by id", [campaign, unit, case_name])

    def submission(self, submission_id: int) -> dict | None:
        return next(self.db["submissions"].rows_where("id = ?", [submission_id]), None)

    def version_documents(self, submission_id: int) -> list[dict]:
        """The documents of a submission's current version."""
        return list(self.db.query(
            "select d.* from documents d join versions v on d.version_id = v.id "
            "where v.submission_id = ? and v.number = (select max(number) from versions "
            "where submission_id = ?) order by d.id", [submission_id, submission_id]))

    def version_findings(self, submission_id: int, number: int) -> list[dict]:
        """The findings that count (not waived) of one version of a submission, as rule,
        field, severity, message."""
        return self.query(
            "select f.rule, f.field, f.severity, f.message from findings f join versions v on "
            "f.version_id = v.id where v.submission_id = ? and v.number = ? and f.waived_by "
            "is null order by f.id",
            [submission_id, number])

    def next_reference(self, campaign: str, prefix: str) -> str:
        row = self.db.execute("select last from counters where campaign = ?",
                              [campaign]).fetchone()
        number = (row[0] if row else 0) + 1
        self.db["counters"].upsert({"campaign": campaign, "last": number}, pk="campaign")
        return f"{prefix}-{number:04d}"

    def quota_count(self, campaign: str, quota_key: str, exclude: int | None) -> int:
        return int(self.db.execute(
            "select count(*) from submissions where campaign = ? and quota_key = ? and id != ? "
            "and verdict in ('complete', 'deficient')",
            [campaign, quota_key, exclude or -1]).fetchone()[0])

    def save_submission(self, row: dict[str, object]) -> int:
        table = self.db["submissions"]
        if row.get("id"):
            table.update(row["id"], row)
            return int(row["id"])
        return int(table.insert(row).last_pk)

    def save_version(self, version: dict, documents: list[dict], fields: dict[str, object]) -> int:
        version_id = int(self.db["versions"].insert(version).last_pk)
        self.db["documents"].insert_all([{**d, "version_id": version_id} for d in documents])
        self.insert_fields(version_id, fields)
        return version_id

    def insert_fields(self, version_id: int, fields: dict[str, object]) -> None:
        self.db["fields"].insert_all([{"version_id": version_id, "key": k,
                                       "value": json.dumps(v, ensure_ascii=False)}
                                      for k, v in fields.items()])

    def save_findings(self, message_row: int, version_id: int | None, findings: list[dict]) -> None:
        self.db["findings"].insert_all([{**f, "message_row": message_row, "version_id": version_id}
                                        for f in findings])

    def finish_message(self, message_row: int, values: dict[str, object]) -> None:
        self.db["messages"].update(message_row, {**values, "status": "done", "error": None})

    def requeue(self, message_row: int) -> None:
        """A decided message back in the queue, to be processed afresh by the next run."""
        self.db["messages"].update(message_row, {"status": "fetched", "attempts": 0,
                                                 "error": None})

    # ---- generic access, for the modules of pipeline/store/ only (outbox.py, digest.py, ...) --

    def execute(self, sql: str, params: list | tuple | dict = ()) -> int:
        """Run one statement; the number of rows it changed."""
        return self.db.execute(sql, params).rowcount

    def insert(self, table: str, row: dict[str, object]) -> int:
        return int(self.db[table].insert(row).last_pk)

    def update(self, table: str, pk: object, values: dict[str, object]) -> None:
        self.db[table].update(pk, values)

    def upsert(self, table: str, row: dict[str, object], pk: str) -> None:
        self.db[table].upsert(row, pk=pk)

    # ---- reading for people --------------------------------------------------------------

    def table_names(self) -> list[str]:
        return sorted(self.db.table_names())

    def query(self, sql: str, params: list | tuple = ()) -> list[dict]:
        return list(self.db.query(sql, params))
