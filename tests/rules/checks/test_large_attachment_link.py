"""large_attachment_link: what the notice and the digest say of a link, its code included."""
from __future__ import annotations

import email
from email import policy

import pytest

from outbox.compose import Answer, ReplySettings, build_reply
from outbox.digest import DigestFigures, Flag, NeedsPerson, build_digest
from parsers.largelink import find_large_links
from parsers.mail import parse_mail
from parsers.model import LargeLink
from pipeline.demo.samples.mime import mail
from rules.registry import run_rules
from tests.conftest import NOW, doc, submission

SETTINGS = ReplySettings("cases@example.org", "案例征集秘书处", "example.org", "秘书处", "")
BAIDU = "https://pan.baidu.com/s/1zuqzhq_OxGjDuN91t9Rn9w"


def messages(profiles, *links: LargeLink) -> list[str]:
    profile = profiles["gpipc-park-2024"]
    return [f.message for f in run_rules(submission(profile.id, large_links=links), profile, NOW)
            if f.rule == "large_attachment_link"]


@pytest.mark.parametrize("link, message", [
    (LargeLink("申报视频.mp4", BAIDU, provider="baidu", code="tpi6"),
     "“申报视频.mp4”以超大附件链接发送（提取码：tpi6），秘书处将下载后处理"),
    (LargeLink("视频.mp4", BAIDU, "2026-12-20", 52_428_800, "baidu", "tpi6"),
     "“视频.mp4”（50.0MB）以超大附件链接发送（提取码：tpi6），有效期至2026-12-20，秘书处将下载后处理"),
    # A share link that names no file is told by its address.
    (LargeLink("", BAIDU, provider="baidu", code="tpi6"),
     f"已收到超大附件链接 {BAIDU}（提取码：tpi6），秘书处将下载后处理"),
    (LargeLink("", "https://1drv.ms/v/s!AkEx4mPl3Abc9dEfGhIj", provider="onedrive"),
     "已收到超大附件链接 https://1drv.ms/v/s!AkEx4mPl3Abc9dEfGhIj，秘书处将下载后处理"),
])
def test_the_message_gives_the_code_and_names_the_link(profiles, link, message):
    assert messages(profiles, link) == [message]


def parts(raw: bytes) -> tuple[str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_code_reaches_the_applicants_notice_and_the_digest(profiles):
    """GIVEN a mail whose plain and HTML parts both carry a 百度网盘 share with its 提取码
    WHEN it is parsed, checked, answered and reported THEN the receipt and the digest each
    name the file once, with the code."""
    body = (f"您好，申报视频较大，已上传百度网盘。\n通过百度网盘分享的文件：申报视频.mp4\n"
            f"链接：{BAIDU}?pwd=tpi6\n提取码：tpi6\n--来自百度网盘超级会员v5的分享")
    parsed = parse_mail(mail("【示例开发区】绿盟案例征集", "王晓明 <wang@example.cn>", body, [],
                             date=NOW, message_id="<in-7@example.cn>", html=True))
    links = find_large_links(parsed.text, parsed.html)
    assert links == (LargeLink("申报视频.mp4", f"{BAIDU}?pwd=tpi6", provider="baidu", code="tpi6"),)

    profile = profiles["gpipc-park-2024"]
    sub = submission(profile.id, (doc("申报表.docx", "form", fields={"case_name": "光储充"}),),
                     subject_unit="示例开发区", large_links=links)
    findings = tuple(run_rules(sub, profile, NOW))
    notice = build_reply(SETTINGS, profile, parsed, sub, Answer("receipt", "GPIPC-2024-P-0001",
                                                                findings), "wang@example.cn", NOW)
    said = "“申报视频.mp4”以超大附件链接发送（提取码：tpi6），秘书处将下载后处理"
    text, html = parts(notice.raw)
    assert text.count(said) == 1 and html.count(said) == 1

    (finding,) = [f for f in findings if f.rule == "large_attachment_link"]
    needs = NeedsPerson(large_links=(Flag("GPIPC-2024-P-0001", parsed.subject, "wang@example.cn",
                                          finding.message),))
    digest = build_digest(SETTINGS, ("office@example.org",),
                          DigestFigures(NOW.date(), (), (), needs, ()), NOW)
    text, html = parts(digest.raw)
    assert "超大附件下载链接（请在过期前下载）" in text
    assert text.count(said) == 1 and html.count(said) == 1
