"""Chinese mail encodings, filenames in every client's form, forwards and winmail.dat."""
from __future__ import annotations

import base64
import itertools

import pytest

from parsers.errors import UnreadableMail
from parsers.forward import Forwarded, find_forward
from parsers.mail import decode_words, parse_mail
from tests.parsers.test_tnef import WINMAIL


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


# --- Raw mail bytes as Chinese clients really send them --------------------------------------

def raw_mail(*parts: bytes, subject: bytes = b"x", sender: bytes = b"wang@example.cn",
             content_type: bytes = b"multipart/mixed") -> bytes:
    """A mail assembled from bytes, so 8-bit header text goes on the wire unencoded."""
    boundary = b"b%d" % next(_BOUNDARIES)  # nested mails need boundaries of their own
    head = (b"From: " + sender + b"\r\nTo: cases@example.org\r\nSubject: " + subject +
            b"\r\nMessage-ID: <raw@example.cn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: " + content_type + b"; boundary=" + boundary + b"\r\n\r\n")
    return (head + b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
            + b"--" + boundary + b"--\r\n")


_BOUNDARIES = itertools.count()


def text_part(text: str, charset: str = "utf-8") -> bytes:
    return (f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64"
            f"\r\n\r\n{base64.b64encode(text.encode(charset)).decode()}").encode()


def file_part(params: bytes, data: bytes = b"PK-not-really",
              content_type: bytes = b"application/octet-stream") -> bytes:
    """An attachment whose Content-Disposition parameters are given as raw bytes."""
    return (b"Content-Type: " + content_type + b"\r\nContent-Disposition: attachment; " + params
            + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(data))


def _pct(data: bytes) -> bytes:
    return "".join(f"%{b:02X}" for b in data).encode()


NAME = "【示例公司】申报表.docx"
U, G = NAME.encode("utf-8"), NAME.encode("gbk")


@pytest.mark.parametrize("params", [
    b'filename="' + G + b'"',                                   # raw GBK, Foxmail and old Outlook
    b'filename="' + U + b'"',                                   # raw UTF-8
    b"filename=" + G,                                           # raw GBK, unquoted
    # RFC 2231 continuations split inside a character: octets joined before decoding.
    b"filename*0*=UTF-8''" + _pct(U[:5]) + b";\r\n filename*1*=" + _pct(U[5:]),
    b"filename*0*=GBK''" + _pct(G[:3]) + b"; filename*1*=" + _pct(G[3:]),
    b"filename*=gb2312''" + _pct(G),
    b"filename*=''" + _pct(U),                                   # no charset: UTF-8, else GB18030
    # RFC 2047 words inside the quotes, split mid-character, with and without space between.
    b'filename="=?GBK?B?' + base64.b64encode(G[:3]) + b"?= =?GBK?B?" + base64.b64encode(G[3:])
    + b'?="',
    b'filename="=?UTF-8?B?' + base64.b64encode(U[:4]) + b"?==?UTF-8?B?" + base64.b64encode(U[4:])
    + b'?="',
    b'filename="=?gb2312?Q?' + b"".join(b"=%02X" % c for c in G) + b'?="',
])
def test_attachment_names_from_raw_headers(params):
    mail = parse_mail(raw_mail(text_part("见附件"), file_part(params)))
    assert [a.name for a in mail.attachments] == [NAME]
    assert mail.attachments[0].data == b"PK-not-really"


def test_raw_name_in_content_type_when_disposition_has_none():
    part = (b'Content-Type: application/msword; name="' + "申报书.doc".encode("gbk") + b'"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"\xd0\xcf\x11\xe0"))
    assert [a.name for a in parse_mail(raw_mail(part)).attachments] == ["申报书.doc"]


@pytest.mark.parametrize("codec", ["gbk", "utf-8", "gb18030"])
def test_raw_8bit_subject_and_sender_name(codec):
    subject = "【张喆】绿盟案例征集".encode(codec)
    sender = b'"' + "王晓明".encode(codec) + b'" <Wang@example.cn>'
    mail = parse_mail(raw_mail(text_part("x"), subject=subject, sender=sender))
    assert (mail.subject, mail.from_name, mail.from_addr) == (
        "【张喆】绿盟案例征集", "王晓明", "wang@example.cn")
    assert mail.headers["subject"] == "【张喆】绿盟案例征集"


@pytest.mark.parametrize("label", ["GB2312", "gbk", "CP936", "euc-cn", "x-gbk"])
def test_every_gb_label_decodes_as_gb18030(label):
    subject = f"=?{label}?B?{_b('张喆 申报', 'gb18030')}?=".encode()
    mail = parse_mail(raw_mail(text_part("联系人：张喆", "gb18030"), subject=subject))
    assert mail.subject == "张喆 申报" and "张喆" in mail.text


def test_encoded_words_mixed_with_raw_text():
    assert decode_words(f"回复：=?UTF-8?B?{_b('申报', 'utf-8')}?= 材料") == "回复：申报 材料"


def test_a_stray_space_after_base64_still_decodes():
    part = file_part(b'filename="a.pdf"', b"%PDF-1.4").replace(b"base64", b"base64 ")
    assert parse_mail(raw_mail(part)).attachments[0].data == b"%PDF-1.4"


# --- Forwards and winmail.dat -------------------------------------------------------------------

def inner_mail(body: str, *files: bytes, subject: str = "【示例公司】绿盟企业案例征集") -> bytes:
    """The applicant's original mail, as a forward carries it."""
    return (f"From: =?GBK?B?{_b('王晓明', 'gbk')}?= <wang@example.cn>\r\n"
            f"Subject: =?GBK?B?{_b(subject, 'gbk')}?=\r\nDate: Tue, 5 Mar 2024 10:21:00 +0800\r\n"
            ).encode() + raw_mail(text_part(body, "gbk"), *files).split(b"\r\n", 5)[5]


def rfc822_part(mail: bytes, params: bytes = b'filename="=?UTF-8?B?' +
                base64.b64encode("原始邮件.eml".encode()) + b'?="') -> bytes:
    return b"Content-Type: message/rfc822\r\nContent-Disposition: attachment; " + params + \
        b"\r\n\r\n" + mail


ORIGINAL = inner_mail("联系人：王晓明\n联系电话：见申报表",
                      file_part(b'filename="' + "申报表.docx".encode("gbk") + b'"', b"PK-form"),
                      file_part(b"filename*=UTF-8''" + _pct("照片.jpg".encode()), b"\xff\xd8jpeg"))


def test_a_forwarded_mail_lends_its_files_and_body():
    """GIVEN a secretary forwards the applicant's mail as an attachment
    WHEN parsed THEN the applicant's files are ours, and the body names the original sender."""
    mail = parse_mail(raw_mail(text_part("转给秘书处，请处理。"), rfc822_part(ORIGINAL),
                               subject="=?UTF-8?B?6L2s5Y+R?=".encode()))
    assert [(a.name, a.data) for a in mail.attachments] == [
        ("申报表.docx", b"PK-form"), ("照片.jpg", b"\xff\xd8jpeg")]
    assert mail.text.startswith("转给秘书处，请处理。") and "联系人：王晓明" in mail.text
    assert find_forward(mail.text) == Forwarded(
        "王晓明", "wang@example.cn", "【示例公司】绿盟企业案例征集", "Tue, 5 Mar 2024 10:21:00 +0800")


def test_an_eml_sent_as_octet_stream_is_a_forward_too():
    """QQ Mail's 作为附件转发 sends the original as application/octet-stream named *.eml."""
    eml = file_part(b'filename="' + "原始邮件.eml".encode("gbk") + b'"', ORIGINAL)
    mail = parse_mail(raw_mail(text_part("请查收"), eml))
    assert [a.name for a in mail.attachments] == ["申报表.docx", "照片.jpg"]
    assert find_forward(mail.text).from_addr == "wang@example.cn"


def test_forwards_are_unwrapped_three_deep_and_deeper_ones_kept_whole():
    nested = ORIGINAL
    for level in range(4):
        nested = inner_mail(f"第{level}层", rfc822_part(nested), subject=f"转发{level}")
    mail = parse_mail(raw_mail(text_part("外层"), rfc822_part(nested)))
    assert [a.name for a in mail.attachments] == ["原始邮件.eml"]
    assert parse_mail(mail.attachments[0].data).subject == "转发0"
    assert [line for line in mail.text.splitlines() if line.startswith(("外层", "第"))] == [
        "外层", "第3层", "第2层", "第1层"]


def test_an_inline_forward_is_found_in_the_text():
    body = ("请处理\n\n------------------ 原始邮件 ------------------\n"
            "发件人: \"王晓明\"<wang@example.cn>;\n发送时间: 2024年3月5日(星期二) 上午10:21\n"
            "收件人: \"案例征集\"<cases@example.org>;\n主题: 【示例公司】绿盟企业案例征集\n")
    mail = parse_mail(raw_mail(text_part(body, "gbk"), subject="转发：申报".encode("gbk")))
    assert find_forward(mail.text).date_text == "2024年3月5日(星期二) 上午10:21"


def test_winmail_dat_is_replaced_by_its_files():
    part = file_part(b'filename="winmail.dat"', WINMAIL, b"application/ms-tnef")
    mail = parse_mail(raw_mail(text_part("见附件"), part))
    assert [(a.name, a.content_type, a.data[:4]) for a in mail.attachments] == [
        ("【示例公司】申报表.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
        ("现场照片（一）.jpg", "image/jpeg", b"\xff\xd8\xff\xe0")]


@pytest.mark.parametrize("data, content_type", [
    (WINMAIL[:-40], b"application/ms-tnef"),          # damaged
    (b"not tnef at all", b"application/octet-stream"),  # only named winmail.dat
])
def test_an_unreadable_winmail_dat_is_kept(data, content_type):
    mail = parse_mail(raw_mail(text_part("见附件"), file_part(b'filename="winmail.dat"', data,
                                                          content_type)))
    assert [(a.name, a.data) for a in mail.attachments] == [("winmail.dat", data)]


# ---- hostile headers (issue 20) --------------------------------------------------------

def with_extra_headers(lines: list[str]) -> bytes:
    head, sep, body = mail_with("x", 'filename="a.docx"').partition(b"\r\n\r\n")
    return head + b"".join(b"\r\n" + line.encode() for line in lines) + sep + body


def test_hundreds_of_distinct_headers_are_all_read_once():
    mail = parse_mail(with_extra_headers([f"X-Extra-{i}: value {i}" for i in range(900)]))
    assert mail.headers["x-extra-0"] == "value 0" and mail.headers["x-extra-899"] == "value 899"
    assert mail.subject == "x" and mail.from_addr == "wang@example.cn"


def test_too_many_header_fields_are_refused_with_the_reason():
    lines = [f"X-Extra-{i}: v" for i in range(32_000)]
    with pytest.raises(UnreadableMail, match="邮件头字段过多"):
        parse_mail(with_extra_headers(lines)[:200_000] + b"\r\n\r\nbody")


def test_a_header_block_past_its_size_is_refused_with_the_reason():
    folded = ["X-Long: start"] + [" " + "y" * 70] * 5000  # one field, 350 KB of folded lines
    with pytest.raises(UnreadableMail, match="邮件头过大"):
        parse_mail(with_extra_headers(folded))


def test_a_subject_of_many_adjacent_encoded_words_is_decoded_whole():
    word = f"=?UTF-8?B?{_b('案例', 'utf-8')}?="
    mail = parse_mail(mail_with(" ".join([word] * 10_000), 'filename="a.docx"'))
    assert mail.subject == "案例" * 10_000


@pytest.mark.parametrize("raw, shown", [
    ("申报表\x00.docx", "申报表.docx"),
    ("申报\r\n表.docx", "申报 表.docx"),  # a line break in a name is a space
    ("照片\u202egpj.exe", "照片gpj.exe"),
    ("\x1b[31m红\x1b[0m.jpg", "[31m红[0m.jpg"),
])
def test_attachment_names_lose_controls_and_direction_marks(raw, shown):
    encoded = _b(raw, "utf-8")
    mail = parse_mail(mail_with("x", f'filename="=?UTF-8?B?{encoded}?="'))
    assert [a.name for a in mail.attachments] == [shown]
