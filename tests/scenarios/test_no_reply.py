"""Loop safety end to end: every suppression case is recorded and answered by no one, with its
reason in the ledger and the log; the plain controls get exactly one reply each."""
from __future__ import annotations

import email
import logging
from collections import Counter
from datetime import datetime, timezone
from email import policy

import pytest

from outbox.loops import REASONS, reply_address
from parsers.mail import parse_mail
from pipeline.app.digest import render_digest
from pipeline.app.runner import Pipeline
from pipeline.app.sending import reason_text
from pipeline.store.database import Database
from tests.support.loopmail import controls, suppression_cases
from tests.support.workspace import make_workspace

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every case and control delivered to one mailbox, one pass, the log kept."""
    workspace = make_workspace(tmp_path_factory.mktemp("loops"), [])
    cases, plain = suppression_cases(), controls()
    for n, case in enumerate(cases + plain):
        (workspace.root / "mail" / "new" / f"{n:04d}.{case.name}.eml").write_bytes(case.raw)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("intake")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)  # setLevel, not .level: it clears the logger's cache
    db = Database(workspace.config().database)
    try:
        report = Pipeline(workspace.config(), db, lambda: NOW).run_once()
        rows = {r["message_id"]: r for r in db.query(
            "select m.message_id, m.status, m.verdict, m.note, o.status as reply, o.reason "
            "from messages m left join outbox o on o.message_row = m.id")}
        digest = render_digest(db, workspace.config(), NOW, NOW.date()).raw
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        db.close()
    spooled = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
               for p in sorted((workspace.root / "var" / "outbox").glob("*.eml"))]
    log = "\n".join(r.getMessage() for r in records)
    return cases, plain, report, rows, spooled, log, digest


def message_id(raw: bytes) -> str:
    return parse_mail(raw).message_id


def test_the_fixture_set_covers_every_reason(ran):
    cases = ran[0]
    assert len(cases) >= 25 and {c.reason for c in cases} == set(REASONS)


def test_each_suppression_case_is_recorded_with_its_reason_and_gets_no_reply(ran):
    cases, _, report, rows, spooled, log, _ = ran
    assert report.parked == [] and len(report.outcomes) == len(rows)
    for case in cases:
        row = rows[message_id(case.raw)]
        assert row["status"] == "done", case.name
        assert row["reply"] in (None, "suppressed"), case.name
        if row["verdict"] == "not_submission":  # mail no person wrote: never a submission
            assert row["reply"] is None and row["note"], case.name
        else:
            assert row["verdict"] == "complete" and row["reason"] == case.reason, case.name
            assert row["note"] == reason_text(case.reason), case.name
        assert row["note"] in log, case.name
    answered = Counter(str(m["To"]) for m in spooled)
    for case in cases:
        mail = parse_mail(case.raw)
        assert all(a not in answered for a in (mail.from_addr, mail.return_path) if a), case.name


def test_each_control_gets_exactly_one_reply(ran):
    _, plain, _, rows, spooled, _, _ = ran
    assert len(plain) >= 3
    answered = Counter(str(m["To"]) for m in spooled)
    assert len(spooled) == len(plain)
    for case in plain:
        row = rows[message_id(case.raw)]
        assert (row["verdict"], row["reply"], row["reason"]) == ("complete", "sent", None), case.name
        assert answered[reply_address(parse_mail(case.raw))] == 1, case.name


def test_the_digest_counts_what_was_suppressed(ran):
    cases, _, _, rows, _, _, digest = ran
    text = email.message_from_bytes(digest, policy=policy.default).get_body(("plain",)).get_content()
    suppressed = sum(1 for c in cases if rows[message_id(c.raw)]["reply"] == "suppressed")
    assert suppressed >= 20
    assert f"未自动回复的申报（防循环、限额等）（{suppressed}）" in text
    assert reason_text("not_addressed") in text and reason_text("list") in text
