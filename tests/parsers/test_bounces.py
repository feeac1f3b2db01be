"""Bounces as servers and Chinese providers really write them: which reply of ours failed."""
from __future__ import annotations

import base64

from parsers.bounces import BounceReport, read_bounce
from parsers.mail import parse_mail

# One of our replies as compose.py writes it: it answers the applicant's mail and refers to our
# earlier receipt, which did arrive and must never be marked bounced.
OUR_REPLY = """From: =?utf-8?B?5qGI5L6L5b6B6ZuG56eY5Lmm5aSE?= <cases@example.org>
To: nobody@example.cn
Subject: =?utf-8?B?44CQ6ZyA6KGl5q2j44CR?=
Date: Tue, 05 Mar 2024 10:21:00 +0800
Message-ID: <171160.reply-deficiency@example.org>
In-Reply-To: <applicant-1@example.cn>
References: <applicant-1@example.cn>
 <171150.receipt-earlier@example.org>
X-Intake-Loop: example.org
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
"""
REPLY_ID = "<171160.reply-deficiency@example.org>"


def crlf(text: str) -> str:
    return text.strip("\n").replace("\n", "\r\n")


def read(raw: str | bytes) -> BounceReport:
    data = crlf(raw).encode("utf-8") if isinstance(raw, str) else raw
    return read_bounce(data, parse_mail(data))


def b64(text: str, codec: str) -> str:
    encoded = base64.b64encode(text.replace("\n", "\r\n").encode(codec)).decode("ascii")
    return "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def postfix(third_part: str) -> str:
    return f"""
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: cases@example.org
Subject: Undelivered Mail Returned to Sender
Date: Tue,  5 Mar 2024 10:21:03 +0800 (CST)
Message-ID: <20240305022103.4F2A81C0@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F2A81C0.1709605263/mx.example.org"

This is a MIME-encapsulated message.

--4F2A81C0.1709605263/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@example.cn>: host mx.example.cn[192.0.2.7] said: 550 5.1.1
    <nobody@example.cn>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4F2A81C0.1709605263/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 4F2A81C0
X-Postfix-Sender: rfc822; cases@example.org
Arrival-Date: Tue,  5 Mar 2024 10:21:01 +0800 (CST)

Final-Recipient: rfc822; nobody@example.cn
Original-Recipient: rfc822;nobody@example.cn
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.cn
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.cn>: Recipient address rejected:
    User unknown in virtual mailbox table

--4F2A81C0.1709605263/mx.example.org
{third_part}

--4F2A81C0.1709605263/mx.example.org--
"""


POSTFIX_DIAGNOSTIC = ("550 5.1.1 <nobody@example.cn>: Recipient address rejected: User unknown in "
                      "virtual mailbox table")


def test_postfix_dsn_with_the_original_attached():
    report = read(postfix("Content-Description: Undelivered Message\n"
                          f"Content-Type: message/rfc822\n\n{OUR_REPLY}\n【需补正】您的申报材料缺少申报表。"))
    assert report == BounceReport((REPLY_ID,), "nobody@example.cn", "5.1.1", POSTFIX_DIAGNOSTIC)


def test_postfix_dsn_with_the_original_headers_only():
    report = read(postfix("Content-Description: Undelivered Message Headers\n"
                          f"Content-Type: text/rfc822-headers\n\n{OUR_REPLY}"))
    assert report == BounceReport((REPLY_ID,), "nobody@example.cn", "5.1.1", POSTFIX_DIAGNOSTIC)


EXCHANGE = f"""
From: postmaster@example.com
To: cases@example.org
Date: Tue, 5 Mar 2024 02:21:09 +0000
Subject: =?gb2312?B?zt63qLSrtd06IKG+0OiyudX9ob8=?=
Message-ID: <a1b2c3d4-0000-4000-8000-ndr@HK0PR01MB0001.example.com>
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="ndr_boundary"

--ndr_boundary
Content-Type: multipart/alternative; boundary="ndr_alt"

--ndr_alt
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

nobody@example.cn
The e-mail address you entered couldn't be found.

Diagnostic information for administrators:
Generating server: HK0PR01MB0001.example.com
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'

--ndr_alt
Content-Type: text/html; charset="us-ascii"

<html><body><p>Delivery has failed to these recipients or groups:</p>
<p><a href="mailto:nobody@example.cn">nobody@example.cn</a></p></body></html>

--ndr_alt--

--ndr_boundary
Content-Type: message/delivery-status

Reporting-MTA: dns;HK0PR01MB0001.example.com
Received-From-MTA: dns;mx.example.org
Arrival-Date: Tue, 5 Mar 2024 02:21:05 +0000

Original-Recipient: rfc822;nobody@example.cn
Final-Recipient: rfc822;nobody@example.cn
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
X-Display-Name: nobody@example.cn

--ndr_boundary
Content-Type: text/rfc822-headers

Received: from mx.example.org (192.0.2.25) by HK0PR01MB0001.example.com
{OUR_REPLY}
--ndr_boundary--
"""


def test_exchange_ndr():
    assert read(EXCHANGE) == BounceReport(
        (REPLY_ID,), "nobody@example.cn", "5.1.10",
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup")


QQ_TEXT = f"""抱歉，您的邮件被退回来了……

原邮件信息：
时　间：2024年3月5日(星期二) 上午10:21
主　题：【需补正】【示例公司】绿盟企业案例征集
收件人：王晓明 <nobody@example.cn>

退信原因：
收件人邮箱地址不存在（550 Mailbox not found or access denied）

建议解决方案：
请核实收件人的邮箱地址是否正确。

----- 原邮件头 -----
{OUR_REPLY}"""


def test_qq_plain_chinese_bounce_quoting_the_headers():
    """GIVEN QQ Mail's 系统退信: plain GB text, base64-encoded, with the original headers quoted
    THEN the reply's id is found, and not the receipt its References name."""
    raw = f"""
From: PostMaster <PostMaster@example.com>
To: cases@example.org
Subject: =?gb18030?B?z7XNs83L0MU=?=
Date: Tue, 5 Mar 2024 10:21:10 +0800
Message-ID: <tencent-bounce-0001@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64

{b64(QQ_TEXT, "gb18030")}
"""
    assert read(raw) == BounceReport((REPLY_ID,), "nobody@example.cn", "",
                                     "收件人邮箱地址不存在（550 Mailbox not found or access denied）")


COREMAIL_HTML = """<html><head><meta charset="gbk"></head><body>
<div>很遗憾，您发送的邮件投递失败。</div>
<table>
<tr><td>收件人：</td><td>nobody@example.cn</td></tr>
<tr><td>退信原因：</td><td>550 5.1.1 User not found: nobody@example.cn</td></tr>
</table>
<div>原邮件头信息：</div>
<div>From: &quot;案例征集秘书处&quot; &lt;cases@example.org&gt;<br>
To: nobody@example.cn<br>
Subject: 【已受理】【示例公司】绿盟企业案例征集<br>
In-Reply-To: &lt;applicant-2@example.cn&gt;<br>
References: &lt;applicant-2@example.cn&gt; &lt;171150.receipt-earlier@example.org&gt;<br>
Message-Id: &lt;171170.reply-receipt@example.org&gt;<br>
</div></body></html>"""


def test_coremail_html_bounce_base64_encoded():
    raw = f"""
From: =?gbk?B?08q8/s+1zbM=?= <postmaster@example.net>
To: cases@example.org
Subject: =?gbk?B?08q8/s22td3Kp7Dc?=
Date: Tue, 5 Mar 2024 10:22:00 +0800
Message-ID: <coremail-bounce.0002@example.net>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="cm_alt"

--cm_alt
Content-Type: text/html; charset="gb2312"
Content-Transfer-Encoding: base64

{b64(COREMAIL_HTML, "gb18030")}
--cm_alt--
"""
    assert read(raw) == BounceReport(("<171170.reply-receipt@example.org>",), "nobody@example.cn",
                                     "5.1.1", "550 5.1.1 User not found: nobody@example.cn")


def test_ids_quoted_in_references_are_never_taken():
    """GIVEN a bounce of a reminder whose quoted headers list earlier replies in References and
    In-Reply-To (folded over several lines) THEN only the reminder's own Message-ID is returned."""
    raw = """
From: =?UTF-8?B?57O757uf566h55CG5ZGY?= <admin@example.cn>
To: cases@example.org
Subject: =?UTF-8?B?6YKu5Lu25oqV6YCS5aSx6LSl?=
Message-ID: <bounce-0003@example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

您发送的邮件未能送达以下收件人：
nobody@example.cn
退信原因：Mailbox full (552 5.2.2 quota exceeded)

原邮件头：
> From: cases@example.org
> To: nobody@example.cn
> In-Reply-To: <171150.receipt-earlier@example.org>
> References: <applicant-3@example.cn>
>  <171150.receipt-earlier@example.org>
>  <171160.reply-deficiency@example.org>
> Message-ID:
>  <171180.reminder@example.org>
"""
    assert read(raw) == BounceReport(("<171180.reminder@example.org>",), "nobody@example.cn",
                                     "5.2.2", "Mailbox full (552 5.2.2 quota exceeded)")


def test_a_bounce_without_any_id():
    raw = """
From: Mail Administrator <admin@example.com>
To: cases@example.org
Subject: Undeliverable: =?UTF-8?B?44CQ5bey5Y+X55CG44CR?=
Message-ID: <bounce-0004@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Delivery has failed to these recipients:
Recipient: nobody@example.cn
Reason: 550 5.7.1 Message rejected as spam by Content Filtering
"""
    assert read(raw) == BounceReport((), "nobody@example.cn", "5.7.1",
                                     "550 5.7.1 Message rejected as spam by Content Filtering")


def test_the_bounces_own_id_never_counts_and_ids_are_deduplicated():
    """GIVEN a DSN whose text names its own Message-ID and whose original is both attached and
    quoted THEN the original's id is returned once."""
    report = read(postfix("Content-Type: message/rfc822\n\n"
                          f"{OUR_REPLY}\nbody\n\n--4F2A81C0.1709605263/mx.example.org\n"
                          "Content-Type: text/plain; charset=us-ascii\n\n"
                          "Message-ID: <20240305022103.4F2A81C0@mx.example.org>\n"
                          f"Message-ID: {REPLY_ID}"))
    assert report.message_ids == (REPLY_ID,)


def test_two_originals_in_order():
    second = OUR_REPLY.replace(REPLY_ID, "<171190.reply-late@example.org>")
    report = read(postfix(f"Content-Type: text/rfc822-headers\n\n{OUR_REPLY}\n"
                          "--4F2A81C0.1709605263/mx.example.org\n"
                          f"Content-Type: text/rfc822-headers\n\n{second}"))
    assert report.message_ids == (REPLY_ID, "<171190.reply-late@example.org>")


def test_the_diagnostic_is_one_bounded_line():
    long_reason = "很长的退信原因" * 80
    raw = f"""
From: postmaster@example.cn
To: cases@example.org
Subject: =?UTF-8?B?57O757uf6YCA5L+h?=
Message-ID: <bounce-0005@example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

退信原因：{long_reason}
"""
    diagnostic = read(raw).diagnostic
    assert len(diagnostic) == 300 and "\n" not in diagnostic


def test_an_original_attached_as_an_eml_file():
    """GIVEN a provider's plain bounce with the original attached as 原邮件.eml, base64-encoded
    THEN the id comes from the attached file's headers, not from the file's References."""
    attached = b64(f"{OUR_REPLY}\n正文", "utf-8")
    raw = f"""
From: =?gbk?B?08q8/s+1zbM=?= <postmaster@example.net>
To: cases@example.org
Subject: =?gbk?B?08q8/s22td3Kp7Dc?=
Message-ID: <coremail-bounce.0006@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="cm_mixed"

--cm_mixed
Content-Type: text/plain; charset="utf-8"

收件人：nobody@example.cn
退信原因：550 5.1.1 mailbox unavailable

--cm_mixed
Content-Type: application/octet-stream; name="=?UTF-8?B?5Y6f6YKu5Lu2LmVtbA==?="
Content-Disposition: attachment; filename="=?UTF-8?B?5Y6f6YKu5Lu2LmVtbA==?="
Content-Transfer-Encoding: base64

{attached}
--cm_mixed--
"""
    assert read(raw) == BounceReport((REPLY_ID,), "nobody@example.cn", "5.1.1",
                                     "550 5.1.1 mailbox unavailable")
