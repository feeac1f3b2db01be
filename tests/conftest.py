"""Shared fixtures: the built-in profiles and a small Submission builder."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from parsers.types import Document, Section
from rules.profile import Profile, load_profiles
from rules.types import Submission

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 4, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def profiles() -> dict[str, Profile]:
    return load_profiles([ROOT / "rules" / "campaigns"])


def doc(name: str, kind: str, **values: object) -> Document:
    """A readable document of a kind, for rule tests."""
    defaults = {"format": "docx" if kind in ("form", "writeup") else "jpeg", "size": 2_000_000,
                "sha256": f"sha-{name}"}
    defaults.update(values)
    return Document(name=name, kind=kind, **defaults)


def section(name: str, chars: int) -> Section:
    return Section(name=name, text="字" * chars, chars=chars)


def submission(campaign: str, documents: tuple[Document, ...] = (), **values: object) -> Submission:
    base = {"subject": "", "subject_unit": None, "subject_matched": True, "body": "",
            "sender": "applicant@example.com", "arrived_at": NOW}
    forms = [d for d in documents if d.kind == "form" and d.error is None]
    base["fields"] = dict(forms[-1].fields) if forms else {}
    base.update(values)
    return Submission(campaign=campaign, documents=documents, **base)
