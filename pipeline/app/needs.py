"""The digest's "needs a person" groups, read for one local day (the queries: pipeline/store/digest.py)."""
from __future__ import annotations

from datetime import date, tzinfo

from outbox.compose import one_line
from outbox.digest import Flag, NeedsPerson
from pipeline.app.sending import reason_text
from pipeline.config.days import day_bounds
from pipeline.store import digest as queries
from pipeline.store.database import Database


def _flag(reference: str, subject: str | None, address: str | None, detail: str | None) -> Flag:
    return Flag(reference, one_line(subject or "（无主题）", 120), one_line(address or "", 120),
                one_line(detail or "", 300))


def not_submissions(db: Database, day: date, zone: tzinfo) -> tuple[Flag, ...]:
    """Inquiries, auto-replies, bounces and unrecognised mail fetched on the day."""
    rows = queries.not_submissions(db, day_bounds(day, zone))
    return tuple(_flag(f"#{r['id']}", r["subject"], r["sender"], r["note"]) for r in rows)


def parked_messages(db: Database) -> tuple[Flag, ...]:
    """Every message parked now, whatever the day: it waits for a person until one acts."""
    return tuple(_flag(f"#{r['id']}", r["subject"], r["sender"],
                       ((r["error"] or "").strip().splitlines() or [""])[-1])
                 for r in queries.parked_messages(db))


def findings_of_day(db: Database, day: date, zone: tzinfo, rule: str,
                    severity: str | None = None) -> tuple[Flag, ...]:
    """One rule's findings on the mail fetched on the day, with the case or the mail."""
    rows = queries.findings_of_day(db, day_bounds(day, zone), rule, severity)
    return tuple(_flag(r["reference"] or f"#{r['id']}", r["subject"], r["sender"], r["message"])
                 for r in rows)


def _outbox_flags(rows: list[dict], detail) -> tuple[Flag, ...]:
    return tuple(_flag(r["reference"] or f"{r['kind']} #{r['id']}", r["subject"], r["to_addr"],
                       detail(r)) for r in rows)


def _failure(row: dict) -> str:
    if row["status"] == "bounced":
        return f"已退信：{row['bounce'] or ''}"
    if row["status"] == "queued":
        return f"正在重试（已尝试{row['attempts']}次）：{row['error']}"
    return f"发送失败（已尝试{row['attempts']}次）：{row['error']}"


def failed_replies(db: Database) -> tuple[Flag, ...]:
    """Rows refused for good, bounced, or still being retried after an error."""
    return _outbox_flags(queries.failed_replies(db), _failure)


def held_replies(db: Database) -> tuple[Flag, ...]:
    """Replies waiting in review mode, whatever the day."""
    return _outbox_flags(queries.held_replies(db),
                         lambda r: f"待审核：intake outbox show {r['id']} / approve {r['id']}")


def suppressed_replies(db: Database, day: date, zone: tzinfo) -> tuple[Flag, ...]:
    """Replies of the day not sent on purpose, with the reason."""
    return _outbox_flags(queries.suppressed_replies(db, day_bounds(day, zone)),
                         lambda r: reason_text(r["reason"]))


def ambiguous_replies(db: Database, day: date, zone: tzinfo) -> tuple[Flag, ...]:
    """Sends of the day whose first outcome was unknown: the applicant may have two copies."""
    return _outbox_flags(queries.ambiguous_replies(db, day_bounds(day, zone)),
                         lambda r: "连接在邮件发出后中断，已按原编号重发，对方可能收到两封")


def needs_person(db: Database, day: date, zone: tzinfo) -> NeedsPerson:
    return NeedsPerson(
        not_submissions=not_submissions(db, day, zone), parked=parked_messages(db),
        unreadable=findings_of_day(db, day, zone, "attachment_unreadable"),
        large_links=findings_of_day(db, day, zone, "large_attachment_link"),
        failed_replies=failed_replies(db), held_replies=held_replies(db),
        suppressed_replies=suppressed_replies(db, day, zone),
        ambiguous_replies=ambiguous_replies(db, day, zone),
        seal_warnings=findings_of_day(db, day, zone, "seal_missing", "warning"))
