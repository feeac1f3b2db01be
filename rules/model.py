"""What rules take and give: a Submission in, Findings out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parsers.model import Document, LargeLink


@dataclass(frozen=True)
class Finding:
    """One thing wrong or worth knowing; `severity` error makes a submission deficient."""

    rule: str
    field: str | None
    severity: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule, "field": self.field, "severity": self.severity,
                "message": self.message}


@dataclass(frozen=True)
class Submission:
    """The merged materials of one applicant's case, as the rules see them."""

    campaign: str
    subject: str
    # The unit written in the subject's brackets, when the subject follows a convention.
    subject_unit: str | None
    subject_matched: bool
    body: str
    sender: str
    arrived_at: datetime | None
    documents: tuple[Document, ...]
    fields: dict[str, object] = field(default_factory=dict)
    # The form's fields that are written but could not be read (key -> what is written).
    unreadable: dict[str, str] = field(default_factory=dict)
    large_links: tuple[LargeLink, ...] = ()
    # Earlier submissions in the database that share this one's quota key.
    quota_count: int = 0

    @property
    def unit_name(self) -> str:
        form_unit = self.fields.get("unit_name")
        return self.subject_unit or (form_unit if isinstance(form_unit, str) else "") or ""

    def of_kind(self, kind: str) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.kind == kind and d.error is None)
