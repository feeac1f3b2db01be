"""People's overrides end to end through the CLI: recorded with who, when and why, shown by
`intake show`, kept through `intake reprocess` and later versions, and answered on --notify."""
from __future__ import annotations

import email
import json
from datetime import datetime, timedelta, timezone
from email import policy

from pipeline.app.remind import plan_reminders
from pipeline.app.runner import run
from pipeline.demo.samples import at, mail, sample_id
from pipeline.demo.samples.gpipc import big_photos
from pipeline.demo.samples.texts import WU
from pipeline.store.database import Database
from rules.profile import BUILTIN_DIR
from tests.scenarios.test_versions import corrected_form, deficient_sample, deliver, spooled
from tests.support.workspace import make_workspace

REF = "GPIPC-2024-E-0001"


def workspace_with_notice(tmp_path, extra_config: str = ""):
    """One deficient submission (no 申报主题 ticked, no contact e-mail) and its notice."""
    workspace = make_workspace(tmp_path, [deficient_sample()])
    with workspace.config_path.open("a", encoding="utf-8") as config:
        config.write(extra_config)
    run(workspace.config())
    return workspace


def state(workspace) -> dict:
    sub = workspace.query("select * from submissions where reference = ?", [REF])[0]
    version = workspace.query("select id from versions where submission_id = ? and number = ?",
                              [sub["id"], sub["version"]])[0]["id"]
    findings = workspace.query("select rule, field, waived_by from findings where version_id = ? "
                               "order by id", [version])
    fields = {r["key"]: json.loads(r["value"]) for r in workspace.query(
        "select key, value from fields where version_id = ?", [version])}
    return {"verdict": sub["verdict"], "unit": sub["unit_name"], "fields": fields,
            "open": {(f["rule"], f["field"]) for f in findings if f["waived_by"] is None},
            "waived": {(f["rule"], f["field"]) for f in findings if f["waived_by"] is not None}}


def ok(workspace, *args: str) -> str:
    result = workspace.intake(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_each_override_holds_through_a_reprocess(tmp_path):
    workspace = workspace_with_notice(tmp_path, '\n[secretariat]\noperator = "王五"\n')
    assert state(workspace)["open"] == {("field_missing", "contact_email"),
                                        ("choice_invalid", "category")}

    ok(workspace, "set", REF, "contact_email", "wu@example.com", "--note", "电话核实邮箱",
       "--by", "李四")
    after_set = state(workspace)
    assert after_set["fields"]["contact_email"] == "wu@example.com"
    assert after_set["open"] == {("choice_invalid", "category")}
    assert after_set["verdict"] == "deficient"

    ok(workspace, "waive", REF, "choice_invalid", "--field", "category", "--note", "主题已电话确认")
    after_waive = state(workspace)
    assert after_waive["verdict"] == "complete" and after_waive["open"] == set()
    assert after_waive["waived"] == {("choice_invalid", "category")}

    ok(workspace, "reprocess", REF)
    assert state(workspace) == after_waive

    ok(workspace, "set", REF, "unit_name", "示例市恒远新材料股份有限公司", "--note", "更名")
    assert state(workspace)["unit"] == "示例市恒远新材料股份有限公司"

    ok(workspace, "reject", REF, "--note", "不属于征集范围")
    assert state(workspace)["verdict"] == "rejected"
    ok(workspace, "reprocess", REF, "--note", "规则更新后复查")
    assert state(workspace)["verdict"] == "rejected"
    ok(workspace, "accept", REF, "--note", "复核后受理")
    ok(workspace, "reprocess", REF)
    final = state(workspace)
    assert final["verdict"] == "complete"
    assert final["unit"] == "示例市恒远新材料股份有限公司"
    assert final["fields"]["contact_email"] == "wu@example.com"
    assert final["waived"] == {("choice_invalid", "category")}

    overrides = workspace.query("select action, by, note, at, version from overrides order by id")
    assert [(o["action"], o["by"], o["note"]) for o in overrides] == [
        ("set", "李四", "电话核实邮箱"), ("waive", "王五", "主题已电话确认"),
        ("reprocess", "王五", "重新检查"), ("set", "王五", "更名"),
        ("reject", "王五", "不属于征集范围"), ("reprocess", "王五", "规则更新后复查"),
        ("accept", "王五", "复核后受理"), ("reprocess", "王五", "重新检查")]
    assert all(o["at"] and o["version"] == 1 for o in overrides)
    shown = ok(workspace, "show", REF)
    for text in ("李四", "电话核实邮箱", "主题已电话确认", "不属于征集范围", "复核后受理",
                 "waived by override #2", "wu@example.com"):
        assert text in shown
    # Nothing was sent to the applicant: only the first notice.
    assert [r["kind"] for r in workspace.query("select kind from outbox")] == ["deficiency"]


def test_notify_sends_an_updated_receipt_listing_what_was_resolved(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "set", REF, "contact_email", "wu@example.com", "--note", "电话核实")
    out = ok(workspace, "waive", REF, "choice_invalid", "--note", "已确认", "--notify")
    assert "updated reply queued" in out
    run(workspace.config())
    notice, update = spooled(workspace)
    assert update["Subject"].startswith("【已更新】【已受理】") and REF in update["Subject"]
    assert update["To"] == notice["To"]
    assert update["In-Reply-To"] == sample_id("gpipc-enterprise-deficient")
    text = update.get_body(("plain",)).get_content()
    assert "已解决的问题（共2处）" in text and "已受理" in text
    row = workspace.query("select status, approved_by, message_row from outbox where id = 2")[0]
    assert row["status"] == "sent" and row["message_row"] is None and row["approved_by"]


def test_a_rejection_letter_quotes_the_note_and_a_later_correction_stays_rejected(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "reject", REF, "--note", "申报单位不在园区推荐名单内", "--notify")
    run(workspace.config())
    letter = spooled(workspace)[-1]
    assert letter["Subject"].startswith("【已更新】【不予受理】")
    assert "原因：申报单位不在园区推荐名单内" in letter.get_body(("plain",)).get_content()

    correction(workspace, "fix", [("信息表.docx", corrected_form("fix"))])
    assert workspace.query("select verdict, version from submissions") == [
        {"verdict": "rejected", "version": 2}]
    answer = workspace.query("select kind, status, reason from outbox order by id desc limit 1")[0]
    assert answer == {"kind": "rejection", "status": "suppressed", "reason": "rejected"}
    assert len(spooled(workspace)) == 2


def correction(workspace, key: str, files: list[tuple[str, bytes]]) -> None:
    """The applicant answers our notice with some files: a new version."""
    notice = spooled(workspace)[0]
    deliver(workspace, f"9001.{key}.eml", mail(
        f"回复：{notice['Subject']}", WU.sender(), "已修改", files, date=at(2024, 4, 13, 9, 0),
        message_id=sample_id(key), in_reply_to=notice["Message-ID"]))
    run(workspace.config())


def test_a_later_version_with_the_same_form_keeps_the_correction_and_the_waiver(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "set", REF, "contact_email", "wu@example.com", "--note", "电话核实")
    ok(workspace, "waive", REF, "choice_invalid", "--note", "主题已确认")
    # Sharper photos (new photos replace the old ones); the form is unchanged.
    correction(workspace, "photo", big_photos(("生产车间.jpg", "屋顶光伏.jpg", "能源管理中心.jpg"),
                                              "sharper"))
    now = state(workspace)
    assert workspace.query("select version from submissions")[0]["version"] == 2
    assert now["fields"]["contact_email"] == "wu@example.com"
    assert now["waived"] == {("choice_invalid", "category")} and now["open"] == set()
    assert now["verdict"] == "complete"


def test_the_applicants_new_form_wins_over_a_correction(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "set", REF, "contact_email", "guess@example.com", "--note", "猜测")
    correction(workspace, "fix", [("信息表.docx", corrected_form("fix"))])
    now = state(workspace)
    assert now["fields"]["contact_email"] not in ("guess@example.com", "")
    assert now["verdict"] == "complete"


def test_reprocess_applies_a_changed_profile(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (tmp_path / "ws").mkdir()
    workspace = workspace_with_notice(tmp_path / "ws", '\n[campaigns]\ndirs = ["../profiles"]\n')
    toml = (BUILTIN_DIR / "gpipc-enterprise-2024.toml").read_text("utf-8")
    assert "deadline = 2024-04-15" in toml
    (profiles / "gpipc-enterprise-2024.toml").write_text(
        toml.replace("deadline = 2024-04-15", "deadline = 2024-04-10"), "utf-8")
    ok(workspace, "reprocess", REF, "--note", "截止日期更正")
    assert state(workspace)["verdict"] == "late"
    assert ("deadline_passed", None) in state(workspace)["open"]


def test_refusals_change_nothing(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    before = state(workspace)
    for args, words in (
            (("waive", "GPIPC-2024-E-0999", "seal_missing", "--note", "x"), "no submission"),
            (("waive", REF, "seal_missing", "--note", "x"), "nothing to waive"),
            (("waive", REF, "field_missing", "--field", "unit_name", "--note", "x"),
             "nothing to waive"),
            (("set", REF, "no_such_field", "v", "--note", "x"), "not a field key"),
            (("waive", REF, "no_such_rule", "--note", "x"), "no_such_rule"),
            (("set", REF, "category", "不存在的类别", "--note", "x"), "the form offers"),
            (("set", REF, "seal", "true", "--note", "x"), "intake waive"),
            (("accept", REF), "--note")):
        result = workspace.intake(*args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    assert state(workspace) == before
    assert workspace.query("select count(*) as n from overrides")[0]["n"] == 0


def test_reminders_list_only_what_still_counts_and_stop_once_accepted(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "waive", REF, "choice_invalid", "--note", "主题已电话确认")
    db = Database(workspace.config().database)
    try:
        three_days_on = datetime(2024, 4, 15, 9, 0, tzinfo=timezone(timedelta(hours=8)))
        (reminder,) = plan_reminders(db, workspace.config(), three_days_on)
        text = email.message_from_bytes(reminder.raw, policy=policy.default).get_body(
            ("plain",)).get_content()
        assert "联系邮箱" in text and "案例类别" not in text
    finally:
        db.close()
    ok(workspace, "accept", REF, "--note", "复核后受理")
    db = Database(workspace.config().database)
    try:
        assert plan_reminders(db, workspace.config(), three_days_on) == []
    finally:
        db.close()


def test_a_choice_is_corrected_to_one_of_the_forms_options(tmp_path):
    workspace = workspace_with_notice(tmp_path)
    ok(workspace, "set", REF, "category", "工厂节能降碳", "--note", "申报单位来电确认")
    now = state(workspace)
    assert now["fields"]["category"] == ["工厂节能降碳"]
    assert now["open"] == {("field_missing", "contact_email")}
