"""What the exports read, on an in-memory database: current versions only, arrivals, waivers."""
from __future__ import annotations

import pytest

from parsers.model import Document
from pipeline.store.database import Database
from pipeline.store.exports import (current_documents, current_fields, current_findings, stored_campaigns,
                                    submissions_of, submissions_with_arrivals, version_mails)
from pipeline.store.overrides import record_override
from pipeline.store.records import document_to_row


@pytest.fixture
def db():
    database = Database(None)
    yield database
    database.close()


def submission(db: Database, reference: str, campaign: str = "park", versions: int = 1) -> int:
    return db.save_submission({"campaign": campaign, "reference": reference, "verdict": "deficient",
                               "version": versions, "created_at": "2024-04-01T08:00:00+08:00"})


def version(db: Database, submission_id: int, number: int, fields: dict[str, object] | None = None,
            documents: tuple[Document, ...] = ()) -> int:
    """A version and the mail it came in, received on the number'th of April."""
    uid = f"{submission_id}.{number}"
    message = db.record_fetched({"source": "demo", "folder": "INBOX", "uidvalidity": "v", "uid": uid,
                                 "sha256": f"sha-{uid}", "raw_path": f"/raw/{uid}.eml",
                                 "received_at": f"2024-04-0{number}T09:00:00+08:00"})
    return db.save_version({"submission_id": submission_id, "number": number, "message_row": message},
                           [document_to_row(d) for d in documents], fields or {})


def document(name: str) -> Document:
    return Document(name=name, kind="form", format="docx", size=10, sha256=f"sha-{name}")


def test_stored_campaigns_are_those_with_a_submission(db):
    assert stored_campaigns(db) == []
    submission(db, "P-0001")
    submission(db, "P-0002")
    submission(db, "G-0001", campaign="green")
    assert sorted(stored_campaigns(db)) == ["green", "park"]


def test_submissions_of_a_campaign_come_oldest_first(db):
    first, second = submission(db, "P-0001"), submission(db, "P-0002")
    submission(db, "G-0001", campaign="green")
    assert [(r["id"], r["reference"]) for r in submissions_of(db, "park")] == [
        (first, "P-0001"), (second, "P-0002")]
    assert submissions_of(db, "none") == []


def test_arrivals_are_the_first_and_the_current_versions_mail(db):
    sub = submission(db, "P-0001", versions=2)
    version(db, sub, 1)
    current = version(db, sub, 2)
    submission(db, "P-0002")  # no version yet: still listed, without arrivals
    rows = submissions_with_arrivals(db, "park")
    assert [(r["reference"], r["version_id"], r["versions"]) for r in rows] == [
        ("P-0001", current, 2), ("P-0002", None, 0)]
    assert (rows[0]["first_at"], rows[0]["latest_at"]) == ("2024-04-01T09:00:00+08:00",
                                                           "2024-04-02T09:00:00+08:00")
    assert (rows[1]["first_at"], rows[1]["latest_at"]) == (None, None)


def test_current_fields_are_the_current_versions_decoded(db):
    sub = submission(db, "P-0001", versions=2)
    version(db, sub, 1, {"case_name": "旧名称"})
    version(db, sub, 2, {"case_name": "新名称", "category": ["低碳", "数字化"], "seal": None})
    submission(db, "G-0001", campaign="green")
    assert current_fields(db, "park") == {
        sub: {"case_name": "新名称", "category": ["低碳", "数字化"], "seal": None}}
    assert current_fields(db, "green") == {}


def test_current_findings_carry_the_waiver_that_covers_them(db):
    sub = submission(db, "P-0001")
    current = version(db, sub, 1)
    waiver = record_override(db, {"submission_id": sub, "action": "waive", "rule": "abbrev",
                                  "note": "通用术语", "by": "秘书处", "at": "2024-04-03"})
    db.save_findings(1, current, [
        {"rule": "abbrev", "field": "case_name", "severity": "error", "message": "含缩写",
         "waived_by": waiver},
        {"rule": "field_missing", "field": "phone", "severity": "error", "message": "缺电话"}])
    found = current_findings(db, "park")
    assert [(f["reference"], f["rule"], f["waiver_note"], f["waiver_by"]) for f in found] == [
        ("P-0001", "abbrev", "通用术语", "秘书处"), ("P-0001", "field_missing", None, None)]


def test_findings_of_an_older_version_are_not_current(db):
    sub = submission(db, "P-0001", versions=2)
    older = version(db, sub, 1)
    version(db, sub, 2)
    db.save_findings(1, older, [{"rule": "field_missing", "field": "phone", "severity": "error",
                                 "message": "缺电话"}])
    assert current_findings(db, "park") == []


def test_current_documents_are_those_of_the_current_version_in_order(db):
    sub = submission(db, "P-0001", versions=2)
    version(db, sub, 1, documents=(document("旧申报表.docx"),))
    version(db, sub, 2, documents=(document("申报表.docx"), document("报告.pdf")))
    found = current_documents(db, sub)
    assert [d.name for d in found] == ["申报表.docx", "报告.pdf"]
    assert found[0] == document("申报表.docx")


def test_version_mails_come_newest_first(db):
    sub = submission(db, "P-0001", versions=2)
    version(db, sub, 1)
    version(db, sub, 2)
    assert version_mails(db, sub) == [
        {"number": 2, "sha256": f"sha-{sub}.2", "raw_path": f"/raw/{sub}.2.eml"},
        {"number": 1, "sha256": f"sha-{sub}.1", "raw_path": f"/raw/{sub}.1.eml"}]
    assert version_mails(db, sub + 1) == []
