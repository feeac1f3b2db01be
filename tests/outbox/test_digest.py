"""The daily digest composed from plain figures: headers, both parts, every section."""
from __future__ import annotations

import email
from datetime import date, datetime, timedelta, timezone
from email import policy

from outbox.compose import ReplySettings
from outbox.digest import (XLSX, Attachment, CampaignDay, DigestFigures, Flag, MailboxEvent,
                           MailboxHealth, NeedsPerson, NewSubmission, build_digest,
                           digest_subject)

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 4, 10, 18, 0, tzinfo=CST)
MAIL = ReplySettings("cases@example.org", "案例征集秘书处", "example.org", "秘书处", "")
TO = ("office@example.org", "chief@example.org")

PARK = CampaignDay("gpipc-park-2024", "2024年度绿色发展创新案例征集", received=3, total=17, complete=11,
                   deficient=5, late=1, oldest_wait_days=6, corrected=2, duplicates=1,
                   duplicates_total=4, categories=(("绿色产业发展创新", 9), ("绿色基础设施创新", 8)),
                   rejected=1,
                   arrivals=tuple((date(2024, 4, 10) - timedelta(days=13 - n), n % 5)
                                  for n in range(14)))
ENTERPRISE = CampaignDay("gpipc-enterprise-2024", "2024年度绿色发展创新企业案例征集", received=0,
                         total=4, complete=4, deficient=0, late=0, oldest_wait_days=None,
                         corrected=0, duplicates=0, duplicates_total=0, quota_max=2,
                         quota_by="每个园区可推荐1-2家企业案例",
                         quota_groups=(("示例临港经济技术开发区", 3), ("示例经济技术开发区", 2),
                                       ("示例高新区", 1)))
FIGURES = DigestFigures(
    day=date(2024, 4, 10), campaigns=(PARK, ENTERPRISE),
    new_submissions=(NewSubmission("gpipc-park-2024", "GPIPC-2024-P-0017", "示例开发区管委会",
                                   "园区光储充一体化", "deficient",
                                   ("申报表未盖章", "照片少于3张", "案例简介超过300字")),),
    needs=NeedsPerson(
        not_submissions=(Flag("#41", "请问截止时间", "zhao@example.com", "咨询或非申报邮件，请秘书处人工处理"),),
        parked=(Flag("#40", "【某单位】绿盟案例征集", "qian@example.com", "RuntimeError: parser crash"),),
        failed_replies=(Flag("GPIPC-2024-P-0003", "【已受理】…", "sun@example.cn",
                             "已尝试3次：Connection refused"),),
        seal_warnings=(Flag("GPIPC-2024-P-0017", "【示例开发区管委会】绿盟案例征集", "li@example.cn",
                            "申报表未发现盖章"),)),
    mailboxes=(MailboxHealth("campaign", "2024-04-10 17:55", 0, ""),
               MailboxHealth("backup", "2024-04-09 08:00", 12, "login 登录被拒绝",
                             (MailboxEvent("2024-04-10 09:00", "INBOX", "uidvalidity", "重新扫描"),))))


def parts(raw: bytes) -> tuple[email.message.EmailMessage, str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    return (message, message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_headers():
    digest = build_digest(MAIL, TO, FIGURES, NOW)
    message, _, _ = parts(digest.raw)
    assert message["Subject"] == digest.subject == "【每日汇总】2024-04-10 案例征集受理情况"
    assert digest_subject(date(2024, 4, 10)) == digest.subject
    assert [a.addr_spec for a in message["To"].addresses] == list(TO)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == digest.message_id and digest.message_id.endswith("@example.org>")


def test_campaign_figures_in_both_parts():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    assert "当日新收 3 件，累计 17 件；其中已受理 11 件，需补正 5 件（等待最久的已 6 天），逾期 1 件" in text
    assert "当日补正 2 件；重复邮件当日 1 封，累计 4 封" in text
    assert "按类别：绿色产业发展创新 9 件；绿色基础设施创新 8 件" in text
    assert "逾期 1 件，不予受理 1 件。" in text
    assert ("<td>17</td><td>11</td><td>5</td><td>6</td><td>1</td><td>1</td><td>2</td>"
            "<td>1 / 4</td>") in html
    assert "绿色产业发展创新 9 件" in html
    # No deficient submission: no waiting time.
    assert "需补正 0 件，逾期 0 件" in text and "<td>0</td><td>—</td>" in html


def test_every_quota_group_is_counted_and_full_or_over_ones_are_flagged():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    assert ("推荐数量（每个园区可推荐1-2家企业案例，每组不超过 2 件）：示例临港经济技术开发区 3 件（超过上限）；"
            "示例经济技术开发区 2 件（已满）；示例高新区 1 件。") in text
    assert "！超出推荐上限：示例临港经济技术开发区 已有 3 件，超过上限。" in text
    assert '<span style="color:#b00;font-weight:bold">示例临港经济技术开发区 3 件（超过上限）</span>' in html
    assert '<span style="color:#b60">示例经济技术开发区 2 件（已满）</span>' in html
    assert ENTERPRISE.over_quota == (("示例临港经济技术开发区", 3),)
    assert ENTERPRISE.at_quota == (("示例经济技术开发区", 2),)
    # The park campaign has no quota: nothing is said about one.
    assert text.count("推荐数量") == 1


def test_cases_of_no_quota_group_are_listed_apart():
    """GIVEN two cases whose province could not be told WHEN the digest is made THEN it lists
    them under 未能确定省份/园区, outside every group's count."""
    from dataclasses import replace

    mee = replace(ENTERPRISE, campaign="mee-lowcarbon-2023", title="2023年绿色低碳典型案例征集推选",
                  quota_max=3, quota_by="每个省（区、市）每个类别报送2-3个",
                  quota_groups=(("浙江省·社区", 4),),
                  quota_unknown=("MEE-2023-0002 示例社区", "MEE-2023-0005 示例公司"))
    _, text, html = parts(build_digest(MAIL, TO, replace(FIGURES, campaigns=(mee,)), NOW).raw)
    assert "：浙江省·社区 4 件（超过上限）。" in text
    assert "未能确定省份/园区（2 件，未计入推荐数量）：MEE-2023-0002 示例社区；MEE-2023-0005 示例公司。" in text
    assert "未能确定省份/园区（2 件，未计入推荐数量）：MEE-2023-0002 示例社区；" in html
    assert "未能确定" not in parts(build_digest(MAIL, TO, FIGURES, NOW).raw)[1]


def test_arrivals_are_drawn_as_bars_on_one_scale_in_both_parts():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    chart = text[text.index("五、近14天每日新收申报"):]
    assert "【2024年度绿色发展创新案例征集】" in chart
    # Up to 14 days ending with the digest's day, from the first with an arrival (03-28 had
    # none); the busiest day (4) gets the full 30 blocks.
    assert "03-28" not in chart and "  03-29   1 " + "█" * 8 + "\n" in chart
    assert "  04-10   3 " + "█" * 22 + "\n" in chart and "  04-02   0\n" in chart
    assert "  04-09   2 " + "█" * 15 + "\n" in chart and "█" * 30 + "\n" in chart
    assert html.count("background:#3b7dd8") == 13
    assert "width:240px" in html and "width:180px" in html and "width:0px" in html
    # A campaign with no arrivals in the fortnight draws no chart.
    assert "【2024年度绿色发展创新企业案例征集】" not in chart


def test_new_submissions_table():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    assert "二、当日新收申报（1 件）" in text
    assert ("1. GPIPC-2024-P-0017｜示例开发区管委会｜园区光储充一体化｜需补正｜需补正 3 处\n"
            "       - 申报表未盖章\n       - 照片少于3张\n       - 案例简介超过300字\n") in text
    assert ("<tr><td>GPIPC-2024-P-0017</td><td>示例开发区管委会</td><td>园区光储充一体化</td>"
            "<td>需补正</td><td>申报表未盖章<br>照片少于3张<br>案例简介超过300字</td></tr>") in html


def test_needs_a_person_lists_each_group_with_its_items():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    assert "三、需要人工处理（4 项）" in text
    assert "[#41] 请问截止时间（发件人：zhao@example.com）：咨询或非申报邮件，请秘书处人工处理" in text
    assert "[#40] 【某单位】绿盟案例征集（发件人：qian@example.com）：RuntimeError: parser crash" in text
    assert "发送失败或退信的回复（1）" in text and "（收件人：sun@example.cn）：已尝试3次：Connection refused" in text
    assert "未发现盖章（请人工确认）（1）" in text
    # Empty groups are left out.
    assert "无法打开的附件" not in text and "超大附件" not in text
    assert "[#41] 请问截止时间" in html and "Connection refused" in html


def test_mailbox_health():
    _, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW).raw)
    assert "campaign：最近一次成功收信 2024-04-10 17:55。" in text
    assert "backup：最近一次成功收信 2024-04-09 08:00；此后收信失败 12 次，最近一次：login 登录被拒绝。" in text
    assert "警告 2024-04-10 09:00 INBOX uidvalidity：重新扫描" in text
    assert "此后收信失败 12 次" in html and "重新扫描" in html


def test_a_quiet_day_says_so():
    quiet = DigestFigures(date(2024, 4, 11), (), (), NeedsPerson(), ())
    _, text, html = parts(build_digest(MAIL, TO, quiet, NOW).raw)
    assert "尚无申报材料" in text and "二、当日新收申报（0 件）\n  无。" in text
    assert "三、需要人工处理（0 项）\n  无。" in text and "未配置邮箱" in text
    assert "尚无申报材料" in html and "<p>无。</p>" in html


def test_applicant_text_is_escaped_in_html():
    evil = Flag("#1", "<img src=x onerror=alert(1)>", "a@example.com", "<b>x</b>")
    figures = DigestFigures(date(2024, 4, 10), (), (), NeedsPerson(not_submissions=(evil,)), ())
    _, text, html = parts(build_digest(MAIL, TO, figures, NOW).raw)
    assert "<img" not in html and "&lt;img src=x" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<img src=x onerror=alert(1)>" in text


def test_without_addresses_there_is_no_to_header():
    message, _, _ = parts(build_digest(MAIL, (), FIGURES, NOW).raw)
    assert message["To"] is None and message["Subject"].startswith("【每日汇总】")


def test_the_summary_sheet_is_attached_after_both_parts():
    sheet = Attachment("汇总表-2024-04-10.xlsx", b"PK\x03\x04 workbook", *XLSX)
    message, text, html = parts(build_digest(MAIL, TO, FIGURES, NOW, (sheet,)).raw)
    files = list(message.iter_attachments())
    assert [f.get_filename() for f in files] == ["汇总表-2024-04-10.xlsx"]
    assert files[0].get_content_type() == "/".join(XLSX)
    assert files[0].get_content() == b"PK\x03\x04 workbook"
    assert "附件：汇总表-2024-04-10.xlsx（当前汇总表）" in text and "汇总表-2024-04-10.xlsx" in html
