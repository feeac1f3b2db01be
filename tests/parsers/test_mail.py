"""Chinese mail encodings: GB labels decoded as GB18030, filenames in every client's form."""
from __future__ import annotations

import base64

import pytest

from parsers.mail import decode_words, parse_mail
from pipeline.errors import UnreadableMail


def _b(text: str, codec: str) -> str:
    return base64.b64encode(text.encode(codec)).decode()


def mail_with(subject_header: str, disposition: str, body: bytes = b"hello") -> bytes:
    return (f"From: =?UTF-8?B?{_b('王晓明', 'utf-8')}?= <wang@example.cn>\r\n"
            "To: cases@example.org\r\n"
            f"Subject: {subject_header}\r\n"
            "Message-ID: <m1@example.cn>\r\n"
            "Received: from a by b; Mon, 8 Apr 2024 10:15:00 +0800\r\n"
            "Date: Mon, 8 Apr 2024 10:14:00 +0800\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
            "--XX\r\nContent-Type: text/plain; charset=gb2312\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            f"{base64.b64encode(body).decode()}\r\n"
            "--XX\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Disposition: attachment; {disposition}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            f"{base64.b64encode(b'PK-not-really').decode()}\r\n--XX--\r\n").encode()


def test_a_gb2312_labelled_subject_with_a_gbk_only_character():
    subject = f"=?GB2312?B?{_b('【张喆】绿盟案例征集', 'gbk')}?="
    mail = parse_mail(mail_with(subject, 'filename="a.docx"'))
    assert mail.subject == "【张喆】绿盟案例征集"
    assert mail.from_name == "王晓明" and mail.from_addr == "wang@example.cn"


def test_a_gb2312_body_with_gbk_characters():
    mail = parse_mail(mail_with("x", 'filename="a.docx"', body="联系人：张喆".encode("gbk")))
    assert "张喆" in mail.text


@pytest.mark.parametrize("disposition", [
    "filename*=UTF-8''%E7%94%B3%E6%8A%A5%E8%A1%A8.docx",
    f'filename="=?GBK?B?{_b("申报表.docx", "gbk")}?="',
    f'filename="=?UTF-8?B?{_b("申报表.docx", "utf-8")}?="',
])
def test_attachment_names_in_every_form(disposition):
    mail = parse_mail(mail_with("x", disposition))
    assert [a.name for a in mail.attachments] == ["申报表.docx"]
    assert mail.attachments[0].data == b"PK-not-really"


def test_arrival_time_is_the_first_received_header():
    mail = parse_mail(mail_with("x", 'filename="a.docx"'))
    assert mail.arrived_at.isoformat() == "2024-04-08T10:15:00+08:00"


def test_encoded_words_split_mid_character_are_joined():
    raw = "申报材料".encode("utf-8")
    first, second = base64.b64encode(raw[:4]).decode(), base64.b64encode(raw[4:]).decode()
    assert decode_words(f"=?UTF-8?B?{first}?= =?UTF-8?B?{second}?=") == "申报材料"


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02 binary garbage", b"   \n\n"])
def test_bytes_that_are_not_mail(data):
    with pytest.raises(UnreadableMail):
        parse_mail(data)
