"""Subjects as people really type them, and mail no person wrote."""
from __future__ import annotations

import pytest

from parsers.automatic import automatic_kind, header_word, report_kind
from parsers.mail import parse_mail
from parsers.model import Attachment, ParsedMail
from parsers.subjects import normalise_subject
from pipeline.analysis.classify import match_keywords, match_subject


@pytest.mark.parametrize("subject, campaign, unit", [
    ("【示例开发区】绿盟案例征集", "gpipc-park-2024", "示例开发区"),
    ("[ 示例开发区 ]绿盟案例征集", "gpipc-park-2024", "示例开发区"),
    ("回复: RE: 【示例开发区】绿盟案例征集-补充材料", "gpipc-park-2024", "示例开发区"),
    ("【示例公司】绿盟企业案例征集", "gpipc-enterprise-2024", "示例公司"),
    ("转发：【需补正】【示例公司】绿盟企业案例征集（受理编号：GPIPC-2024-E-0001）",
     "gpipc-enterprise-2024", "示例公司"),
    ("浙江省低碳发展典型案例申报材料", "mee-lowcarbon-2023", "浙江省"),
    ("新疆生产建设兵团低碳发展典型案例申报材料", "mee-lowcarbon-2023", "新疆生产建设兵团"),
    ("报送绿色低碳发展优秀实践案例", "ccea-green-2022", None),
    ("典型履责实践案例申报", "ccea-csr-2022", None),
    ("请问截止时间", None, None),
])
def test_subjects(profiles, subject, campaign, unit):
    found = match_subject(subject, profiles)
    if found.campaign is None:
        found = match_keywords(subject, profiles)
    assert (found.campaign, found.unit) == (campaign, unit)


def test_full_width_is_normalised():
    assert normalise_subject("Ｆｗ：【Ａ】绿盟案例征集") == "【A】绿盟案例征集"


FORM = Attachment("申报表.docx", "application/octet-stream", b"PK")


def mail(headers: dict[str, str], subject: str = "x", sender: str = "a@example.com",
         content_type: str = "text/plain", return_path: str | None = None,
         attachments: tuple[Attachment, ...] = ()) -> ParsedMail:
    return ParsedMail("<m@x>", subject, sender, "", ("cases@example.org",), return_path, None,
                      None, "", "", "", (), headers, attachments, content_type)


@pytest.mark.parametrize("message, kind", [
    (mail({"auto-submitted": "auto-replied"}), "auto_reply"),
    (mail({"auto-submitted": "No (comment)"}), None),
    (mail({}, subject="自动回复：我正在休假"), "auto_reply"),
    (mail({"x-autoreply": "yes"}), "auto_reply"),
    (mail({}, sender="MAILER-DAEMON@example.com"), "bounce"),
    (mail({"content-type": "multipart/report; report-type=delivery-status"},
          content_type="multipart/report"), "bounce"),
    (mail({"content-type": "multipart/report; report-type=disposition-notification"},
          content_type="multipart/report"), "receipt"),
    (mail({}, return_path=""), "bounce"),
    (mail({}), None),
])
def test_automatic_mail(message, kind):
    assert automatic_kind(message) == kind


@pytest.mark.parametrize("headers, subject, attached, kind", [
    # Saying it answers a mail makes it an auto-reply, attachments or not.
    ({"auto-submitted": "auto-replied"}, "x", True, "auto_reply"),
    ({"auto-submitted": "Auto-Replied; owner-email=\"a@example.com\""}, "x", True, "auto_reply"),
    ({"precedence": "auto_reply"}, "x", True, "auto_reply"),
    ({"x-autorespond": "yes"}, "x", True, "auto_reply"),
    ({"x-auto-response": "yes"}, "x", True, "auto_reply"),
    ({}, "自动回复：【示例公司】绿盟企业案例征集", True, "auto_reply"),
    # Generated or bulk mail without files is automatic...
    ({"auto-submitted": "auto-generated"}, "x", False, "auto_reply"),
    ({"auto-submitted": "auto-notified"}, "x", False, "auto_reply"),
    ({"precedence": "bulk"}, "x", False, "auto_reply"),
    ({"precedence": "junk"}, "x", False, "auto_reply"),
    ({"precedence": "List"}, "x", False, "auto_reply"),
    # ...but with files it may be a platform's or a list's copy of a real submission.
    ({"auto-submitted": "auto-generated"}, "【示例公司】绿盟企业案例征集", True, None),
    ({"auto-submitted": "Auto-Generated (示例省申报平台)"}, "x", True, None),
    ({"precedence": "bulk"}, "x", True, None),
    ({"precedence": "junk"}, "x", True, None),
    ({"precedence": "list"}, "x", True, None),
    ({"precedence": " BULK (mass mailing)"}, "x", True, None),
    ({"auto-submitted": "no", "precedence": "list"}, "x", True, None),
])
def test_generated_or_bulk_mail_with_files_may_be_a_submission(headers, subject, attached, kind):
    message = mail(headers, subject=subject, attachments=(FORM,) if attached else ())
    assert automatic_kind(message) == kind


@pytest.mark.parametrize("message, kind", [
    (mail({"content-type": "multipart/report; report-type=delivery-status"},
          content_type="multipart/report"), "bounce"),
    (mail({}, subject="已读: 【已受理】x"), "receipt"),
    (mail({}, subject="系统退信"), "bounce"),
    # The envelope alone is automatic_kind's business, not a report.
    (mail({}, sender="mailer-daemon@example.com"), None),
    (mail({}, return_path=""), None),
])
def test_report_kind_reads_the_mail_not_the_envelope(message, kind):
    assert report_kind(message) == kind


@pytest.mark.parametrize("value, word", [
    ("auto-generated", "auto-generated"), ("Auto-Generated (by the platform)", "auto-generated"),
    (" No (a person wrote this) ", "no"), ("", ""), ("(only a comment)", ""),
    ("auto-replied; owner-email=a@example.com", "auto-replied"),
])
def test_header_word(value, word):
    assert header_word(value) == word


# --- Real shapes of mail no person wrote, parsed from bytes ------------------------------------

def raw(headers: str, body: str = "",
        content_type: str = "text/plain; charset=utf-8") -> ParsedMail:
    """A mail from header lines and a body, parsed as the pipeline parses it."""
    head = headers.strip().replace("\n", "\r\n")
    return parse_mail((f"{head}\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
                       f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}").encode())


ORIGINAL = ("From: 王晓明 <wang@example.cn>\r\nTo: cases@example.org\r\n"
            "Subject: 【示例公司】绿盟企业案例征集\r\n")


def report(report_type: str, status: str) -> str:
    """A multipart/report body: the human part, the machine part, the original's headers."""
    machine = ("message/delivery-status", "Reporting-MTA: dns; mx.example.com\r\n\r\n"
               "Final-Recipient: rfc822; nobody@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n")
    if report_type == "disposition-notification":
        machine = ("message/disposition-notification", "Reporting-UA: mail.example.com\r\n"
                   "Final-Recipient: rfc822; wang@example.cn\r\n"
                   "Disposition: manual-action/MDN-sent-manually; displayed\r\n")
    return (f"--R\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{status}\r\n"
            f"--R\r\nContent-Type: {machine[0]}\r\n\r\n{machine[1]}\r\n"
            f"--R\r\nContent-Type: text/rfc822-headers\r\n\r\n{ORIGINAL}\r\n--R--\r\n")


BOUNCES = {
    "postfix": raw("""From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: cases@example.org
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied""", report("delivery-status", "I'm sorry to have to inform you..."),
                   "multipart/report; report-type=delivery-status; boundary=R"),
    "report from a named sender": raw("""From: 邮件系统 <system@example.com>
To: cases@example.org
Subject: 投递状态通知 (失败)""", report("delivery-status", "您的邮件未能送达"),
                                      "multipart/report; report-type=delivery-status; boundary=R"),
    "qq style": raw("""From: PostMaster <PostMaster@example.com>
To: cases@example.org
Subject: 系统退信""", "抱歉，您的邮件被退回来了……\n原邮件信息：\n主题：【示例公司】绿盟企业案例征集"),
    "netease style": raw("""From: "邮件系统" <system-notice@example.com>
To: cases@example.org
Subject: 退信：【需补正】【示例公司】绿盟企业案例征集""", "很遗憾，您发送的邮件投递失败。"),
    "coremail style": raw("""From: =?UTF-8?B?57O757uf566h55CG5ZGY?= <admin@example.cn>
To: cases@example.org
Subject: =?UTF-8?B?6YKu5Lu25oqV6YCS5aSx6LSl?=""", "收件人地址不存在"),
    "english plain": raw("""From: Mail Administrator <admin@example.com>
To: cases@example.org
Subject: Undeliverable: 【示例公司】绿盟企业案例征集""", "Delivery has failed to these recipients"),
    "null return path": raw("""Return-Path: <>
From: gateway@example.com
To: cases@example.org
Subject: 通知""", "message could not be delivered"),
}

RECEIPTS = {
    "mdn": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 已读: 【需补正】【示例公司】绿盟企业案例征集""", report("disposition-notification", "您的邮件已被阅读"),
               "multipart/report; report-type=disposition-notification; boundary=R"),
    "outlook plain": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 已读: 【需补正】【示例公司】绿盟企业案例征集""", "您的邮件已于 2024/3/5 10:21 被阅读。"),
    "foxmail": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 已读回执：【已受理】【示例公司】绿盟企业案例征集""", "这是邮件已读回执"),
    "qq": raw("""Return-Path: <>
From: "王晓明" <wang@example.cn>
To: cases@example.org
Subject: 回执：【已受理】【示例公司】绿盟企业案例征集""", "您发送给 王晓明 的邮件，已于2024年3月5日 10:21被阅读。"),
    "english": raw("""From: wang@example.cn
To: cases@example.org
Subject: Read: 【已受理】【示例公司】绿盟企业案例征集""", "Your message was read on 2024-03-05."),
}

AUTO_REPLIES = {
    "outlook in chinese": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 自动答复: 【已受理】【示例公司】绿盟企业案例征集
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All""", "我正在休假，3月10日返回。"),
    "qq": raw("""From: "王晓明" <wang@example.cn>
To: cases@example.org
Subject: 自动回复：【需补正】【示例公司】绿盟企业案例征集""", "您好，邮件已收到，我会尽快处理。"),
    "rfc 3834 with null return path": raw("""Return-Path: <>
From: wang@example.cn
To: cases@example.org
Subject: Re: 【需补正】【示例公司】绿盟企业案例征集
Auto-Submitted: auto-replied""", "I am out of the office."),
    "outlook subject only": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 自动答复: 【已受理】【示例公司】绿盟企业案例征集""", "我正在出差，邮件将延迟回复。"),
    "header only": raw("""From: wang@example.cn
To: cases@example.org
Subject: 收到
X-Autoreply: yes""", "收到，谢谢。"),
}

PEOPLE = {
    "applicant": raw(ORIGINAL.strip(), "您好，附件是申报材料，请查收。"),
    "reply form 回执": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 回执：【示例公司】参会回执""", "请查收回执表，谢谢。"),
    "asking about a bounce": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 咨询：上次邮件退信了吗""", "请问上次发的邮件收到了吗？"),
    "asking for a receipt": raw("""From: 王晓明 <wang@example.cn>
To: cases@example.org
Subject: 【示例公司】绿盟企业案例征集
Disposition-Notification-To: wang@example.cn""", "请回复已读。"),
}


@pytest.mark.parametrize("kind, mails", [
    ("bounce", BOUNCES), ("receipt", RECEIPTS), ("auto_reply", AUTO_REPLIES), (None, PEOPLE)])
def test_real_shapes(kind, mails):
    assert {name: automatic_kind(m) for name, m in mails.items()} == {name: kind for name in mails}
