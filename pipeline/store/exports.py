"""What the 汇总表 and the review folder read: submissions, their current fields and documents, mails."""
from __future__ import annotations

import json

from parsers.model import Document
from pipeline.store.database import Database
from pipeline.store.records import document_from_row

# A submission's current version: the one its `version` column names.
_CURRENT = "v.submission_id = s.id and v.number = s.version"


def stored_campaigns(db: Database) -> list[str]:
    """Every campaign with at least one submission."""
    return [r["campaign"] for r in db.query("select distinct campaign from submissions")]


def submissions_of(db: Database, campaign: str) -> list[dict]:
    """A campaign's submission rows, oldest first."""
    return db.query("select * from submissions where campaign = ? order by id", [campaign])


def submissions_with_arrivals(db: Database, campaign: str) -> list[dict]:
    """A campaign's submissions with their current version, first and latest arrival, and
    version count."""
    return db.query(
        "select s.*, v.id as version_id, (select count(*) from versions where submission_id = "
        "s.id) as versions, (select m.received_at from versions f join messages m on "
        "m.id = f.message_row where f.submission_id = s.id order by f.number limit 1) as first_at, "
        "m.received_at as latest_at from submissions s "
        f"left join versions v on {_CURRENT} left join messages m on m.id = v.message_row "
        "where s.campaign = ? order by s.id", [campaign])


def current_fields(db: Database, campaign: str) -> dict[int, dict[str, object]]:
    """Field values of each submission's current version, by submission id, decoded from the
    JSON the database keeps them in."""
    rows = db.query("select s.id, f.key, f.value from submissions s join versions v on "
                    f"{_CURRENT} join fields f on f.version_id = v.id where s.campaign = ?",
                    [campaign])
    found: dict[int, dict[str, object]] = {}
    for row in rows:
        found.setdefault(row["id"], {})[row["key"]] = json.loads(row["value"]) \
            if row["value"] is not None else None
    return found


def current_findings(db: Database, campaign: str) -> list[dict]:
    """Findings of the current versions, with the waiver (note, by) that covers any."""
    return db.query(
        "select s.id as submission_id, s.reference, s.unit_name, s.case_name, f.rule, f.field, "
        "f.severity, f.message, f.waived_by, o.note as waiver_note, o.\"by\" as waiver_by "
        f"from submissions s join versions v on {_CURRENT} join findings f on f.version_id = v.id "
        "left join overrides o on o.id = f.waived_by where s.campaign = ? order by s.id, f.id",
        [campaign])


def current_documents(db: Database, submission_id: int) -> list[Document]:
    """The documents of a submission's current version, in the order they were read."""
    rows = db.query("select d.* from documents d join versions v on d.version_id = v.id join "
                    f"submissions s on {_CURRENT} where s.id = ? order by d.id", [submission_id])
    return [document_from_row(r) for r in rows]


def version_mails(db: Database, submission_id: int) -> list[dict]:
    """The mail of each version, newest first: sha256 and the path the ledger recorded."""
    return db.query("select v.number, m.sha256, m.raw_path from versions v join messages m on "
                    "m.id = v.message_row where v.submission_id = ? order by v.number desc",
                    [submission_id])
