"""补正提醒: the schedule with an injected clock, and the reminder mail itself."""
from __future__ import annotations

import email
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email import policy

import pytest

from outbox.compose import ReplySettings
from outbox.reminders import (LAST, REGULAR, Pending, ReminderLetter, ReminderSettings, build_reminder,
                              due_reminders, reminder_due, reminder_subject)
from parsers.subjects import normalise_subject

CST = timezone(timedelta(hours=8))
SETTINGS = ReminderSettings()  # 3 days, at most 2, the last 2 days before, 08:30-20:00 Shanghai
# The deadline day is 2024-04-15: deadline_at() is the first instant of the 16th.
DEADLINE = datetime(2024, 4, 16, 0, 0, tzinfo=CST)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=CST)


def pending(notice: datetime = at(1, 10), *reminded: datetime, verdict: str = "deficient",
            deadline: datetime | None = DEADLINE) -> Pending:
    return Pending(7, verdict, notice, tuple(reminded), deadline)


# ---- the schedule ------------------------------------------------------------------------------

def test_the_first_reminder_goes_on_the_third_day_after_the_notice():
    assert reminder_due(pending(), SETTINGS, at(3)) is None
    assert reminder_due(pending(), SETTINGS, at(4)) == REGULAR


def test_the_second_waits_three_days_after_the_first():
    assert reminder_due(pending(at(1, 10), at(4)), SETTINGS, at(6)) is None
    assert reminder_due(pending(at(1, 10), at(4)), SETTINGS, at(7)) == REGULAR


def test_never_more_than_max_regular_reminders():
    assert reminder_due(pending(at(1, 10), at(4), at(7)), SETTINGS, at(10)) is None
    assert reminder_due(pending(at(1, 10), at(4)), replace(SETTINGS, max=1), at(10)) is None


def test_never_once_complete_or_late():
    for verdict in ("complete", "late"):
        assert reminder_due(pending(verdict=verdict), SETTINGS, at(4)) is None


@pytest.mark.parametrize("now", [DEADLINE, at(16), at(20)])
def test_never_at_or_after_the_deadline(now):
    assert reminder_due(pending(at(13, 10)), SETTINGS, now) is None


def test_never_twice_on_one_local_day():
    """Checked on its own: with no wait between reminders, a second one still waits a day."""
    eager = replace(SETTINGS, after_days=0, max=5)
    assert reminder_due(pending(at(1, 10), at(4, 9)), eager, at(4, 19)) is None
    assert reminder_due(pending(at(1, 10), at(4, 9)), eager, at(5)) == REGULAR


def test_never_on_the_day_of_the_notice():
    same_day = replace(SETTINGS, after_days=0)
    assert reminder_due(pending(at(1, 10)), same_day, at(1, 19)) is None
    assert reminder_due(pending(at(1, 10)), same_day, at(2)) == REGULAR
    # A notice sent inside the last window: the last reminder waits for the next day.
    assert reminder_due(pending(at(14, 10)), SETTINGS, at(14, 18)) is None
    assert reminder_due(pending(at(14, 10)), SETTINGS, at(15)) == LAST


@pytest.mark.parametrize("hour, minute, sent", [(8, 29, False), (8, 30, True), (12, 0, True),
                                                 (19, 59, True), (20, 0, False), (23, 0, False),
                                                 (3, 0, False)])
def test_only_within_the_sending_hours(hour, minute, sent):
    due = due_reminders([pending()], SETTINGS, at(4, hour, minute))
    assert [(p.submission_id, kind) for p, kind in due] == ([(7, REGULAR)] if sent else [])


def test_the_hours_are_local_to_the_configured_zone():
    """GIVEN 09:00 in Shanghai, which is 01:00 UTC WHEN the zone is UTC THEN nothing goes."""
    now = at(4, 9)
    assert due_reminders([pending()], SETTINGS, now)
    assert due_reminders([pending()], replace(SETTINGS, zone=timezone.utc), now) == []


def test_days_are_counted_in_local_calendar_days():
    """GIVEN a notice at 00:30 on 1 April in Shanghai (still 31 March in UTC) THEN on the 3rd
    only two local days have passed, though three UTC dates have."""
    notice = at(1, 0, 30)
    assert reminder_due(pending(notice), SETTINGS, at(3)) is None
    assert reminder_due(pending(notice), replace(SETTINGS, zone=timezone.utc), at(3)) == REGULAR


def test_the_last_reminder_two_days_before_the_deadline():
    """GIVEN both regular reminders used WHEN the 14th begins (2 days before the end of the
    15th) THEN the last one is due, once."""
    used = pending(at(1, 10), at(4), at(7))
    assert reminder_due(used, SETTINGS, at(13)) is None
    assert reminder_due(used, SETTINGS, at(14, 0, 1)) == LAST
    assert reminder_due(used, SETTINGS, at(14)) == LAST
    assert reminder_due(pending(at(1, 10), at(4), at(7), at(14)), SETTINGS, at(15)) is None


def test_the_last_one_replaces_a_regular_one_inside_the_window():
    """GIVEN a notice on the 12th WHEN the window opens on the 14th THEN the one reminder left
    is the last one, and no regular one follows on the 15th."""
    assert reminder_due(pending(at(12, 10)), SETTINGS, at(14)) == LAST
    assert reminder_due(pending(at(12, 10), at(14)), SETTINGS, at(15)) is None


def test_the_last_one_does_not_count_against_max():
    assert reminder_due(pending(at(1, 10), at(4), at(7)), replace(SETTINGS, max=0), at(14)) == LAST
    assert reminder_due(pending(at(1, 10)), replace(SETTINGS, max=0), at(10)) is None


def test_no_last_reminder_without_a_deadline_or_when_switched_off():
    assert reminder_due(pending(at(1, 10), at(4), at(7), deadline=None), SETTINGS, at(14)) is None
    off = replace(SETTINGS, before_deadline_days=0)
    assert reminder_due(pending(at(1, 10), at(4), at(7)), off, at(14)) is None
    assert reminder_due(pending(at(1, 10), deadline=None), SETTINGS, at(4, month=5)) == REGULAR


def test_an_updated_deficiency_notice_restarts_the_count():
    """GIVEN two reminders used, then a correction that is still deficient and its 【已更新】
    notice on the 8th WHEN three local days pass THEN reminders start again from that notice."""
    before = (at(4), at(7))
    assert reminder_due(pending(at(1, 10), *before), SETTINGS, at(11)) is None
    renewed = pending(at(8, 15), *before)
    assert reminder_due(renewed, SETTINGS, at(10)) is None
    assert reminder_due(renewed, SETTINGS, at(11)) == REGULAR
    assert reminder_due(pending(at(8, 15), *before, at(11)), SETTINGS, at(13)) is None


def test_an_updated_notice_in_the_last_window_earns_another_last_reminder():
    assert reminder_due(pending(at(14, 15), at(4), at(7), at(14, 9)), SETTINGS, at(15)) == LAST


# ---- the mail ------------------------------------------------------------------------------------

MAIL = ReplySettings("cases@example.org", "案例征集秘书处", "example.org", "秘书处",
                     "联系邮箱：cases@example.org")
NOTICE_ID = "<notice-1@example.org>"


def letter(**values: object) -> ReminderLetter:
    base = dict(submission_id=7, reference="GPIPC-2024-P-0002", kind=REGULAR, campaign="gpipc-park-2024",
                campaign_title="2024年度绿色发展创新案例征集", unit_name="示例滨海经济技术开发区管理委员会",
                case_name="节能环保产业孵化基地",
                notice_subject="【需补正】【示例滨海经济技术开发区管理委员会】绿盟案例征集（受理编号：GPIPC-2024-P-0002）",
                notice_message_id=NOTICE_ID, notice_day=date(2024, 4, 1), to="liu@example.cn",
                missing=("申报表中“联系邮箱”未填写", "缺少案例编辑模板"), deadline=date(2024, 4, 15))
    base.update(values)
    return ReminderLetter(**base)


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def parts(raw: bytes) -> tuple[str, str]:
    message = parsed(raw)
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def test_a_reminder_answers_the_last_notice_and_is_auto_generated():
    reminder = build_reminder(MAIL, letter(), at(4))
    message = parsed(reminder.raw)
    assert message["Subject"] == "【补正提醒】【示例滨海经济技术开发区管理委员会】绿盟案例征集（受理编号：GPIPC-2024-P-0002）"
    assert message["To"] == "liu@example.cn" and message["From"].addresses[0].addr_spec == "cases@example.org"
    assert message["In-Reply-To"] == NOTICE_ID and message["References"] == NOTICE_ID
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All" and message["X-Intake-Loop"] == "example.org"
    assert message["Message-ID"] == reminder.message_id != NOTICE_ID
    assert reminder.message_id.endswith("@example.org>")
    assert message["Date"].datetime == at(4)


def test_both_parts_list_what_is_still_missing_and_quote_the_reference():
    text, html = parts(build_reminder(MAIL, letter(), at(4)).raw)
    for part in (text, html):
        assert "GPIPC-2024-P-0002" in part and "2024年4月1日发出的补正通知" in part
        assert "申报表中“联系邮箱”未填写" in part and "缺少案例编辑模板" in part
        assert "以下2处问题" in part and "2024年4月15日" in part
        assert "最后一次提醒" not in part
    assert "  1. 申报表中“联系邮箱”未填写\n" in text and "<li>缺少案例编辑模板</li>" in html


def test_the_last_reminder_says_it_is_the_last():
    text, html = parts(build_reminder(MAIL, letter(kind=LAST), at(14)).raw)
    assert "这是截止前的最后一次提醒" in text and "这是截止前的最后一次提醒" in html


def test_an_updated_notice_gives_the_original_subject():
    subject = reminder_subject("【已更新】【需补正】【示例开发区】绿盟案例征集（受理编号：GPIPC-2024-P-0001）",
                               "光储充", "GPIPC-2024-P-0001")
    assert subject == "【补正提醒】【示例开发区】绿盟案例征集（受理编号：GPIPC-2024-P-0001）"
    assert reminder_subject("", "光储充一体化", "R-1") == "【补正提醒】光储充一体化（受理编号：R-1）"


def test_a_reply_to_a_reminder_is_read_with_the_original_subject():
    """The applicant answers the reminder: classification must still see 【单位】绿盟案例征集."""
    subject = build_reminder(MAIL, letter(), at(4)).subject
    assert normalise_subject(f"回复：{subject}") == "【示例滨海经济技术开发区管理委员会】绿盟案例征集"


@pytest.mark.parametrize("evil", ["a\r\nBcc: x@example.com", "a\nX-Evil: 1", "a\x00b", "长" * 5000])
def test_applicant_text_cannot_inject_headers(evil):
    reminder = build_reminder(MAIL, letter(notice_subject=evil, unit_name=evil, case_name=evil), at(4))
    message = parsed(reminder.raw)
    assert set(message.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
                                   "References", "Auto-Submitted", "X-Auto-Response-Suppress",
                                   "X-Intake-Loop", "MIME-Version", "Content-Type"}
    assert "\n" not in message["Subject"] and len(message["Subject"]) < 200


def test_applicant_text_is_escaped_in_html():
    _, html = parts(build_reminder(MAIL, letter(unit_name="<b>示例</b>",
                                                missing=("文件“<script>.docx”无法打开",)), at(4)).raw)
    assert "<script>" not in html and "&lt;script&gt;" in html
    # Markup is no unit's name: the reminder does not repeat it (outbox/echo.py).
    assert "<b>示例" not in html and "&lt;b&gt;示例" not in html and "（未识别）" in html


def test_without_findings_it_points_to_the_notice():
    text, html = parts(build_reminder(MAIL, letter(missing=()), at(4)).raw)
    assert "请按2024年4月1日发出的补正通知补正材料" in text and "处问题" not in text
    assert "请按2024年4月1日发出的补正通知补正材料" in html
