"""Who may change a submission (issue 20, finding 3): a mail from another address naming the
same unit and case is held for a person, answered by no one, and changes nothing until the
secretariat decides; the submission's own sender is told of every change made by another."""
from __future__ import annotations

import email
from email import policy

import pytest

from pipeline.app.runner import run
from pipeline.demo.samples import at, mail, sample_id
from pipeline.demo.samples.media import photo
from pipeline.demo.samples.texts import WU
from tests.scenarios.test_versions import UNIT, corrected_form, deficient_sample, deliver
from tests.support.workspace import make_workspace

MALLORY = "林某 <mallory@example.net>"
SUBJECT = f"【{UNIT}】绿盟企业案例征集"


def spooled(workspace) -> list[email.message.EmailMessage]:
    files = sorted((workspace.root / "var" / "outbox").glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def recipients(workspace) -> list[str]:
    return [m["To"].addresses[0].addr_spec for m in spooled(workspace)]


def correction(sender: str, key: str, in_reply_to: str | None = None) -> bytes:
    return mail(SUBJECT, sender, "修改后的申报表。", [("案例申报信息表.docx", corrected_form(key))],
                date=at(2024, 4, 14, 9, 0), message_id=sample_id(key), in_reply_to=in_reply_to)


@pytest.fixture
def submitted(tmp_path):
    """WU's deficient submission, answered with one notice."""
    workspace = make_workspace(tmp_path, [deficient_sample()])
    run(workspace.config())
    assert recipients(workspace) == [WU.email]
    return workspace


def submission(workspace) -> dict:
    (row,) = workspace.query("select reference, sender, verdict, version from submissions")
    return row


def last_message(workspace) -> dict:
    return workspace.query("select id, status, verdict, submission_id, note, raw_path "
                           "from messages order by id desc limit 1")[0]


def test_another_sender_naming_the_same_case_changes_nothing_and_is_held(submitted):
    before = submission(submitted)
    deliver(submitted, "9101.other.eml", correction(MALLORY, "other"))
    run(submitted.config())
    assert submission(submitted) == before  # same version, verdict and sender
    held = last_message(submitted)
    assert (held["status"], held["verdict"], held["submission_id"]) == ("done", "other_sender", None)
    assert before["reference"] in held["note"] and f"intake resolve {held['id']}" in held["note"]
    assert recipients(submitted) == [WU.email]  # nobody answered, nothing named to mallory
    assert not submitted.query("select * from outbox where to_addr like '%mallory%'")
    listed = submitted.intake("claims")
    assert listed.returncode == 0 and f"#{held['id']}" in listed.stdout
    assert "mallory@example.net" in listed.stdout


def test_the_same_sender_with_a_plus_tag_and_capitals_still_changes_its_own_submission(submitted):
    own = f"吴敏 <{WU.email.replace('@', '+fix@').upper()}>"
    deliver(submitted, "9102.own.eml", correction(own, "own"))
    run(submitted.config())
    assert submission(submitted)["version"] == 2
    assert submission(submitted)["sender"] == WU.email
    assert not submitted.query("select * from outbox where kind = 'change_notice'")


def test_a_person_merges_the_mail_and_the_owner_is_told(submitted):
    deliver(submitted, "9103.merge.eml", correction(MALLORY, "merge"))
    run(submitted.config())
    held = last_message(submitted)
    done = submitted.intake("resolve", str(held["id"]), "merge", "--note", "电话核实为同事",
                            "--by", "王秘书")
    assert done.returncode == 0, done.stderr
    run(submitted.config())
    after = submission(submitted)
    assert (after["version"], after["verdict"], after["sender"]) == (2, "complete", WU.email)
    assert last_message(submitted)["verdict"] == "complete"
    kinds = submitted.query("select kind, to_addr, status from outbox order by id")
    assert [(k["kind"], k["to_addr"]) for k in kinds] == [
        ("deficiency", WU.email), ("receipt", "mallory@example.net"), ("change_notice", WU.email)]
    notice = spooled(submitted)[-1]
    assert notice["Subject"].startswith("【申报变更通知】") and after["reference"] in notice["Subject"]
    text = notice.get_body(("plain",)).get_content()
    assert "mallory@example.net" in text and "第2版" in text and "已受理" in text
    decided = submitted.query("select decision, decided_by, reason from claims")
    assert decided == [{"decision": "merge", "decided_by": "王秘书", "reason": "电话核实为同事"}]
    # Confirmed now: the colleague's next mail joins without a person.
    again = mail(SUBJECT, MALLORY, "再补一张照片。", [("案例申报信息表.docx", corrected_form("again2")),
                                              ("现场照片9.jpg", photo(400_000, "again2"))],
                 date=at(2024, 4, 15, 9, 0), message_id=sample_id("again2"))
    deliver(submitted, "9104.again.eml", again)
    run(submitted.config())
    assert submission(submitted)["version"] == 3
    joined = last_message(submitted)
    assert joined["verdict"] in ("complete", "deficient") and joined["submission_id"] is not None


def test_a_person_makes_it_a_new_submission(submitted):
    deliver(submitted, "9105.new.eml", correction(MALLORY, "new"))
    run(submitted.config())
    assert submitted.intake("resolve", str(last_message(submitted)["id"]), "new",
                            "--note", "另一家同名单位").returncode == 0
    run(submitted.config())
    rows = submitted.query("select reference, sender, version from submissions order by id")
    assert [(r["sender"], r["version"]) for r in rows] == [(WU.email, 1),
                                                          ("mallory@example.net", 1)]
    assert rows[0]["reference"] != rows[1]["reference"]
    assert recipients(submitted) == [WU.email, "mallory@example.net"]


def test_a_person_rejects_it_and_no_one_is_answered(submitted):
    deliver(submitted, "9106.reject.eml", correction(MALLORY, "reject"))
    run(submitted.config())
    row = last_message(submitted)["id"]
    assert submitted.intake("resolve", str(row), "reject", "--note", "冒用").returncode == 0
    run(submitted.config())
    message = last_message(submitted)
    assert (message["verdict"], message["submission_id"]) == ("not_submission", None)
    assert "冒用" in message["note"]
    assert submission(submitted)["version"] == 1 and recipients(submitted) == [WU.email]
    again = submitted.intake("resolve", str(row), "merge", "--note", "x")
    assert again.returncode != 0 and "not waiting" in again.stderr


def test_a_reply_to_our_notice_from_another_address_joins_and_the_owner_is_told(submitted):
    notice = spooled(submitted)[0]
    deliver(submitted, "9107.reply.eml", correction(MALLORY, "reply", notice["Message-ID"]))
    run(submitted.config())
    assert submission(submitted)["version"] == 2 and submission(submitted)["sender"] == WU.email
    kinds = [(k["kind"], k["to_addr"]) for k in submitted.query(
        "select kind, to_addr from outbox order by id")]
    assert kinds[1:] == [("receipt", "mallory@example.net"), ("change_notice", WU.email)]


def test_the_next_mail_after_a_held_one_is_processed_normally(submitted):
    deliver(submitted, "9108.other.eml", correction(MALLORY, "other2"))
    deliver(submitted, "9109.own.eml", correction(WU.sender(), "own2"))
    run(submitted.config())
    assert submitted.query("select verdict from messages order by id")[-2:] == [
        {"verdict": "other_sender"}, {"verdict": "complete"}]
    assert submission(submitted)["version"] == 2
