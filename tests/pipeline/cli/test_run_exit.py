"""`intake run`'s exit code: 1 when a mailbox could not be polled, after the other mailboxes
were processed all the same, so that cron and systemd see a refused login."""
from __future__ import annotations

from bench.dovecot import free_port
from pipeline.demo.samples import catalogue
from tests.support.workspace import Workspace, imap_source, make_workspace

SECRET_ENV = "INTAKE_TEST_RUN_EXIT_SECRET"
WRONG = "not-the-password-4711"
SAMPLES = {s.key: s for s in catalogue()}


def _workspace(root, port: int, user: str) -> Workspace:
    """An IMAP mailbox at `port`, polled first, then a Maildir with one complete submission."""
    workspace = make_workspace(root, [SAMPLES["ccea-csr-complete"]])
    workspace.poll_first(imap_source(port, user, SECRET_ENV) + "timeout = 2\n")
    return workspace


def _assert_the_maildir_was_processed(workspace: Workspace) -> None:
    rows = workspace.query("select source, status, verdict from messages")
    assert rows == [{"source": "test", "status": "done", "verdict": "complete"}]
    assert workspace.query("select status from outbox") == [{"status": "sent"}]


def test_a_refused_login_exits_1_and_says_why_after_the_other_mailbox(dovecot, tmp_path):
    """GIVEN a Maildir with a submission and a Dovecot whose password is wrong WHEN `intake run`
    THEN the Maildir's mail is processed and answered, the run says which mailbox was not
    polled and why, and exits 1; with the right password, 0."""
    workspace = _workspace(tmp_path, dovecot.port, dovecot.user)
    refused = workspace.intake("run", env={SECRET_ENV: WRONG})
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert "mailbox box not polled: login:" in refused.stdout
    _assert_the_maildir_was_processed(workspace)
    poll = workspace.query("select ok, error_kind from polls where source = 'box'")
    assert poll == [{"ok": 0, "error_kind": "login"}]
    assert WRONG not in refused.stdout + refused.stderr
    accepted = workspace.intake("run", env={SECRET_ENV: dovecot.password})
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "not polled" not in accepted.stdout


def test_a_refused_connection_exits_1_after_its_reconnections(tmp_path):
    """GIVEN a mailbox on a port where nothing listens WHEN `intake run` THEN after trying
    again it exits 1 naming the mailbox; the Maildir's mail is processed all the same."""
    workspace = _workspace(tmp_path, free_port(), "nobody")
    result = workspace.intake("run", env={SECRET_ENV: "unused"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mailbox box not polled: connection:" in result.stdout
    _assert_the_maildir_was_processed(workspace)
