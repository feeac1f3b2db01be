"""What rules take and give: a Submission in, Findings out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parsers.types import Document


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
class LargeLink:
    """A provider's 超大附件 or cloud-drive share link found in the body instead of the file."""

    name: str
    url: str
    # '2026-12-20 10:00' or '2026-12-20' when the body gives a date; else its words ("30天后过期").
    expires: str = ""
    size: int | None = None
    # Who hosts it: qq, exmail, 163, 126, yeah, qiye163, 139, coremail, onedrive, sharepoint,
    # baidu, aliyun or weiyun.
    provider: str = ""
    # The access code a share link asks for (提取码, 访问码, 密码, ?pwd=); "" when none is given.
    code: str = ""


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
