"""What the CLI shows, read from the database: messages, submission versions, overrides, replies."""
from __future__ import annotations

from pipeline.store.database import Database


def messages(db: Database, *, status: str | None = None, campaign: str | None = None,
             source: str | None = None, verdict: str | None = None, unit: str | None = None,
             since: str | None = None, until: str | None = None,
             row_id: int | None = None) -> list[dict]:
    """Ledger rows with their submission's reference, unit and current verdict, oldest first.

    None matches everything; `verdict` is the current one (the submission's, else the mail's),
    `unit` part of the unit's name, `since`/`until` UTC bounds of the fetch time."""
    return db.query(
        "select m.*, s.reference, s.unit_name, coalesce(s.verdict, m.verdict) as current "
        "from messages m left join submissions s on m.submission_id = s.id where "
        "(:status is null or m.status = :status) and (:campaign is null or m.campaign = "
        ":campaign) and (:source is null or m.source = :source) and (:verdict is null or "
        "coalesce(s.verdict, m.verdict) = :verdict) and (:unit is null or s.unit_name like "
        "'%' || :unit || '%') and (:since is null or datetime(m.fetched_at) >= :since) and "
        "(:until is null or datetime(m.fetched_at) < :until) and (:row_id is null or "
        "m.id = :row_id) order by m.id",
        {"status": status, "campaign": campaign, "source": source, "verdict": verdict,
         "unit": unit, "since": since, "until": until, "row_id": row_id})


def message_findings(db: Database, message_row: int) -> list[dict]:
    return db.query("select rule, field, severity, message, waived_by from "
                    "findings where message_row = ? order by id", [message_row])


def versions(db: Database, submission_id: int) -> list[dict]:
    """A submission's versions, first first, each with the subject, sender and time of its mail."""
    return db.query(
        "select v.*, m.subject, m.sender, m.received_at from versions v left join messages m "
        "on v.message_row = m.id where v.submission_id = ? order by v.number", [submission_id])


def documents(db: Database, version_id: int) -> list[dict]:
    return db.query("select * from documents where version_id = ? order by id", [version_id])


def fields(db: Database, version_id: int) -> list[dict]:
    """A version's fields as key and JSON value, in the order they were saved."""
    return db.query("select key, value from fields where version_id = ? order by id",
                    [version_id])



def replies(db: Database, submission_id: int) -> list[dict]:
    """Every outbox row made for a submission, oldest first."""
    return db.query("select id, kind, to_addr, subject, status, created_at, sent_at "
                    "from outbox where submission_id = ? order by id", [submission_id])


def verdict_counts(db: Database) -> dict[str, dict[str, int]]:
    """Submissions per campaign and current verdict, for the console's 今日 page."""
    counts: dict[str, dict[str, int]] = {}
    for row in db.query("select campaign, verdict, count(*) as n from submissions "
                        "group by campaign, verdict"):
        counts.setdefault(row["campaign"], {})[row["verdict"]] = row["n"]
    return counts
