"""What the daily digest reads: one named query per figure and per "needs a person" group.

A day is given as its UTC bounds (pipeline/config/days.py `day_bounds`); rows come back as the
database holds them and pipeline/app/digest.py and needs.py shape them.
"""
from __future__ import annotations

from pipeline.store.database import Database
from rules.vocabulary import HELD_VERDICTS

Bounds = tuple[str, str]


# "datetime(x) >= :start and datetime(x) < :end": stored times carry offsets; SQLite's
# datetime() turns each into UTC so they compare with the day's bounds.
def _on_day(column: str) -> str:
    return f"datetime({column}) >= :start and datetime({column}) < :end"


def _day(bounds: Bounds, **params: object) -> dict[str, object]:
    return {"start": bounds[0], "end": bounds[1], **params}


def submission_counts(db: Database, bounds: Bounds) -> list[dict]:
    """Per campaign: submissions by verdict, and how many were first received on the day."""
    return db.query(
        "select campaign, count(*) as total, sum(verdict = 'complete') as complete, "
        "sum(verdict = 'deficient') as deficient, sum(verdict = 'late') as late, "
        "sum(verdict = 'rejected') as rejected, "
        f"sum({_on_day('created_at')}) as received from submissions group by campaign", _day(bounds))


def corrected_counts(db: Database, bounds: Bounds) -> list[dict]:
    """Per campaign: existing submissions that got a new version on the day."""
    return db.query(
        "select s.campaign, count(distinct v.submission_id) as n from versions v join "
        f"submissions s on v.submission_id = s.id where v.number > 1 and {_on_day('v.created_at')} "
        "group by s.campaign", _day(bounds))


def duplicate_counts(db: Database, bounds: Bounds) -> list[dict]:
    """Per campaign: mails recognised as the same content again, on the day and ever."""
    return db.query(
        f"select campaign, sum({_on_day('fetched_at')}) as day, count(*) as total from messages "
        "where verdict = 'duplicate' and campaign is not null group by campaign", _day(bounds))


def oldest_notices(db: Database) -> list[dict]:
    """Per campaign: the earliest last-notice time among its deficient submissions (UTC)."""
    return db.query(
        "select s.campaign, min(datetime(o.created_at)) as at from submissions s join outbox o "
        "on o.id = (select max(id) from outbox where submission_id = s.id and kind = 'deficiency') "
        "where s.verdict = 'deficient' group by s.campaign")


def current_categories(db: Database) -> list[dict]:
    """Every submission's campaign and the category field (JSON) of its current version."""
    return db.query(
        "select s.campaign, f.value from submissions s join versions v on v.submission_id = s.id "
        "and v.number = s.version left join fields f on f.version_id = v.id and f.key = 'category'")


def quota_counts(db: Database) -> list[dict]:
    """Submissions per quota group, counted as rules/checks/quota_exceeded.py counts them."""
    return db.query(
        "select campaign, quota_key, count(*) as n from submissions where quota_key is not null "
        "and verdict in ('complete', 'deficient') group by campaign, quota_key order by quota_key")


def quota_unknown(db: Database) -> list[dict]:
    """Counted submissions in no quota group: nothing told their province or park."""
    return db.query(
        "select campaign, reference, unit_name from submissions where quota_key is null "
        "and verdict in ('complete', 'deficient') order by id")


def arrivals(db: Database, start: str, end: str) -> list[dict]:
    """Every submission first received between the UTC bounds, with its time."""
    return db.query("select campaign, created_at from submissions where "
                    "datetime(created_at) >= ? and datetime(created_at) < ?", [start, end])


def new_submissions(db: Database, bounds: Bounds) -> list[dict]:
    """Submissions first received on the day, oldest first."""
    return db.query(
        "select s.id, s.campaign, s.reference, s.unit_name, s.case_name, s.verdict, s.version "
        f"from submissions s where {_on_day('s.created_at')} order by s.id", _day(bounds))


def polled_sources(db: Database) -> list[str]:
    """Every mailbox name the polls and events have recorded."""
    return [row["source"] for row in db.query(
        "select distinct source from polls union select distinct source from "
        "events where source is not null order by 1")]


def last_good_poll(db: Database, source: str, end: str) -> str | None:
    """When the mailbox last finished a poll without error, before `end` (UTC)."""
    return db.query("select max(datetime(finished_at)) as at from polls where source = ? "
                    "and ok = 1 and datetime(started_at) < ?", [source, end])[0]["at"]


def failed_polls(db: Database, source: str, end: str, since: str | None) -> list[dict]:
    """The mailbox's failed polls after `since` (its last good one) and before `end`, newest first."""
    return db.query(
        "select error_kind, error from polls where source = ? and ok = 0 and datetime(started_at)"
        " < ? and (? is null or datetime(started_at) > ?) order by id desc",
        [source, end, since, since])


def mailbox_events(db: Database, source: str, bounds: Bounds) -> list[dict]:
    """The mailbox's recorded events (UIDVALIDITY changes, oversize mail, ...) of the day."""
    return db.query(f"select at, folder, kind, detail from events where source = :source "
                    f"and {_on_day('at')} order by id", _day(bounds, source=source))


def has_submissions(db: Database) -> bool:
    return bool(db.query("select 1 from submissions limit 1"))


def digest_in_outbox(db: Database, subject: str) -> dict | None:
    """The digest with this subject already queued (or sent), if any."""
    found = db.query("select id, status from outbox where kind = 'digest' and subject = ? "
                     "order by id limit 1", [subject])
    return found[0] if found else None


def not_submissions(db: Database, bounds: Bounds) -> list[dict]:
    """Inquiries, auto-replies, bounces and unrecognised mail fetched on the day, and mails
    held for a person: they would change another applicant's submission, or their sender was
    found forged (their note says how to decide)."""
    held = ", ".join(f"'{v}'" for v in HELD_VERDICTS)
    return db.query("select id, subject, sender, note from messages where verdict in "
                    f"('not_submission', {held}) and {_on_day('fetched_at')} order by id",
                    _day(bounds))


def parked_messages(db: Database) -> list[dict]:
    """Every message parked now, whatever the day."""
    return db.query("select id, subject, sender, error from messages where status = 'parked' "
                    "order by id")


def findings_of_day(db: Database, bounds: Bounds, rule: str, severity: str | None) -> list[dict]:
    """One rule's findings (of one severity, or any) on the mail fetched on the day."""
    return db.query(
        "select m.id, m.subject, m.sender, s.reference, f.message from findings f "
        "join messages m on f.message_row = m.id left join submissions s on m.submission_id = s.id "
        f"where f.rule = :rule and (:severity is null or f.severity = :severity) and "
        f"{_on_day('m.fetched_at')} order by f.id", _day(bounds, rule=rule, severity=severity))


def _outbox_rows(db: Database, where: str, params: dict[str, object]) -> list[dict]:
    return db.query(
        "select o.id, o.kind, o.status, o.to_addr, o.subject, o.error, o.code, o.attempts, "
        "o.reason, o.bounce, s.reference from outbox o left join submissions s on "
        f"o.submission_id = s.id where {where} order by o.id", params)


def failed_replies(db: Database) -> list[dict]:
    """Rows refused for good, bounced, or still being retried after an error."""
    return _outbox_rows(db, "o.status in ('failed', 'bounced') or (o.status = 'queued' and "
                        "o.error is not null)", {})


def held_replies(db: Database) -> list[dict]:
    """Replies waiting in review mode, whatever the day."""
    return _outbox_rows(db, "o.status = 'held'", {})


def suppressed_replies(db: Database, bounds: Bounds) -> list[dict]:
    """Replies of the day not sent on purpose."""
    return _outbox_rows(db, f"o.status = 'suppressed' and {_on_day('o.created_at')}", _day(bounds))


def ambiguous_replies(db: Database, bounds: Bounds) -> list[dict]:
    """Sends of the day whose first outcome was unknown."""
    return _outbox_rows(db, f"o.ambiguous > 0 and {_on_day('o.last_attempt_at')}", _day(bounds))
