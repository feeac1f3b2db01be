"""Replies: both parts, the right headers, nothing an applicant wrote can break a header."""
from __future__ import annotations

import email
from email import policy

import pytest

from outbox.compose import ReplySettings, build_reply, reply_subject
from parsers.types import ParsedMail
from rules.types import Finding
from tests.conftest import NOW, doc, submission

SETTINGS = ReplySettings("cases@example.org", "案例征集秘书处", "example.org", "秘书处",
                         "联系邮箱：cases@example.org")


def incoming(subject: str = "【示例开发区】绿盟案例征集", sender: str = "wang@example.cn",
             return_path: str | None = None) -> ParsedMail:
    return ParsedMail("<in-1@example.cn>", subject, sender, "王晓明", ("cases@example.org",),
                      return_path, None, None, "", "", "", (), {}, ())


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


@pytest.mark.parametrize("kind, prefix", [("receipt", "【已受理】"), ("deficiency", "【需补正】"),
                                          ("late", "【逾期】")])
def test_each_kind_has_both_parts_and_loop_headers(profiles, kind, prefix):
    sub = submission("gpipc-park-2024", (doc("申报表.docx", "form", fields={"case_name": "光储充"}),),
                     subject_unit="示例开发区")
    errors = [Finding("field_missing", "contact_email", "error", "申报表中“联系邮箱”未填写")]
    reply = build_reply(SETTINGS, profiles["gpipc-park-2024"], incoming(), sub, errors, kind,
                        "GPIPC-2024-P-0001", False, NOW)
    message = parsed(reply.raw)
    assert message["Subject"].startswith(prefix) and "GPIPC-2024-P-0001" in message["Subject"]
    assert message["To"] == "wang@example.cn"
    assert message["In-Reply-To"] == "<in-1@example.cn>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Message-ID"] == reply.message_id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "GPIPC-2024-P-0001" in text and "GPIPC-2024-P-0001" in html
    if kind == "deficiency":
        assert "联系邮箱" in text and "直接回复本邮件并附上修改后的材料即可" in text


def test_the_return_path_is_preferred(profiles):
    reply = build_reply(SETTINGS, profiles["ccea-csr-2022"], incoming(return_path="bounce@example.cn"),
                        submission("ccea-csr-2022"), [], "receipt", "R-1", False, NOW)
    assert reply.to == "bounce@example.cn"


def test_no_reply_to_ourselves(profiles):
    assert build_reply(SETTINGS, profiles["ccea-csr-2022"], incoming(sender="cases@example.org"),
                       submission("ccea-csr-2022"), [], "receipt", "R-1", False, NOW) is None


@pytest.mark.parametrize("evil", ["a\r\nBcc: x@example.com", "a\nX-Evil: 1", "a\x00b", "a\u2028b",
                                  "长" * 5000])
def test_applicant_text_cannot_inject_headers(profiles, evil):
    sub = submission("ccea-csr-2022", subject_unit=evil)
    reply = build_reply(SETTINGS, profiles["ccea-csr-2022"], incoming(subject=evil), sub, [],
                        "receipt", "R-1", False, NOW)
    message = parsed(reply.raw)
    assert set(message.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
                                   "References", "Auto-Submitted", "X-Auto-Response-Suppress",
                                   "X-Intake-Loop", "MIME-Version", "Content-Type"}
    assert "\n" not in message["Subject"] and "\x00" not in message["Subject"]


def test_an_updated_reply_says_so():
    assert reply_subject("receipt", "Re: 【A】绿盟案例征集", "R-1", True).startswith("【已更新】【已受理】【A】")
