"""What 补正提醒 read: the deficiency notices sent, the reminders queued, what is still missing."""
from __future__ import annotations

from pipeline.store.database import Database


def last_notices(db: Database) -> list[dict]:
    """Each submission's latest deficiency notice, when it has been sent.

    A notice still queued (or failing) is not "the last notice" yet: the applicant has not
    had it, and the older one it replaces must not set the clock either.
    """
    return db.query(
        "select s.id as submission_id, s.campaign, s.reference, s.unit_name, s.case_name, "
        "s.verdict, o.subject, o.message_id, o.to_addr, o.created_at from submissions s "
        "join outbox o on o.id = (select max(id) from outbox where submission_id = s.id "
        "and kind = 'deficiency') where o.status = 'sent' order by s.id")


def reminders_queued(db: Database) -> list[dict]:
    """Every reminder queued (the outbox rows are the record), oldest first."""
    return db.query("select submission_id, created_at from outbox where kind = 'reminder' "
                    "order by id")


def missing_items(db: Database, submission_id: int) -> tuple[str, ...]:
    """The error findings of the submission's current version, as the notice worded them."""
    rows = db.query(
        "select f.message from findings f join versions v on f.version_id = v.id "
        "where v.submission_id = ? and v.number = (select max(number) from versions "
        "where submission_id = ?) and f.severity = 'error' and f.rule != 'deadline_passed' "
        "and f.waived_by is null "
        "order by f.id", [submission_id, submission_id])
    return tuple(r["message"] for r in rows)
