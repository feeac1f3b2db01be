"""`intake run` over a Maildir of samples: the right verdicts, and nothing twice."""
from __future__ import annotations

import pytest

from pipeline.app.runner import run
from tests.support.workspace import findings_by_message, make_workspace


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("run"))
    first = run(workspace.config())
    second = run(workspace.config())
    return workspace, first, second


def test_every_sample_gets_the_verdict_and_findings_it_was_built_with(ran):
    workspace, first, _ = ran
    got = list(findings_by_message(workspace).values())
    expected = [(s.verdict, set(s.findings)) for s in workspace.samples]
    assert [(s.key, *g) for s, g in zip(workspace.samples, got)] == \
        [(s.key, *e) for s, e in zip(workspace.samples, expected)]
    assert first.fetched == len(workspace.samples) and not first.parked


def test_a_second_run_processes_nothing(ran):
    _, _, second = ran
    assert (second.fetched, len(second.outcomes), second.sent) == (0, 0, 0)


def test_one_reply_per_answered_mail_is_spooled(ran):
    workspace, first, _ = ran
    answered = [s for s in workspace.samples if s.verdict in ("complete", "deficient", "late")]
    spooled = sorted((workspace.root / "var" / "outbox").glob("*.eml"))
    assert len(spooled) == len(answered) == first.sent
    rows = workspace.query("select status, count(*) as n from outbox group by status")
    assert rows == [{"status": "sent", "n": len(answered)}]


def test_references_count_from_one_in_each_campaign(ran, profiles):
    workspace, _, _ = ran
    rows = workspace.query("select campaign, reference from submissions order by id")
    by_campaign: dict[str, list[str]] = {}
    for row in rows:
        by_campaign.setdefault(row["campaign"], []).append(row["reference"])
    for campaign, references in by_campaign.items():
        prefix = profiles[campaign].reference_prefix
        assert references == [f"{prefix}-{n:04d}" for n in range(1, len(references) + 1)]


def test_a_second_process_is_refused_while_one_runs(ran, tmp_path):
    workspace, _, _ = ran
    from pipeline.errors import AlreadyRunning
    from pipeline.store.lock import RunLock

    with RunLock(workspace.config().database):
        result = workspace.intake("run")
    assert result.returncode == 2 and "another intake process" in result.stderr
    with pytest.raises(AlreadyRunning), RunLock(workspace.config().database), \
            RunLock(workspace.config().database):
        pass
