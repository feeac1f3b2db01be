"""One submission as people's decisions read and rewrite it: found by reference, its current
version, findings and answers, and a version's judgement replaced after the rules ran again."""
from __future__ import annotations

from pipeline.store.database import Database


def by_reference(db: Database, reference: str) -> dict | None:
    found = db.query("select * from submissions where reference = ?", [reference])
    return found[0] if found else None


def reference_of_message(db: Database, message_row: int) -> dict | None:
    """The reference and id of the submission a message belongs to, if it belongs to one."""
    found = db.query("select s.reference, s.id from messages m join submissions s "
                     "on m.submission_id = s.id where m.id = ?", [message_row])
    return found[0] if found else None


def version_with_mail(db: Database, submission_id: int, number: int) -> dict:
    """A version's row with the raw mail it came in (raw_path)."""
    return db.query("select v.*, m.raw_path from versions v join messages m on "
                    "v.message_row = m.id where v.submission_id = ? and v.number = ?",
                    [submission_id, number])[0]


def findings_of_version(db: Database, version_id: int) -> list[dict]:
    return db.query("select rule, field, severity, message, waived_by from "
                    "findings where version_id = ? order by id", [version_id])


def first_decision_since_answer(db: Database, submission_id: int,
                                answer_kinds: tuple[str, ...]) -> dict | None:
    """The first override recorded since the applicant was last answered (a reply of one of
    `answer_kinds`), whose `before` holds the findings that counted in that answer."""
    found = db.query(
        "select before from overrides where submission_id = :id and datetime(at) >= coalesce(("
        "select max(datetime(created_at)) from outbox where submission_id = :id and kind in "
        f"({', '.join(repr(k) for k in answer_kinds)})), '') order by id limit 1",
        {"id": submission_id})
    return found[0] if found else None


def rejudge(db: Database, version: dict, findings: list[dict], fields: dict[str, object],
            verdict: str, submission: dict[str, object]) -> None:
    """Replace a version's findings, fields and verdict, and its submission's summary columns
    (`submission` holds id and the columns to set)."""
    version_id = version["id"]
    db.execute("delete from findings where version_id = ?", [version_id])
    db.save_findings(version["message_row"], version_id, findings)
    db.execute("delete from fields where version_id = ?", [version_id])
    db.insert_fields(version_id, fields)
    db.update("versions", version_id, {"verdict": verdict})
    values = {k: v for k, v in submission.items() if k != "id"}
    db.update("submissions", submission["id"], {"verdict": verdict, **values})
