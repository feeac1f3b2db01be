"""Shared fixtures: the built-in profiles and a small Submission builder."""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from parsers.model import Document, Section
from rules.model import Submission
from rules.profile import Profile, load_profiles
# The IMAP tests' real server, a Dovecot per test: see tests/support/dovecot.py.
from tests.support.dovecot import dovecot, dovecot_factory  # noqa: F401  (fixtures)
# The network-fault tests' TCP proxy: see tests/support/faultproxy.py.
from tests.support.faultproxy import fault_proxy  # noqa: F401  (fixture)
# The SMTP tests' real server, aiosmtpd in a thread: see tests/support/smtpserver.py.
from tests.support.smtpserver import smtp_server, smtp_server_factory  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
# The source notices, beside the checkout as in CI; INTAKE_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("INTAKE_SEEDS", ROOT.parent / "shared" / "seeds"))
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


def seed_contacts() -> set[str]:
    """The phones and mailboxes the notices print: none of them may appear in the project."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed notices are not at {SEEDS}")
    text = "\n".join(p.read_text("utf-8") for p in SEEDS.glob("*.txt"))
    found = set(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text))
    landlines = re.findall(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)", text)
    # A landline may be written with or without its area code.
    found |= {f"{area}-{local}" for area, local in landlines} | {f"{a}{n}" for a, n in landlines}
    found |= {local for _, local in landlines}
    found |= {e.lower() for e in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)}
    assert found, "the seeds name phones and mailboxes: the patterns above must find them"
    return found
