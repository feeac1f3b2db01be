"""Kill `intake run` mid-run and restart it: nothing lost, nothing processed or queued twice."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from tests.support.workspace import Workspace, findings_by_message, make_workspace


def run_until_idle(workspace: Workspace) -> None:
    for _ in range(10):
        result = workspace.intake("run")
        if result.returncode == 0 and "fetched 0, processed 0" in result.stdout:
            return
        assert result.returncode in (0, -signal.SIGKILL), result.stderr
    raise AssertionError("intake run never became idle")


def assert_consistent(workspace: Workspace, clean: dict) -> None:
    samples = workspace.samples
    ledger = workspace.query("select uid, status from messages")
    assert len(ledger) == len({r["uid"] for r in ledger}) == len(samples)
    assert {r["status"] for r in ledger} == {"done"}
    outbox = workspace.query("select message_row, status from outbox")
    answered = [s for s in samples if s.verdict in ("complete", "deficient", "late")]
    assert len(outbox) == len({r["message_row"] for r in outbox}) == len(answered)
    assert {r["status"] for r in outbox} == {"sent"}
    assert len(list((workspace.root / "var" / "outbox").glob("*.eml"))) == len(answered)
    assert list(findings_by_message(workspace).values()) == list(clean.values())


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("clean"))
    run_until_idle(workspace)
    return findings_by_message(workspace)


@pytest.mark.parametrize("failpoint", ["after_store:3", "before_commit:1", "before_commit:4",
                                       "after_commit:2", "after_send:3"])
def test_killed_at_a_failpoint_and_restarted(tmp_path, clean, failpoint):
    """GIVEN a run killed with SIGKILL at a point WHEN restarted until idle THEN all is once."""
    workspace = make_workspace(tmp_path)
    killed = workspace.intake("run", env={"INTAKE_FAILPOINTS": failpoint})
    assert killed.returncode == -signal.SIGKILL
    run_until_idle(workspace)
    assert_consistent(workspace, clean)


def test_killed_at_random_moments(tmp_path, clean):
    workspace = make_workspace(tmp_path)
    rng = random.Random(20261121)
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--config",
                                  str(workspace.config_path)], cwd=workspace.root,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        child.kill()
        child.wait()
    run_until_idle(workspace)
    assert_consistent(workspace, clean)
