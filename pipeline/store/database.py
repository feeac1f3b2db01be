"""The database: schema through sqlite-utils Migrations, and every query. The only sqlite_utils importer."""
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
from sqlite_utils import Migrations

migrations = Migrations("intake")


@migrations()
def m001_ledger(db: _Database) -> None:
    db["messages"].create({
        "id": int, "source": str, "folder": str, "uidvalidity": str, "uid": str, "sha256": str,
        "raw_path": str, "message_id": str, "subject": str, "sender": str, "received_at": str,
        "fetched_at": str, "status": str, "attempts": int, "error": str, "note": str,
        "campaign": str, "verdict": str, "submission_id": int,
    }, pk="id", not_null={"source", "folder", "uidvalidity", "uid", "sha256", "status"},
        defaults={"attempts": 0, "status": "fetched"})
    db["messages"].create_index(["source", "folder", "uidvalidity", "uid"], unique=True)
    db["messages"].create_index(["sha256"])
    db["messages"].create_index(["status"])


@migrations()
def m002_submissions(db: _Database) -> None:
    db["submissions"].create({
        "id": int, "campaign": str, "reference": str, "unit_name": str, "case_name": str,
        "sender": str, "verdict": str, "version": int, "quota_key": str, "created_at": str,
        "updated_at": str,
    }, pk="id", not_null={"campaign", "reference"})
    db["submissions"].create_index(["reference"], unique=True)
    db["submissions"].create_index(["campaign", "quota_key"])
    db["versions"].create({
        "id": int, "submission_id": int, "number": int, "message_row": int, "verdict": str,
        "created_at": str,
    }, pk="id", foreign_keys=[("submission_id", "submissions", "id"),
                              ("message_row", "messages", "id")])
    db["documents"].create({
        "id": int, "version_id": int, "name": str, "kind": str, "format": str, "size": int,
        "sha256": str, "detail": str,
    }, pk="id", foreign_keys=[("version_id", "versions", "id")])
    db["fields"].create({"id": int, "version_id": int, "key": str, "value": str}, pk="id",
                        foreign_keys=[("version_id", "versions", "id")])
    db["findings"].create({
        "id": int, "message_row": int, "version_id": int, "rule": str, "field": str,
        "severity": str, "message": str,
    }, pk="id", foreign_keys=[("message_row", "messages", "id")])
    db["counters"].create({"campaign": str, "last": int}, pk="campaign")


@migrations()
def m003_outbox(db: _Database) -> None:
    db["outbox"].create({
        "id": int, "message_row": int, "submission_id": int, "kind": str, "to_addr": str,
        "subject": str, "message_id": str, "raw": bytes, "status": str, "attempts": int,
        "created_at": str, "sent_at": str, "error": str,
    }, pk="id", not_null={"message_id", "status"}, defaults={"attempts": 0})
    db["outbox"].create_index(["message_id"], unique=True)
    db["outbox"].create_index(["status"])
    db["outbox"].create_index(["message_row"], unique=True)


@migrations()
def m004_mailboxes(db: _Database) -> None:
    """Per-folder state (first contact, UIDVALIDITY), poll health, warnings, filing actions."""
    db["folders"].create({
        "source": str, "folder": str, "uidvalidity": str, "backlog_uid": str, "rescan_uid": str,
        "first_seen_at": str,
    }, pk=("source", "folder"))
    db["polls"].create({
        "id": int, "source": str, "started_at": str, "finished_at": str, "ok": int,
        "error_kind": str, "error": str, "fetched": int,
    }, pk="id")
    db["polls"].create_index(["source", "started_at"])
    db["events"].create({"id": int, "at": str, "source": str, "folder": str, "kind": str,
                         "detail": str}, pk="id")
    db["events"].create_index(["at"])
    db["messages"].add_column("size", int)
    db["messages"].add_column("backlog", int, not_null_default=0)
    db["messages"].add_column("filed", str)


@migrations()
def m005_outbox_states(db: _Database) -> None:
    """The outbox as a state machine (held, queued, sending, sent, failed, suppressed,
    discarded, bounced), retry timing, ambiguous sends, and addresses that bounce."""
    table = db["outbox"]
    for column, kind in (("next_attempt_at", str), ("last_attempt_at", str), ("reason", str),
                         ("code", int), ("approved_at", str), ("approved_by", str),
                         ("bounced_at", str), ("bounce", str)):
        table.add_column(column, kind)
    table.add_column("ambiguous", int, not_null_default=0)
    db.execute("update outbox set next_attempt_at = created_at")
    db["outbox"].create_index(["to_addr", "created_at"])
    db["failing_addresses"].create({
        "address": str, "since": str, "outbox_id": int, "status": str, "diagnostic": str,
    }, pk="address")


@migrations()
def m006_overrides(db: _Database) -> None:
    """People's decisions over the automatic ones (intake waive / set / accept / reject), and
    which findings a waiver covers; `fields` keeps the values in force (corrections applied).
    `before`: the findings that counted before the decision (JSON), for the updated reply."""
    db["overrides"].create({
        "id": int, "submission_id": int, "version": int, "action": str, "rule": str,
        "field": str, "value": str, "previous": str, "note": str, "by": str, "at": str,
        "before": str,
    }, pk="id", not_null={"submission_id", "action", "note", "by", "at"},
        foreign_keys=[("submission_id", "submissions", "id")])
    db["overrides"].create_index(["submission_id"])
    db["findings"].add_column("waived_by", int)


# The Chinese words of the views below. A migration is a snapshot: later vocabulary changes
# need a new migration, so these are spelled out here rather than imported.
_VERDICTS = (("complete", "已受理"), ("deficient", "需补正"), ("late", "逾期"),
             ("rejected", "不予受理"), ("duplicate", "重复来信"), ("not_submission", "非申报邮件"))
_SEVERITIES = (("error", "错误"), ("warning", "提醒"))
_REPLY_KINDS = (("receipt", "受理回执"), ("deficiency", "补正通知"), ("late", "逾期通知"),
                ("reminder", "补正提醒"), ("rejection", "不予受理通知"), ("digest", "每日汇总"))
_REPLY_STATES = (("held", "待审核"), ("queued", "待发送"), ("sending", "发送中"),
                 ("sent", "已发送"), ("failed", "发送失败"), ("suppressed", "按规则未发送"),
                 ("discarded", "已撤销"), ("bounced", "被退回"))
_ACTIONS = (("waive", "豁免"), ("set", "更正字段"), ("accept", "人工受理"),
            ("reject", "不予受理"), ("reprocess", "重新检查"))


def _named(column: str, names: tuple[tuple[str, str], ...]) -> str:
    """A CASE giving the Chinese word of a code; an unknown code shows as itself."""
    whens = " ".join(f"when '{code}' then '{word}'" for code, word in names)
    return f"case {column} {whens} else {column} end"


def _text(column: str) -> str:
    """A JSON field value as text: a list (a choice) joined with 、, a scalar as itself."""
    value = f"case when json_valid({column}) then {column} else json_quote({column}) end"
    return f"(select group_concat(j.value, '、') from json_each({value}) j)"


def _beijing(column: str) -> str:
    # Times are stored in UTC; the secretariat reads Beijing time (UTC+8, no daylight saving).
    return f"datetime({column}, '+8 hours')"


@migrations()
def m007_overview(db: _Database) -> None:
    """Read-only views with Chinese column names for `intake browse` (Datasette), and the
    indexes their per-version lookups need."""
    db["fields"].create_index(["version_id", "key"], if_not_exists=True)
    db["findings"].create_index(["version_id"], if_not_exists=True)
    db["versions"].create_index(["submission_id", "number"], if_not_exists=True)
    current = "versions v on v.submission_id = s.id and v.number = s.version"
    db.create_view("申报汇总", f"""
        select s.reference as 受理编号, s.campaign as 征集活动, s.unit_name as 单位名称,
          s.case_name as 案例名称,
          (select {_text("c.value")} from fields c where c.version_id = v.id
            and c.key = 'category') as 案例类别,
          {_named("s.verdict", _VERDICTS)} as 结论, s.version as 版本数,
          {_beijing("s.created_at")} as 首次收到, {_beijing("s.updated_at")} as 最近更新,
          (select count(*) from findings f where f.version_id = v.id and f.severity = 'error'
            and f.waived_by is null) as 待补正,
          s.sender as 发件人
        from submissions s left join {current}""")
    db.create_view("审查意见", f"""
        select s.reference as 受理编号, s.campaign as 征集活动, v.number as 版本,
          case when v.number = s.version then '是' else '否' end as 当前版本,
          f.rule as 规则, f.field as 字段, {_named("f.severity", _SEVERITIES)} as 严重程度,
          f.message as 说明, case when f.waived_by is null then '否' else '是' end as 已豁免
        from findings f join versions v on f.version_id = v.id
          join submissions s on v.submission_id = s.id""")
    db.create_view("回复邮件", f"""
        select o.id as 编号, s.reference as 受理编号, {_named("o.kind", _REPLY_KINDS)} as 类型,
          o.to_addr as 收件人, o.subject as 主题, {_named("o.status", _REPLY_STATES)} as 状态,
          {_beijing("o.created_at")} as 生成时间, {_beijing("o.sent_at")} as 发送时间,
          coalesce(o.error, o.reason) as 说明
        from outbox o left join submissions s on o.submission_id = s.id""")
    db.create_view("来信", f"""
        select m.id as 编号, {_beijing("m.received_at")} as 收到时间, m.sender as 发件人,
          m.subject as 主题, m.campaign as 征集活动,
          case m.status when 'parked' then '已搁置' when 'fetched' then '待处理'
            else {_named("m.verdict", _VERDICTS)} end as 处理结果,
          s.reference as 受理编号, coalesce(nullif(m.error, ''), nullif(m.note, '')) as 说明
        from messages m left join submissions s on m.submission_id = s.id""")
    db.create_view("人工处理", f"""
        select s.reference as 受理编号, o.version as 版本, {_named("o.action", _ACTIONS)} as 操作,
          o.rule as 规则, o.field as 字段, {_text("o.value")} as 新值,
          {_text("o.previous")} as 原值, o.note as 说明, o."by" as 操作人,
          {_beijing("o.at")} as 时间
        from overrides o join submissions s on o.submission_id = s.id""")


@migrations()
def m008_last_uid(db: _Database) -> None:
    """An index for a poll's one question, the highest uid of a folder: without it the ledger
    is scanned, and a poll of a 10 000-message mailbox slows down as the mailbox grows."""
    db.execute("create index if not exists messages_last_uid on messages "
               "(source, folder, uidvalidity, cast(uid as integer))")


@migrations()
def m009_body_contact_keys(db: _Database) -> None:
    """body_contact_missing names its field by campaigns.md's keys (body_contact_name, …):
    findings and people's decisions recorded before keep matching the findings made now, so a
    waiver still holds and a correction is still told as 已更正."""
    for table in ("findings", "overrides"):
        db.execute(f"update {table} set field = 'body_contact_' || field "
                   "where rule = 'body_contact_missing' and field in ('name', 'phone', 'email')")


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

    def submission_by_case(self, campaign: str, unit: str, case_name: str) -> dict | None:
        if not unit or not case_name:
            return None
        found = self.db.execute(
            "select id from submissions where campaign = ? and unit_name = ? and case_name = ? "
            "order by id limit 1", [campaign, unit, case_name]).fetchone()
        return self.submission(int(found[0])) if found else None

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

    # ---- generic access (pipeline/store/outbox.py keeps the outbox's queries) ------------------

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

    def query(self, sql: str, params: list | tuple = ()) -> list[dict]:
        return list(self.db.query(sql, params))
