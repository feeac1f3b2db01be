"""Replies: both parts, the right headers, nothing an applicant wrote can break a header."""
from __future__ import annotations

import base64
import email
from datetime import datetime
from email import policy

import pytest

from outbox.compose import Answer, ReplySettings, build_reply, message_ids, reply_subject
from parsers.mail import parse_mail
from parsers.model import ParsedMail
from pipeline.demo.samples.mime import mail
from rules.model import Finding
from tests.conftest import NOW, doc, submission

SETTINGS = ReplySettings("cases@example.org", "案例征集秘书处", "example.org", "秘书处",
                         "联系邮箱：cases@example.org")
HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
           "Auto-Submitted", "X-Auto-Response-Suppress", "X-Intake-Loop", "MIME-Version",
           "Content-Type"]
CONTACT = Finding("field_missing", "contact_email", "error", "申报表中“联系邮箱”未填写")
PHOTOS = Finding("photo_count", None, "error", "照片数量不足：要求3至5张，收到1张")


def incoming(subject: str = "【示例开发区】绿盟案例征集", sender: str = "wang@example.cn") -> ParsedMail:
    return ParsedMail("<in-1@example.cn>", subject, sender, "王晓明", ("cases@example.org",),
                      None, None, None, "", "", "", (), {}, ())


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def reply(profiles, kind="receipt", findings=(), previous=None, sub=None, mail_in=None,
          settings=SETTINGS, campaign="gpipc-park-2024"):
    sub = sub or submission(campaign, (doc("申报表.docx", "form", fields={"case_name": "光储充"}),),
                            subject_unit="示例开发区")
    return build_reply(settings, profiles[campaign], mail_in or incoming(), sub,
                       Answer(kind, "GPIPC-2024-P-0001", tuple(findings), previous),
                       "wang@example.cn", NOW)


def texts(raw: bytes) -> tuple[str, str]:
    message = parsed(raw)
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


@pytest.mark.parametrize("kind, prefix", [("receipt", "【已受理】"), ("deficiency", "【需补正】"),
                                          ("late", "【逾期】")])
def test_each_kind_has_both_parts_and_loop_headers(profiles, kind, prefix):
    result = reply(profiles, kind, [CONTACT])
    message = parsed(result.raw)
    assert message["Subject"].startswith(prefix) and "GPIPC-2024-P-0001" in message["Subject"]
    assert message["To"] == "wang@example.cn"
    assert message["In-Reply-To"] == "<in-1@example.cn>"
    assert message["References"] == "<in-1@example.cn>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["X-Intake-Loop"] == "example.org"
    assert message["Message-ID"] == result.message_id and result.message_id.endswith("@example.org>")
    text, html = texts(result.raw)
    assert "GPIPC-2024-P-0001" in text and "GPIPC-2024-P-0001" in html
    if kind == "deficiency":
        assert "联系邮箱" in text and "联系邮箱" in html
        assert "直接回复本邮件并附上修改后的材料即可" in text


def test_warnings_are_apart_from_deficiencies(profiles):
    seal = Finding("seal_missing", None, "warning", "申报表未发现盖章")
    text, _ = texts(reply(profiles, "receipt", [seal]).raw)
    assert "请留意" in text and "申报表未发现盖章" in text and "补正" not in text


def test_an_updated_notice_says_what_is_resolved_and_what_is_still_missing(profiles):
    result = reply(profiles, "deficiency", [PHOTOS], previous=(CONTACT, PHOTOS))
    assert parsed(result.raw)["Subject"].startswith("【已更新】【需补正】")
    text, html = texts(result.raw)
    resolved, missing = text.index("已解决"), text.index("仍需补正")
    assert text.index("联系邮箱", resolved) < missing < text.index("照片数量不足", missing)
    assert "已解决" in html and "仍需补正" in html


def test_an_updated_receipt_lists_what_was_resolved(profiles):
    result = reply(profiles, "receipt", [], previous=(CONTACT,))
    assert parsed(result.raw)["Subject"].startswith("【已更新】【已受理】")
    text, _ = texts(result.raw)
    assert "已解决" in text and "联系邮箱" in text and "已受理" in text


def test_templates_are_overridden_per_campaign(profiles, tmp_path):
    (tmp_path / "gpipc-park-2024").mkdir()
    (tmp_path / "gpipc-park-2024" / "receipt.txt.j2").write_text(
        "{{ unit_name }}：绿盟专用回执 {{ reference }}\n", encoding="utf-8")
    (tmp_path / "receipt.html.j2").write_text("<p>通用 {{ reference }}</p>\n", encoding="utf-8")
    settings = ReplySettings(*[getattr(SETTINGS, f) for f in (
        "from_addr", "from_name", "domain", "secretariat_name", "secretariat_contact")],
        templates=tmp_path)
    text, html = texts(reply(profiles, settings=settings).raw)
    assert text.strip() == "示例开发区：绿盟专用回执 GPIPC-2024-P-0001"
    assert html.strip() == "<p>通用 GPIPC-2024-P-0001</p>"
    other = reply(profiles, settings=settings, campaign="ccea-csr-2022",
                  sub=submission("ccea-csr-2022"))
    other_text, other_html = texts(other.raw)
    assert "绿盟专用回执" not in other_text and "后续安排" in other_text
    assert other_html.strip() == "<p>通用 GPIPC-2024-P-0001</p>"


def test_an_updated_reply_says_so(profiles):
    assert reply_subject("receipt", profiles["gpipc-park-2024"], "示例单位", "R-1", True) == \
        "【已更新】【已受理】【示例单位】绿盟案例征集（受理编号：R-1）"


def test_the_subject_is_the_notice_s_with_the_unit_never_the_mail_s(profiles):
    """GIVEN a mail whose subject carries a forger's words WHEN replied to THEN the reply's
    subject is the notice's convention with the unit as read, or without a unit that does not
    read as a name; a campaign without a convention is named by its title."""
    forged = incoming(subject="【示例开发区】您的账户异常 请登录 http://evil.example.com 核验")
    result = reply(profiles, mail_in=forged)
    assert result.subject == "【已受理】【示例开发区】绿盟案例征集（受理编号：GPIPC-2024-P-0001）"
    park = profiles["gpipc-park-2024"]
    assert reply_subject("deficiency", park, "账户异常 请登录 www.example.com", "R-1", False) == \
        "【需补正】绿盟案例征集（受理编号：R-1）"
    assert reply_subject("late", profiles["ccea-csr-2022"], "示例公司", "R-2", False) == \
        "【逾期】【示例公司】2022年信息通信行业典型履责实践案例征集（登记编号：R-2）"


def test_a_forgers_words_reach_no_part_of_the_reply(profiles):
    """GIVEN a unit, case and file name carrying a phishing request and links WHEN a notice is
    written THEN neither part repeats the request or a link; the findings keep their sense."""
    lure = "您的账户异常 请登录 http://evil.example.com/verify 核验"
    sub = submission("gpipc-park-2024", (doc(f"{lure}.docx", "form",
                                             fields={"case_name": lure}),), subject_unit=lure)
    unreadable = Finding("attachment_unreadable", None, "error",
                         f"附件“{lure}.docx”无法打开：文件已损坏。请检查文件后重新发送")
    for part in texts(reply(profiles, "deficiency", [unreadable], sub=sub).raw):
        assert "evil.example.com" not in part and "http" not in part
        assert "（未识别）" in part and "无法打开" in part


def test_only_well_formed_message_ids_are_kept():
    assert message_ids("<a@b.example> junk\r\nBcc: x@example.com <c@d>") == ["<a@b.example>", "<c@d>"]
    assert message_ids(" ".join(f"<{n}@example.cn>" for n in range(30)), 10)[0] == "<20@example.cn>"


# ---- header injection: what applicants write reaches headers only as intended -----------------

EVIL = {
    "crlf": "示例\r\nBcc: victim@example.com",
    "lf": "示例\nX-Evil: 1",
    "cr": "示例\rTo: victim@example.com",
    "nul": "示例\x00单位",
    "u2028": "示例\u2028Bcc: victim@example.com",
    "u2029": "示例\u2029段落",
    "nel": "示例\x85Bcc: victim@example.com",
    "long": "很长的单位名称" * 1500,
}


def evil_mail(value: str) -> bytes:
    """A real submission whose subject, sender name, file name and Message-ID carry `value`,
    RFC 2047-encoded as a hostile client would send it."""
    raw = mail(f"【{value}】绿盟案例征集", f"{value[:60]} <wang@example.cn>", "见附件。",
               [(f"{value[:200]}.docx", b"PK\x03\x04 not really a document")],
               date=datetime(2024, 4, 1, 9, 0, tzinfo=NOW.tzinfo), message_id="evil-1@example.cn",
               subject_charset="utf-8", filename_style="rfc2047")
    return raw.replace(b"Message-ID: <evil-1@example.cn>",
                       b"Message-ID: <evil-1@example.cn> =?utf-8?b?"
                       + base64.b64encode(value[:40].encode()) + b"?=")


@pytest.mark.parametrize("name", sorted(EVIL))
def test_hostile_header_values_give_exactly_the_intended_headers(profiles, name):
    incoming_mail = parse_mail(evil_mail(EVIL[name]))
    attachment = incoming_mail.attachments[0].name
    sub = submission("gpipc-park-2024", (doc(attachment, "form", fields={"case_name": EVIL[name]}),),
                     subject_unit=EVIL[name])
    result = reply(profiles, "deficiency", [CONTACT], sub=sub, mail_in=incoming_mail)
    message = parsed(result.raw)
    assert list(message.keys()) == HEADERS
    assert message.get_all("To") == ["wang@example.cn"] and message.get_all("Bcc") is None
    assert message["In-Reply-To"] == "<evil-1@example.cn>"
    subject = str(message["Subject"])
    assert subject == result.subject
    assert not any(c in subject for c in "\r\n\x00\u2028\u2029\x85")
    # None of these reads as a unit's name (outbox/echo.py): the subject leaves it out.
    assert subject == "【需补正】绿盟案例征集（受理编号：GPIPC-2024-P-0001）"
    for line in result.raw.split(b"\r\n\r\n", 1)[0].split(b"\n"):
        assert len(line) <= 998


def test_a_hostile_value_is_visible_in_the_body_only_escaped(profiles):
    sub = submission("gpipc-park-2024", (doc("<script>alert(1)</script>.docx", "form"),),
                     subject_unit="<b>单位</b>")
    _, html = texts(reply(profiles, sub=sub).raw)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_encoded_words_stay_within_the_line_limit(profiles):
    longest = "单" * 60  # the longest unit name a reply repeats
    sub = submission("gpipc-park-2024", (doc("申报表.docx", "form"),), subject_unit=longest)
    result = reply(profiles, sub=sub)
    assert longest in result.subject
    raw = result.raw
    header = raw.split(b"\n\n", 1)[0]
    assert max(len(line) for line in header.splitlines()) <= 78
