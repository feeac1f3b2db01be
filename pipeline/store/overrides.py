"""People's decisions at the database edge: read them, record them, save what they leave."""
from __future__ import annotations

from pipeline.analysis.overrides import Judged, Override
from pipeline.store.database import Database


def override_rows(db: Database, submission_id: int) -> list[dict]:
    """Every decision on a submission as it is stored, oldest first."""
    return db.query("select * from overrides where submission_id = ? order by id", [submission_id])


def overrides_of(db: Database, submission_id: int) -> tuple[Override, ...]:
    """Every decision on a submission, oldest first."""
    return tuple(Override.from_row(r) for r in override_rows(db, submission_id))


def record_override(db: Database, row: dict[str, object]) -> int:
    return db.insert("overrides", row)


def judged_rows(judged: Judged) -> list[dict[str, object]]:
    """The findings as rows, each with the waiver that sets it aside (or None)."""
    return [{**f.to_json(), "waived_by": w} for f, w in zip(judged.findings, judged.waived_by)]
