"""Reminders and the digest on a database the real pipeline filled; their CLI; their config."""
from __future__ import annotations

import email
import io
from datetime import date, datetime, timedelta, timezone
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from outbox.spool import SpoolSender
from pipeline.app import runner
from pipeline.app.digest import campaign_days, queue_digest, render_digest
from pipeline.app.needs import failed_replies
from pipeline.app.remind import send_reminders
from pipeline.app.runner import Pipeline
from pipeline.cli import main as cli
from pipeline.config.settings import KEYS, parse_config
from pipeline.demo.samples import at, build_form, catalogue, filler, gpipc, mail, sample_id
from pipeline.demo.samples.texts import GAO, HE, LIU_Y, WU, ZHANG
from pipeline.errors import ConfigError, SendError
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from tests.support.workspace import Workspace, make_workspace

CST = timezone(timedelta(hours=8))
DAY1 = datetime(2024, 4, 10, 10, 0, tzinfo=CST)
DAY2 = datetime(2024, 4, 11, 10, 0, tzinfo=CST)
LINGANG = "示例临港经济技术开发区"
QQ_LINK = ("\n\n从QQ邮箱发来的超大附件\n\n宣传视频.mp4 (356.80M, 2024年5月20日 10:00 到期)\n"
           "进入下载页面：https://mail.qq.com/cgi-bin/ftnExs_download?k=2a6530a1c3e4&t=exs_ftn_download\n")
DIGEST_TO = '\n[digest]\nto = ["office@example.org", "chief@example.org"]\n'


class RefusingFirst:
    """A sender whose server refuses the first reply every time (the others are spooled)."""

    def __init__(self, folder: Path):
        self.spool = SpoolSender(folder)

    def send(self, outbox_id: int, to_addr: str, message_id: str, raw: bytes) -> None:
        if outbox_id == 1:
            raise SendError("temporary", "451 simulated SMTP refusal", 451)
        self.spool.send(outbox_id, to_addr, message_id, raw)

    def close(self) -> None:
        pass


def deliver(workspace: Workspace, name: str, data: bytes) -> None:
    (workspace.root / "mail" / "new" / name).write_bytes(data)


def parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    return (message, message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def enterprise(key: str, unit: str, person, case_name: str, hour: int, body: str = "",
               sealed: bool = True) -> bytes:
    """A new enterprise case recommended by 示例临港, arriving on day 2."""
    files = gpipc._enterprise(key, unit, person, case_name, LINGANG, ZHANG, "2024年4月11日")
    if not sealed:
        values = {"unit_name": unit, **person.fields("contact"), "case_name": case_name,
                  "summary": filler(175, case_name), "industry": "计算机、通信和其他电子设备制造业",
                  "category": "工厂节能降碳", "recommender": LINGANG,
                  "recommender_contact": ZHANG.name, "fill_date": "2024年4月11日"}
        files[0] = (files[0][0], build_form("gpipc-enterprise-2024", values, seal=False))
    return mail(f"【{unit}】绿盟企业案例征集", person.sender(), f"您好，申报材料见附件。{body}", files,
                date=at(2024, 4, 11, hour, 0), message_id=sample_id(key))


def correction(workspace: Workspace, notice: dict) -> bytes:
    """The applicant of GPIPC-2024-E-0002 answers the notice with a corrected form."""
    files = gpipc._enterprise("fix", "示例市恒远新材料有限公司", WU, "废旧塑料再生造粒循环利用", LINGANG,
                              ZHANG, "2024年4月11日", industry="橡胶和塑料制品业",
                              category="无废工厂建设")
    return mail(f"回复：{notice['subject']}", WU.sender(), "已按要求修改，请查收。",
                [("案例申报信息表（修改）.docx", files[0][1])], date=at(2024, 4, 11, 9, 0),
                message_id=sample_id("fix"), in_reply_to=notice["message_id"])


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """GIVEN day 1 (10 April): the whole sample catalogue, the auto-reply crashing its parser
    (parked), the first reply refused by the server, a failed poll and a warning after it;
    day 2 (11 April): a correction that completes GPIPC-2024-E-0002, and two new enterprise
    cases from the same park, one with a 超大附件 link, one unsealed and over the park's quota."""
    workspace = make_workspace(tmp_path_factory.mktemp("daily"))
    config = workspace.config()
    db = Database(config.database)
    sender = RefusingFirst(config.replies.spool)
    real = runner.prepare

    def crashing(data, reader):
        if b"sample-auto-reply" in data:
            raise RuntimeError("simulated parser crash")
        return real(data, reader)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "prepare", crashing)
        Pipeline(config, db, lambda: DAY1, sender=sender).run_once()
    later = (DAY1 + timedelta(hours=2)).isoformat()
    db.record_poll({"source": "test", "started_at": later, "finished_at": later, "ok": 0,
                    "error_kind": "login", "error": "登录被拒绝（授权码错误）", "fetched": 0})
    db.record_event(later, "test", "INBOX", "uidvalidity", "UIDVALIDITY 由 1 变为 2：重新扫描")
    notice = db.query("select o.subject, o.message_id from outbox o join submissions s on "
                      "o.submission_id = s.id where s.reference = 'GPIPC-2024-E-0002'")[0]
    deliver(workspace, "9001.fix.eml", correction(workspace, notice))
    deliver(workspace, "9002.link.eml", enterprise("link", "示例市甲科技有限公司", HE, "数据中心余热回收利用",
                                                   11, QQ_LINK))
    deliver(workspace, "9003.unsealed.eml", enterprise("unsealed", "示例市乙科技有限公司", GAO,
                                                       "车间照明智能控制改造", 12, sealed=False))
    Pipeline(config, db, lambda: DAY2, sender=sender).run_once()
    yield workspace, db
    db.close()


@pytest.fixture(scope="module")
def day1(prepared):
    workspace, db = prepared
    return parts(render_digest(db, workspace.config(), DAY2, date(2024, 4, 10)).raw)


@pytest.fixture(scope="module")
def day2(prepared):
    workspace, db = prepared
    return parts(render_digest(db, workspace.config(), DAY2 + timedelta(hours=8)).raw)


def test_the_prepared_database_is_what_the_digest_tests_assume(prepared):
    _, db = prepared
    rows = db.query("select reference, verdict, version from submissions where campaign = "
                    "'gpipc-enterprise-2024' order by id")
    assert [(r["reference"], r["verdict"], r["version"]) for r in rows] == [
        ("GPIPC-2024-E-0001", "complete", 1), ("GPIPC-2024-E-0002", "complete", 2),
        ("GPIPC-2024-E-0003", "late", 1), ("GPIPC-2024-E-0004", "complete", 1),
        ("GPIPC-2024-E-0005", "complete", 1)]
    rules = {(r["reference"], r["rule"], r["severity"]) for r in db.query(
        "select s.reference, f.rule, f.severity from findings f join versions v on "
        "f.version_id = v.id join submissions s on v.submission_id = s.id where v.number = 1 "
        "and s.reference in ('GPIPC-2024-E-0004', 'GPIPC-2024-E-0005')")}
    assert rules == {("GPIPC-2024-E-0004", "large_attachment_link", "warning"),
                     ("GPIPC-2024-E-0005", "seal_missing", "warning"),
                     ("GPIPC-2024-E-0005", "quota_exceeded", "warning")}


def test_the_digest_counts_each_campaign(day1):
    message, text, html = day1
    assert message["Subject"] == "【每日汇总】2024-04-10 案例征集受理情况"
    assert "【2024年度国家级经济技术开发区、国际合作园区绿色发展创新案例征集】（gpipc-park-2024）\n" \
           "  当日新收 2 件，累计 2 件；其中已受理 1 件，需补正 1 件（等待最久的已 0 天），逾期 0 件。" in text
    # The resent csr mail is a duplicate of day 1.
    assert "（ccea-csr-2022）\n  当日新收 2 件，累计 2 件；其中已受理 1 件，需补正 1 件" in text
    assert "（ccea-csr-2022）" in text.split("重复邮件当日 1 封，累计 1 封")[0]
    assert "<small>gpipc-park-2024</small></td><td>2</td><td>2</td><td>1</td><td>1</td><td>0</td>" \
           "<td>0</td><td>0</td><td>0</td><td>0 / 0</td>" in html


def test_the_digest_counts_by_current_category(day1):
    _, text, _ = day1
    assert "按类别：绿色产业发展创新 1 件；绿色基础设施创新 1 件。" in text
    # Two themes ticked on the deficient csr form.
    assert "按类别：绿色低碳发展 1 件；（多选） 1 件。" in text


def test_the_digest_lists_the_new_submissions_of_the_day(day1, day2):
    _, text, html = day1
    assert "二、当日新收申报（13 件）" in text
    assert "GPIPC-2024-P-0002｜示例滨海经济技术开发区管理委员会｜节能环保产业孵化基地培育绿色新动能｜需补正｜需补正 5 处" in text
    assert "<td>CQICT-2026-0002</td><td>重庆示例云链信息技术有限公司</td>" in html
    _, text, _ = day2
    assert "二、当日新收申报（2 件）" in text and "GPIPC-2024-E-0004｜示例市甲科技有限公司" in text
    assert "GPIPC-2024-P-0002" not in text


def test_a_correction_counts_on_its_day(day2):
    _, text, html = day2
    assert "（gpipc-enterprise-2024）\n  当日新收 2 件，累计 5 件；其中已受理 4 件，需补正 0 件，逾期 1 件。\n" \
           "  当日补正 1 件；" in text
    assert "<small>gpipc-enterprise-2024</small></td><td>2</td><td>5</td><td>4</td><td>0</td>" \
           "<td>—</td><td>1</td><td>0</td><td>1</td>" in html
    # The park's deficient case has waited one day since its notice of the 10th.
    assert "（gpipc-park-2024）\n  当日新收 0 件，累计 2 件；其中已受理 1 件，需补正 1 件（等待最久的已 1 天）" in text
    assert "（ccea-csr-2022）\n  当日新收 0 件，累计 2 件；其中已受理 1 件，需补正 1 件（等待最久的已 1 天），" \
           "逾期 0 件。\n  当日补正 0 件；重复邮件当日 0 封，累计 1 封。" in text


def test_quota_groups_over_the_maximum(day2):
    _, text, html = day2
    assert "推荐数量（每个园区可推荐1-2家企业案例，每组不超过 2 件）：" in text
    assert "示例临港经济技术开发区 3 件（超过上限）" in text
    assert "！超出推荐上限：示例临港经济技术开发区 已有 3 件，超过上限。" in text
    assert "示例临港经济技术开发区 3 件（超过上限）</span>" in html


def test_inquiries_need_a_person_on_their_day(day1, day2):
    _, text, html = day1
    assert "咨询及其他非申报邮件（1）" in text
    assert "请问绿盟案例征集的截止时间（发件人：赵一鸣 <zhaoyiming@example.com>）：咨询或非申报邮件" in text
    assert "请问绿盟案例征集的截止时间（发件人：赵一鸣 &lt;zhaoyiming@example.com&gt;）" in html
    assert "请问绿盟案例征集的截止时间" not in day2[1]


def test_parked_mail_shows_its_error(day1, day2):
    for _, text, html in (day1, day2):
        assert "处理失败、已搁置的邮件（请查看原始邮件）（1）" in text
        assert "自动回复：【示例经济技术开发区管理委员会】绿盟案例征集（发件人：张伟华 <zhangweihua@example.cn>）：" \
               "RuntimeError: simulated parser crash" in text
        assert "RuntimeError: simulated parser crash" in html


def test_unreadable_attachments_links_and_seals_need_a_person(day1, day2):
    _, text, _ = day1
    assert "无法打开的附件（1）\n     · [CQICT-2026-0002] 【重庆示例云链信息技术有限公司】赋能降碳典型案例" in text
    assert "附件“补充说明.docx”无法打开" in text
    assert "超大附件" not in text and "未发现盖章" not in text
    _, text, html = day2
    assert "超大附件下载链接（请在过期前下载）（1）\n     · [GPIPC-2024-E-0004]" in text
    assert "“宣传视频.mp4”（356.8MB）以超大附件链接发送" in text
    assert "未发现盖章（请人工确认）（1）\n     · [GPIPC-2024-E-0005]" in text
    assert "无法打开的附件" not in text and "[GPIPC-2024-E-0005]" in html


def test_failed_replies_need_a_person(day1):
    _, text, _ = day1
    assert "发送失败或退信的回复（1）\n     · [CCEA-2022-G-0001] 【已受理】" in text
    assert "（收件人：" in text and "正在重试（已尝试2次）：451 simulated SMTP refusal" in text


def test_mailbox_health(day1, day2):
    _, text, html = day1
    assert "test：最近一次成功收信 2024-04-10 10:00；此后收信失败 1 次，最近一次：login 登录被拒绝（授权码错误）。" in text
    assert "警告 2024-04-10 12:00 INBOX uidvalidity：UIDVALIDITY 由 1 变为 2：重新扫描" in text
    assert "此后收信失败 1 次" in html
    _, text, _ = day2
    assert "test：最近一次成功收信 2024-04-11 10:00。" in text and "警告" not in text


def test_quota_names_only_the_groups_over_the_maximum(profiles):
    """GIVEN a park at the maximum, one over it, and one over it only counting a late case."""
    db = Database(None)
    for n, (key, verdict) in enumerate([("甲园区", "complete")] * 2 + [("乙园区", "deficient")] * 3
                                       + [("丙园区", "complete")] * 2 + [("丙园区", "late")]):
        db.save_submission({"campaign": "gpipc-enterprise-2024", "reference": f"E-{n}",
                            "verdict": verdict, "version": 1, "quota_key": key,
                            "created_at": DAY1.isoformat()})
    (figures,) = campaign_days(db, profiles, date(2024, 4, 10), CST)
    assert (figures.quota_max, figures.over_quota) == (2, (("乙园区", 3),))
    assert (figures.received, figures.complete, figures.deficient, figures.late) == (8, 4, 3, 1)


def test_cases_without_a_quota_group_are_named_apart(profiles):
    """GIVEN a park's two cases, one with no park written and one late WHEN the day is counted
    THEN the one without a park is listed apart, the late one nowhere."""
    db = Database(None)
    for n, (key, verdict) in enumerate([("甲园区", "complete"), (None, "deficient"), (None, "late")]):
        db.save_submission({"campaign": "gpipc-enterprise-2024", "reference": f"E-{n}",
                            "unit_name": f"示例{n}公司", "verdict": verdict, "version": 1,
                            "quota_key": key, "created_at": DAY1.isoformat()})
    (figures,) = campaign_days(db, profiles, date(2024, 4, 10), CST)
    assert (figures.quota_groups, figures.quota_unknown) == ((("甲园区", 1),), ("E-1 示例1公司",))


def test_failed_replies_are_those_refused_bounced_or_still_retrying():
    db, now = Database(None), DAY1
    outbox = Outbox(db)
    for n in range(1, 5):
        outbox.queue({"kind": "receipt", "to_addr": f"a{n}@example.com", "subject": f"S{n}",
                      "message_id": f"<m{n}@example.org>", "raw": b"", "created_at": now.isoformat()})
        assert outbox.claim(n, now)
    outbox.retry_later(1, now, "Connection refused", None, False)
    outbox.mark_sent(2, now)
    outbox.mark_failed(3, "550 mailbox unavailable", 550)
    outbox.mark_sent(4, now)
    with db.transaction():
        outbox.mark_bounced(outbox.row(4), now, "a4@example.com", "5.1.1 user unknown", "5.1.1")
    assert [(f.subject, f.address, f.detail) for f in failed_replies(db)] == [
        ("S1", "a1@example.com", "正在重试（已尝试1次）：Connection refused"),
        ("S3", "a3@example.com", "发送失败（已尝试1次）：550 mailbox unavailable"),
        ("S4", "a4@example.com", "已退信：5.1.1 user unknown")]


# ---- queueing the digest --------------------------------------------------------------------

def test_the_digest_is_queued_once_a_day(prepared):
    workspace, db = prepared
    config = parse_config({"digest": {"to": ["office@example.org"]}}, workspace.root)
    config = config.__class__(**{**config.__dict__, "database": workspace.config().database})
    first = queue_digest(db, config, DAY2 + timedelta(hours=8))
    assert first is not None
    assert queue_digest(db, config, DAY2 + timedelta(hours=9)) is None
    row = db.query("select kind, to_addr, subject, submission_id, message_row, status from outbox "
                   "where id = ?", [first])[0]
    assert row == {"kind": "digest", "to_addr": "office@example.org",
                   "subject": "【每日汇总】2024-04-11 案例征集受理情况", "submission_id": None,
                   "message_row": None, "status": "queued"}
    other = queue_digest(db, config, DAY2 + timedelta(hours=9), date(2024, 4, 10))
    assert other is not None and other != first
    db.db.execute("delete from outbox where kind = 'digest'")  # leave the module's outbox as it was


def test_no_digest_is_queued_without_addresses(prepared):
    workspace, db = prepared
    assert workspace.config().digest.to == ()
    assert queue_digest(db, workspace.config(), DAY2) is None
    assert db.query("select count(*) as n from outbox where kind = 'digest'") == [{"n": 0}]


# ---- reminders on the real pipeline ---------------------------------------------------------------

def park_deficient_only(tmp_path: Path) -> tuple[Workspace, Database]:
    samples = [s for s in catalogue() if s.key == "gpipc-park-deficient"]
    workspace = make_workspace(tmp_path, samples)
    db = Database(workspace.config().database)
    Pipeline(workspace.config(), db, lambda: DAY1).run_once()
    return workspace, db


def test_reminders_follow_the_schedule_and_are_recorded_in_the_outbox(tmp_path):
    """GIVEN the park's deficiency notice on 10 April WHEN send_reminders runs THEN the 13th at
    09:00 queues one reminder answering the notice, once, and never outside the hours."""
    workspace, db = park_deficient_only(tmp_path)
    config = workspace.config()
    notice = db.query("select id, to_addr, message_id from outbox where kind = 'deficiency'")[0]
    assert send_reminders(db, config, datetime(2024, 4, 12, 9, 0, tzinfo=CST)) == []
    assert send_reminders(db, config, datetime(2024, 4, 13, 7, 0, tzinfo=CST)) == []
    sent = send_reminders(db, config, datetime(2024, 4, 13, 9, 0, tzinfo=CST))
    assert [(r.reference, r.kind) for r in sent] == [("GPIPC-2024-P-0001", "regular")]
    assert send_reminders(db, config, datetime(2024, 4, 13, 15, 0, tzinfo=CST)) == []
    rows = db.query("select kind, submission_id, message_row, to_addr, message_id, status, "
                    "created_at from outbox where kind = 'reminder'")
    assert rows == [{"kind": "reminder", "submission_id": 1, "message_row": None,
                     "to_addr": notice["to_addr"], "message_id": sent[0].message_id,
                     "status": "queued", "created_at": "2024-04-13T09:00:00+08:00"}]
    message, text, _ = parts(sent[0].raw)
    assert message["In-Reply-To"] == notice["message_id"]
    assert message["Subject"] == "【补正提醒】【示例滨海经济技术开发区管理委员会】绿盟案例征集（受理编号：GPIPC-2024-P-0001）"
    for missing in ("未收到案例报告/编写模板", "案例简介为260字", "节能环保产业孵化基地.jpg"):
        assert missing in text
    db.close()


def test_a_reply_to_a_reminder_is_a_new_version_and_restarts_the_reminders(tmp_path):
    """GIVEN a reminder on the 13th WHEN the applicant answers it without fixing everything
    THEN the answer is matched to the submission through the reminder's Message-ID, keeps its
    unit (no subject_format finding), gets a 【已更新】 notice, and the next reminder is the
    last one on the 14th, counted from that notice."""
    workspace, db = park_deficient_only(tmp_path)
    config = workspace.config()
    reminder = send_reminders(db, config, datetime(2024, 4, 13, 9, 0, tzinfo=CST))[0]
    Pipeline(config, db, lambda: datetime(2024, 4, 13, 9, 1, tzinfo=CST)).drain_outbox()
    answer = mail(f"回复：{reminder.subject}", LIU_Y.sender(), "补充照片一张。",
                  [("产业园区全景（补充）.jpg", gpipc.photo_over(gpipc.ONE_MIB, "extra"))],
                  date=at(2024, 4, 13, 11, 0), message_id=sample_id("answer"),
                  in_reply_to=reminder.message_id)
    deliver(workspace, "9100.answer.eml", answer)
    Pipeline(config, db, lambda: datetime(2024, 4, 13, 11, 5, tzinfo=CST)).run_once()
    assert db.query("select verdict, version from submissions") == [{"verdict": "deficient",
                                                                     "version": 2}]
    rules = {r["rule"] for r in db.query("select rule from findings f join versions v on "
                                         "f.version_id = v.id where v.number = 2")}
    assert "subject_format" not in rules and "attachment_missing" in rules
    updated = db.query("select subject from outbox where kind = 'deficiency' order by id desc")[0]
    assert updated["subject"].startswith("【已更新】【需补正】")
    assert send_reminders(db, config, datetime(2024, 4, 13, 19, 0, tzinfo=CST)) == []
    last = send_reminders(db, config, datetime(2024, 4, 14, 9, 0, tzinfo=CST))
    assert [r.kind for r in last] == ["last"]
    assert "这是截止前的最后一次提醒" in parts(last[0].raw)[1]
    assert send_reminders(db, config, datetime(2024, 4, 15, 9, 0, tzinfo=CST)) == []
    assert send_reminders(db, config, datetime(2024, 4, 16, 9, 0, tzinfo=CST)) == []
    db.close()


def test_a_notice_not_yet_sent_starts_no_reminder(tmp_path):
    workspace, db = park_deficient_only(tmp_path)
    db.db.execute("update outbox set status = 'queued'")
    assert send_reminders(db, workspace.config(), datetime(2024, 4, 13, 9, 0, tzinfo=CST)) == []
    db.close()


# ---- the CLI ------------------------------------------------------------------------------------

def invoke(workspace: Workspace, now: datetime, *args: str, monkeypatch) -> object:
    monkeypatch.setattr(cli, "utc_now", lambda: now)
    return CliRunner().invoke(cli.main, [*args, "--config", str(workspace.config_path)])


def test_remind_dry_run_prints_and_queues_nothing(tmp_path, monkeypatch):
    workspace, db = park_deficient_only(tmp_path)
    early = datetime(2024, 4, 13, 7, 0, tzinfo=CST)  # before the sending hours: still "today"
    result = invoke(workspace, early, "remind", "--dry-run", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "GPIPC-2024-P-0001\tregular\tliuyang@example.org\t【补正提醒】" in result.output
    assert "1 reminder(s) due today; nothing queued" in result.output
    assert db.query("select count(*) as n from outbox where kind = 'reminder'") == [{"n": 0}]
    result = invoke(workspace, early, "remind", monkeypatch=monkeypatch)
    assert "outside the sending hours 08:30-20:00" in result.output
    assert db.query("select count(*) as n from outbox where kind = 'reminder'") == [{"n": 0}]
    result = invoke(workspace, early + timedelta(hours=3), "remind", monkeypatch=monkeypatch)
    assert "queued 1 reminder(s)" in result.output
    assert db.query("select count(*) as n from outbox where kind = 'reminder'") == [{"n": 1}]
    db.close()


def test_digest_writes_an_eml_with_the_figures(tmp_path, monkeypatch):
    workspace, db = park_deficient_only(tmp_path)
    target = tmp_path / "out.eml"
    result = invoke(workspace, DAY2, "digest", "--date", "2024-04-10", "-o", str(target),
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0 and result.output.strip() == str(target)
    message, text, html = parts(target.read_bytes())
    assert message["Subject"] == "【每日汇总】2024-04-10 案例征集受理情况"
    assert "当日新收 1 件，累计 1 件；其中已受理 0 件，需补正 1 件（等待最久的已 0 天）" in text
    assert "GPIPC-2024-P-0001｜示例滨海经济技术开发区管理委员会" in text
    assert "<td>GPIPC-2024-P-0001</td>" in html
    monkeypatch.chdir(tmp_path)
    result = invoke(workspace, DAY2, "digest", monkeypatch=monkeypatch)
    assert result.output.strip() == "digest-2024-04-11.eml"
    assert "二、当日新收申报（0 件）" in parts((tmp_path / "digest-2024-04-11.eml").read_bytes())[1]
    db.close()


def test_digest_send_without_addresses_says_so(tmp_path, monkeypatch):
    workspace, db = park_deficient_only(tmp_path)
    result = invoke(workspace, DAY2, "digest", "--send", monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "[digest] to is empty" in result.output
    assert "Traceback" not in result.output
    assert db.query("select count(*) as n from outbox where kind = 'digest'") == [{"n": 0}]
    db.close()


def test_digest_send_puts_it_in_the_spool_once(tmp_path, monkeypatch):
    workspace, db = park_deficient_only(tmp_path)
    with workspace.config_path.open("a", encoding="utf-8") as handle:
        handle.write(DIGEST_TO)
    result = invoke(workspace, DAY2, "digest", "--send", "--date", "2024-04-10",
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "queued the digest of 2024-04-10" in result.output and "sent 1 message(s)" in result.output
    spool = workspace.root / "var" / "outbox"
    digests = [p for p in spool.glob("*.eml")
               if "每日汇总" in str(parts(p.read_bytes())[0]["Subject"])]
    assert len(digests) == 1
    message, text, _ = parts(digests[0].read_bytes())
    assert message["To"] == "office@example.org, chief@example.org"
    assert "需补正 1 件" in text
    again = invoke(workspace, DAY2, "digest", "--send", "--date", "2024-04-10",
                   monkeypatch=monkeypatch)
    assert "already in the outbox" in again.output and "sent 0 message(s)" in again.output
    assert db.query("select status, count(*) as n from outbox where kind = 'digest' group by status") \
        == [{"status": "sent", "n": 1}]
    db.close()


# ---- config -------------------------------------------------------------------------------------

def test_config_defaults_and_keys():
    config = parse_config({}, Path("."))
    assert (config.reminders.after_days, config.reminders.max,
            config.reminders.before_deadline_days) == (3, 2, 2)
    assert (f"{config.reminders.start:%H:%M}", f"{config.reminders.end:%H:%M}") == ("08:30", "20:00")
    assert config.digest.to == ()
    assert KEYS["reminders"] == {"after_days", "max", "before_deadline_days", "quiet_hours"}
    assert KEYS["digest"] == {"to"}


@pytest.mark.parametrize("data, words", [
    ({"reminders": {"after_days": 0}}, "after_days must be a whole number of at least 1"),
    ({"reminders": {"max": -1}}, "max must be a whole number of at least 0"),
    ({"reminders": {"max": True}}, "max must be a whole number"),
    ({"reminders": {"before_deadline_days": "2"}}, "before_deadline_days must be"),
    ({"reminders": {"quiet_hours": "8:30"}}, "quiet_hours must be two times"),
    ({"reminders": {"quiet_hours": "20:00-08:30"}}, "the first time must be earlier"),
    ({"reminders": {"quiet_hours": "10:00-20:00"}}, "is outside [reminders] quiet_hours"),
    ({"reminders": {"quiet_hours": "07:00-08:00"}, "schedule": {"reminders": "09:00"}},
     "no reminder would ever go out"),
    ({"reminders": {"later": 1}}, "unknown key(s) ['later'] in [reminders]"),
    ({"digest": {"to": "office@example.org"}}, "[digest] to must be a list of e-mail addresses"),
    ({"digest": {"to": ["office"]}}, "[digest] to must be a list"),
    ({"digest": {"to": ["a@example.org\r\nBcc: b@example.org"]}}, "[digest] to must be a list"),
])
def test_config_mistakes_are_clear(data, words):
    with pytest.raises(ConfigError) as error:
        parse_config(data, Path("."))
    assert words in str(error.value)


def test_config_reads_the_sections():
    config = parse_config({"reminders": {"after_days": 5, "max": 0, "quiet_hours": "07:00-21:30"},
                           "schedule": {"reminders": "07:30"},
                           "digest": {"to": ["office@example.org"]}}, Path("."))
    assert (config.reminders.after_days, config.reminders.max) == (5, 0)
    assert f"{config.reminders.start:%H:%M}-{config.reminders.end:%H:%M}" == "07:00-21:30"
    assert config.digest.to == ("office@example.org",)


def test_the_arrivals_chart_counts_new_submissions_per_local_day(day2):
    _, text, html = day2
    chart = text[text.index("五、近14天每日新收申报"):]
    enterprise = chart[chart.index("【2024年度绿色发展创新企业案例征集】"):]
    enterprise = enterprise[:enterprise.index("\n\n")]
    # The fortnight's quiet days before the first arrival are left out.
    assert enterprise.splitlines()[1:] == ["  04-10   3 " + "█" * 30, "  04-11   2 " + "█" * 20]
    assert "width:240px" in html and "width:160px" in html


def test_the_digest_attaches_the_summary_sheet_as_it_stands(prepared, day2):
    message = day2[0]
    files = list(message.iter_attachments())
    assert [f.get_filename() for f in files] == ["汇总表-2024-04-11.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(files[0].get_content()))
    _, db = prepared
    total = db.query("select count(*) as n from submissions")[0]["n"]
    # One row per submission over the campaign sheets (each with its header), then findings.
    campaign_sheets = book.worksheets[:-1]
    assert sum(sheet.max_row - 1 for sheet in campaign_sheets) == total
    references = {row[0] for sheet in campaign_sheets
                  for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "GPIPC-2024-E-0005" in references
