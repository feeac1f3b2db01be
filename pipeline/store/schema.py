"""The schema, as sqlite-utils Migrations applied in order; each is a snapshot never edited later."""
from __future__ import annotations

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


def _recreate_last(db: _Database, view: str) -> None:
    """`view` created again, as it was, after views a migration replaced: the views keep the
    order people see them in."""
    (kept,) = db.execute("select sql from sqlite_master where name = ?", [view]).fetchone()
    db.execute(f'drop view "{view}"')
    db.execute(kept)


@migrations()
def m010_claims(db: _Database) -> None:
    """Mails held because they would change another applicant's submission (pipeline/store/
    claims.py), and the words of the new message verdict and reply kind in the views."""
    db["claims"].create({
        "id": int, "message_row": int, "submission_id": int, "sender": str, "found_at": str,
        "decision": str, "decided_by": str, "decided_at": str, "reason": str,
    }, pk="id", foreign_keys=[("message_row", "messages", "id"),
                              ("submission_id", "submissions", "id")])
    db["claims"].create_index(["message_row"])
    db["claims"].create_index(["submission_id"])
    verdicts = (*_VERDICTS, ("other_sender", "待核实（疑似他人申报）"))
    kinds = (*_REPLY_KINDS, ("change_notice", "申报变更通知"))
    db.create_view("回复邮件", f"""
        select o.id as 编号, s.reference as 受理编号, {_named("o.kind", kinds)} as 类型,
          o.to_addr as 收件人, o.subject as 主题, {_named("o.status", _REPLY_STATES)} as 状态,
          {_beijing("o.created_at")} as 生成时间, {_beijing("o.sent_at")} as 发送时间,
          coalesce(o.error, o.reason) as 说明
        from outbox o left join submissions s on o.submission_id = s.id""", replace=True)
    db.create_view("来信", f"""
        select m.id as 编号, {_beijing("m.received_at")} as 收到时间, m.sender as 发件人,
          m.subject as 主题, m.campaign as 征集活动,
          case m.status when 'parked' then '已搁置' when 'fetched' then '待处理'
            else {_named("m.verdict", verdicts)} end as 处理结果,
          s.reference as 受理编号, coalesce(nullif(m.error, ''), nullif(m.note, '')) as 说明
        from messages m left join submissions s on m.submission_id = s.id""", replace=True)
    _recreate_last(db, "人工处理")


@migrations()
def m011_unauthenticated(db: _Database) -> None:
    """Claims of a second kind: a mail its receiving server found forged (SPF/DKIM/DMARC fail),
    held with no reply and no reference until a person accepts or rejects it."""
    db["claims"].add_column("kind", str, not_null_default="other_sender")
    verdicts = (*_VERDICTS, ("other_sender", "待核实（疑似他人申报）"),
                ("unauthenticated", "待核实（发件人未通过验证）"))
    db.create_view("来信", f"""
        select m.id as 编号, {_beijing("m.received_at")} as 收到时间, m.sender as 发件人,
          m.subject as 主题, m.campaign as 征集活动,
          case m.status when 'parked' then '已搁置' when 'fetched' then '待处理'
            else {_named("m.verdict", verdicts)} end as 处理结果,
          s.reference as 受理编号, coalesce(nullif(m.error, ''), nullif(m.note, '')) as 说明
        from messages m left join submissions s on m.submission_id = s.id""", replace=True)
    _recreate_last(db, "人工处理")


@migrations()
def m012_console_accounts(db: _Database) -> None:
    """The web console's accounts (argon2id hashes, never passwords) and every login attempt,
    for the rate limit and the audit (pipeline/store/accounts.py)."""
    db["console_users"].create({"name": str, "role": str, "hash": str, "created_at": str,
                                "changed_at": str}, pk="name")
    db["console_logins"].create({"id": int, "name": str, "remote": str, "at": str, "ok": int},
                                pk="id")
    db["console_logins"].create_index(["at"])
