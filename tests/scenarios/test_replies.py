"""Replies through a real SMTP server on loopback: every kind, retries, failures, ambiguous
sends, review mode, TLS with a password; each reply accepted by the server exactly once."""
from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

from pipeline.app.digest import render_digest
from pipeline.app.runner import Pipeline
from pipeline.demo.samples import at, catalogue, mail, sample_id
from pipeline.demo.samples.texts import WU
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from tests.scenarios.test_versions import corrected_form
from tests.support.smtpserver import SmtpServer
from tests.support.workspace import Workspace, make_workspace

START = datetime(2024, 4, 13, 1, 0, tzinfo=timezone.utc)
PREFIXES = ("【已更新】【已受理】", "【已受理】", "【需补正】", "【逾期】")


class Clock:
    def __init__(self, moment: datetime = START):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def smtp_workspace(root: Path, server: SmtpServer, samples=None, replies: str = 'mode = "send"',
                   smtp: str = 'tls = "none"') -> Workspace:
    workspace = make_workspace(root, samples)
    text = workspace.config_path.read_text(encoding="utf-8")
    text = text.replace('mode = "send"\n', f'sender = "smtp"\n{replies}\n')
    workspace.config_path.write_text(
        text + f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n{smtp}\ntimeout = 5\n',
        encoding="utf-8")
    return workspace


class Run:
    """One deployment's pipeline on a test clock, over its own database."""

    def __init__(self, workspace: Workspace, clock: Clock | None = None):
        self.workspace, self.clock = workspace, clock or Clock()
        self.db = Database(workspace.config().database)
        self.pipeline = Pipeline(workspace.config(), self.db, self.clock)

    def once(self):
        return self.pipeline.run_once()

    def drain(self):
        return self.pipeline.drain_outbox()

    def outbox(self) -> list[dict]:
        return self.db.query("select * from outbox order by id")

    def close(self) -> None:
        self.db.close()


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_every_kind_is_delivered_once_with_its_headers_and_both_parts(tmp_path, smtp_server):
    """GIVEN the sample campaign mail and a correction WHEN the pipeline runs twice THEN the
    server holds one reply per submission and version: receipts, notices, a late notice and
    an updated receipt, each answering its mail, marked auto-replied, with both parts."""
    workspace = smtp_workspace(tmp_path, smtp_server)
    run = Run(workspace)
    run.once()
    notice = next(parsed(m.raw) for m in smtp_server.messages
                  if "GPIPC-2024-E-0002" in str(parsed(m.raw)["Subject"]))
    correction = mail(f"回复：{notice['Subject']}", WU.sender(), "已按要求修改，请查收。",
                      [("案例申报信息表（修改）.docx", corrected_form("fix"))],
                      date=at(2024, 4, 13, 9, 0), message_id=sample_id("fix"),
                      in_reply_to=notice["Message-ID"])
    (workspace.root / "mail" / "new" / "9001.fix.eml").write_bytes(correction)
    run.once()
    rows, originals = run.outbox(), {r["id"]: r["message_id"] for r in run.db.query(
        "select id, message_id from messages")}
    assert [r["status"] for r in rows] == ["sent"] * len(rows) and len(rows) == 14
    assert len(smtp_server.messages) == len(rows)
    by_id = {parsed(m.raw)["Message-ID"]: m for m in smtp_server.messages}
    assert set(by_id) == {r["message_id"] for r in rows}
    kinds = set()
    for row in rows:
        received = by_id[row["message_id"]]
        message = parsed(received.raw)
        assert received.mail_from == "cases@example.org"
        assert received.rcpt_tos == (row["to_addr"],) and message["To"] == row["to_addr"]
        assert message["In-Reply-To"] == originals[row["message_row"]]
        assert originals[row["message_row"]] in message["References"]
        assert (message["Auto-Submitted"], message["X-Auto-Response-Suppress"],
                message["X-Intake-Loop"]) == ("auto-replied", "All", "example.org")
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        reference = str(message["Subject"]).rsplit("：", 1)[1].rstrip("）")
        assert reference in text and reference in html
        kinds.add(next(p for p in PREFIXES if str(message["Subject"]).startswith(p)))
    assert kinds == set(PREFIXES)


def one_submission(tmp_path, server, **options) -> Run:
    complete = next(s for s in catalogue() if s.key == "ccea-csr-complete")
    return Run(smtp_workspace(tmp_path, server, [complete], **options))


def test_a_temporary_failure_is_retried_later_with_the_same_message_id(tmp_path, smtp_server):
    run = one_submission(tmp_path, smtp_server)
    smtp_server.script(["451"])
    first = run.once()
    (row,) = run.outbox()
    assert (first.sent, row["status"], row["attempts"], row["code"]) == (0, "queued", 1, 451)
    assert "451" in row["error"] and smtp_server.messages == []
    run.clock.advance(seconds=30)
    assert run.drain().sent == 0 and smtp_server.transactions == 1  # not due before its backoff
    run.clock.advance(seconds=31)
    assert run.drain().sent == 1
    (row,) = run.outbox()
    (received,) = smtp_server.messages
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert parsed(received.raw)["Message-ID"] == row["message_id"]
    run.clock.advance(days=1)
    assert run.drain().sent == 0 and len(smtp_server.messages) == 1


def test_a_permanent_refusal_is_tried_once_and_reported(tmp_path, smtp_server):
    run = one_submission(tmp_path, smtp_server)
    smtp_server.script(["550"])
    run.once()
    run.clock.advance(days=1)
    run.drain()
    (row,) = run.outbox()
    assert (row["status"], row["attempts"], row["code"]) == ("failed", 1, 550)
    assert smtp_server.transactions == 1 and smtp_server.messages == []
    text = parsed(render_digest(run.db, run.workspace.config(), run.clock(),
                                START.date()).raw).get_body(("plain",)).get_content()
    assert "发送失败或退信的回复（1）" in text and "发送失败（已尝试1次）：" in text and "550" in text


def test_a_connection_lost_after_the_final_dot_is_retried_and_counted(tmp_path, smtp_server):
    run = one_submission(tmp_path, smtp_server)
    smtp_server.script(["drop_after_dot"])
    run.once()
    (row,) = run.outbox()
    assert (row["status"], row["ambiguous"], row["code"]) == ("queued", 1, None)
    run.clock.advance(minutes=2)
    assert run.drain().sent == 1
    (dropped,), (received,) = smtp_server.dropped, smtp_server.messages
    assert parsed(dropped.raw)["Message-ID"] == parsed(received.raw)["Message-ID"] == row["message_id"]
    (row,) = run.outbox()
    assert (row["status"], row["attempts"], row["ambiguous"]) == ("sent", 2, 1)
    text = parsed(render_digest(run.db, run.workspace.config(), run.clock(),
                                START.date()).raw).get_body(("plain",)).get_content()
    assert "可能重复发送的回复（1）" in text


def test_a_connection_failure_stops_the_drain_and_nothing_is_lost(tmp_path, smtp_server):
    samples = [s for s in catalogue() if s.key in ("ccea-csr-complete", "mee-complete")]
    run = Run(smtp_workspace(tmp_path, smtp_server, samples))
    smtp_server.script(["drop_before_data"])
    run.once()
    first, second = run.outbox()
    assert (first["status"], first["attempts"], first["ambiguous"]) == ("queued", 1, 0)
    assert (second["status"], second["attempts"]) == ("queued", 0)
    run.clock.advance(minutes=2)
    assert run.drain().sent == 2
    assert sorted(parsed(m.raw)["Message-ID"] for m in smtp_server.messages) == \
        sorted(r["message_id"] for r in run.outbox())


def test_a_reply_not_accepted_within_give_up_hours_fails(tmp_path, smtp_server):
    run = one_submission(tmp_path, smtp_server, replies='mode = "send"\ngive_up_hours = 2')
    smtp_server.stop()
    run.once()
    run.clock.advance(hours=1)
    run.drain()
    assert run.outbox()[0]["status"] == "queued"
    run.clock.advance(hours=1, minutes=1)
    run.drain()
    (row,) = run.outbox()
    assert row["status"] == "failed" and row["error"].startswith("gave up after 3 attempts")


def test_a_row_left_sending_by_a_crash_is_sent_again_and_counted(tmp_path, smtp_server):
    run = one_submission(tmp_path, smtp_server, replies='mode = "review"')
    run.once()
    outbox = Outbox(run.db)
    (row,) = run.outbox()
    assert outbox.approve(row["id"], START, "test") == ""
    assert outbox.claim(row["id"], START)  # the process dies here, mid-transaction
    again = Run(run.workspace, run.clock)
    report = again.drain()
    assert (report.recovered, report.sent) == (1, 1)
    (row,) = again.outbox()
    assert (row["status"], row["ambiguous"], row["attempts"]) == ("sent", 1, 2)


def test_review_mode_holds_everything_until_approved(tmp_path, smtp_server):
    samples = [s for s in catalogue() if s.key in ("ccea-csr-complete", "ccea-csr-deficient",
                                                   "mee-complete")]
    workspace = smtp_workspace(tmp_path, smtp_server, samples, replies='mode = "review"')
    result = workspace.intake("run")
    assert result.returncode == 0, result.stderr
    assert '3 repl(ies) held for review ([replies] mode = "review")' in result.stdout
    assert smtp_server.transactions == 0
    listing = workspace.intake("outbox", "list", "--status", "held")
    assert listing.stdout.count("held") >= 3 and "CCEA-2022-CSR-0002" in listing.stdout
    shown = workspace.intake("outbox", "show", "2")
    assert "status: held" in shown.stdout and "Subject: 【需补正】" in shown.stdout
    assert "直接回复本邮件并附上修改后的材料即可" in shown.stdout
    approved = workspace.intake("outbox", "approve", "2", "--by", "王秘书")
    assert "approved 1 of 1" in approved.stdout and "sent 1 message(s)" in approved.stdout
    assert [parsed(m.raw)["Subject"].startswith("【需补正】") for m in smtp_server.messages] == [True]
    assert "discarded 1 of 1" in workspace.intake("outbox", "discard", "3").stdout
    assert "sent 1 message(s)" in workspace.intake("outbox", "approve", "--all").stdout
    refused = workspace.intake("outbox", "approve", "2")
    assert "#2: not approved: #2 is sent" in refused.stderr
    statuses = {r["id"]: (r["status"], r["approved_by"]) for r in workspace.query(
        "select id, status, approved_by from outbox")}
    assert statuses[1][0] == "sent" and statuses[2] == ("sent", "王秘书")
    assert statuses[3][0] == "discarded" and len(smtp_server.messages) == 2


def test_starttls_and_a_password_from_the_environment(tmp_path, smtp_server_factory):
    server = smtp_server_factory(tls="starttls", user="cases@example.org", require_auth=True)
    run_options = {"smtp": f'tls = "starttls"\nca_file = "{server.ca_file}"\n'
                           'user = "cases@example.org"\npassword_env = "INTAKE_TEST_SMTP"'}
    complete = next(s for s in catalogue() if s.key == "ccea-csr-complete")
    workspace = smtp_workspace(tmp_path, server, [complete], **run_options)
    result = workspace.intake("run", env={"INTAKE_TEST_SMTP": server.password})
    assert result.returncode == 0 and "replies sent 1" in result.stdout, result.stdout
    (received,) = server.messages
    assert received.tls and received.login == "cases@example.org"
    assert server.password not in result.stdout + result.stderr


def test_doctor_logs_in_to_the_smtp_server_and_sends_nothing(tmp_path, smtp_server_factory):
    server = smtp_server_factory(tls="starttls", user="cases@example.org", require_auth=True)
    workspace = smtp_workspace(tmp_path, server, [], smtp=(
        f'tls = "starttls"\nca_file = "{server.ca_file}"\nuser = "cases@example.org"\n'
        'password_env = "INTAKE_TEST_SMTP"'))
    good = workspace.intake("doctor", env={"INTAKE_TEST_SMTP": server.password})
    sender = next(line for line in good.stdout.splitlines() if "sender:" in line)
    assert sender.strip().startswith("ok") and "TLSv1.3, logged in as cases@example.org" in sender
    bad = workspace.intake("doctor", env={"INTAKE_TEST_SMTP": "wrong-password"})
    sender = next(line for line in bad.stdout.splitlines() if "sender:" in line)
    assert sender.strip().startswith("FAIL") and "login refused" in sender
    assert bad.returncode == 1 and server.transactions == 0 and server.messages == []


def postfix_bounce(original: bytes, recipient: str) -> bytes:
    """Postfix's DSN for one of our replies, the reply attached whole."""
    boundary = "bounce-boundary-1"
    return (
        "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.cn>\n"
        "To: cases@example.org\nSubject: Undelivered Mail Returned to Sender\n"
        "Date: Sat, 13 Apr 2024 09:10:00 +0800\nMessage-ID: <dsn-1@mx.example.cn>\n"
        "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\n\n"
        f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n"
        f"<{recipient}>: host mx.example.cn said: 550 5.1.1 User unknown\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.cn\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
        f"--{boundary}\nContent-Type: message/rfc822\n\n"
    ).encode() + original.replace(b"\r\n", b"\n") + f"\n--{boundary}--\n".encode()


def test_a_bounce_of_a_reply_marks_the_row_and_the_address(tmp_path, smtp_server):
    from pipeline.app.sending import admit, policy_of

    run = one_submission(tmp_path, smtp_server)
    run.once()
    (received,) = smtp_server.messages
    (row,) = run.outbox()
    (run.workspace.root / "mail" / "new" / "9002.bounce.eml").write_bytes(
        postfix_bounce(received.raw, row["to_addr"]))
    run.clock.advance(minutes=5)
    report = run.once()
    assert [o.verdict for _, o in report.outcomes] == ["not_submission"] and report.sent == 0
    (row,) = run.outbox()
    assert row["status"] == "bounced" and "5.1.1" in row["bounce"]
    (failing,) = run.db.query("select * from failing_addresses")
    assert (failing["address"], failing["outbox_id"]) == (row["to_addr"], row["id"])
    note = run.db.query("select note from messages order by id desc limit 1")[0]["note"]
    assert f"发往 {row['to_addr']} 的邮件（发件箱 #{row['id']}）" in note
    policy = policy_of(run.workspace.config())
    assert admit(Outbox(run.db), policy, row["to_addr"], "reminder", run.clock()) == \
        ("suppressed", "address_failing")
    text = parsed(render_digest(run.db, run.workspace.config(), run.clock(),
                                START.date()).raw).get_body(("plain",)).get_content()
    assert "已退信：5.1.1" in text
