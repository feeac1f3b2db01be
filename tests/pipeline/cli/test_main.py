"""The CLI as a user runs it: campaigns, list, show, and a parked message with its reason."""
from __future__ import annotations

import pytest

from pipeline.app import runner
from pipeline.demo.samples import catalogue
from tests.support.workspace import make_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("cli"), [])


def test_campaigns_lists_every_profile(workspace):
    result = workspace.intake("campaigns")
    assert result.returncode == 0
    for campaign in ("ccea-green-2022", "ccea-csr-2022", "mee-lowcarbon-2023", "gpipc-park-2024",
                     "gpipc-enterprise-2024", "cq-ict-enabling"):
        assert campaign in result.stdout


def test_campaigns_show_tells_the_checks_in_chinese(workspace):
    result = workspace.intake("campaigns", "show", "gpipc-park-2024")
    assert result.returncode == 0
    for words in ("【单位名称】绿盟案例征集", "200字以内", "每个大于1MB", "约300–500字", "2024年4月15日"):
        assert words in result.stdout


def test_an_unknown_campaign_is_a_clear_error(workspace):
    result = workspace.intake("campaigns", "show", "no-such")
    assert result.returncode == 2 and "no campaign 'no-such'" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help(workspace):
    for command in ("run", "check", "extract", "demo", "list", "show", "campaigns"):
        result = workspace.intake(command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout


def test_a_message_that_raises_is_parked_and_the_run_goes_on(tmp_path, monkeypatch):
    """GIVEN a message whose processing raises WHEN run THEN it is tried 3 times, parked with its
    traceback, shown by list and show, and the next message is still processed."""
    samples = [s for s in catalogue() if s.key in ("inquiry", "ccea-csr-complete")]
    workspace = make_workspace(tmp_path, samples)
    real = runner.prepare

    def flaky(data, reader):
        if b"sample-inquiry" in data:
            raise RuntimeError("simulated parser crash")
        return real(data, reader)

    monkeypatch.setattr(runner, "prepare", flaky)
    report = runner.run(workspace.config())
    parked = 1 + [s.key for s in samples].index("inquiry")
    assert [row_id for row_id, _ in report.parked] == [parked] and report.retried == 2
    assert [o.verdict for _, o in report.outcomes] == ["complete"]
    listed = workspace.intake("list")
    assert "parked" in listed.stdout and "simulated parser crash" in listed.stdout
    shown = workspace.intake("show", str(parked))
    assert "RuntimeError: simulated parser crash" in shown.stdout and "attempts: 3" in shown.stdout
    submission = workspace.intake("show", "CCEA-2022-CSR-0001")
    assert "绿色低碳发展" in submission.stdout and "receipt" in submission.stdout
