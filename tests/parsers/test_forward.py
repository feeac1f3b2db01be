"""Forward header blocks as Chinese and Western clients quote them."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from parsers.forward import Forwarded, find_forward, forwarded_mail, parse_date, render

BEIJING = ZoneInfo("Asia/Shanghai")

QQ = """请查收，谢谢。

------------------&nbsp;原始邮件&nbsp;------------------
发件人: "王晓明"<wang@example.cn>;
发送时间: 2024年3月5日(星期二) 上午10:21
收件人: "案例征集"<cases@example.org>;
主题: 【示例公司】绿盟企业案例征集

联系人：王晓明
""".replace("&nbsp;", "\u00a0")

NETEASE = """转给秘书处。

-------- 转发邮件信息 --------
发件人："王晓明" <wang@example.cn>
发送日期：2024-03-05 10:21:33
收件人："cases@example.org" <cases@example.org>
主题：【示例公司】绿盟企业案例征集
"""

OUTLOOK = """

发件人: 王晓明 [mailto:wang@example.cn]
发送时间: 2024年3月5日 星期二 下午3:09
收件人: cases@example.org
抄送: li@example.com
主题: 【示例公司】绿盟企业案例征集
"""

# Outlook's HTML block reduced to text sometimes keeps the whole block on one line.
OUTLOOK_ONE_LINE = ("发件人: 王晓明 <wang@example.cn> 发送时间: 2024-03-05 10:21 "
                    "收件人: cases@example.org 主题: 【示例公司】绿盟企业案例征集")

GMAIL = """---------- Forwarded message ---------
From: 王晓明 <wang@example.cn>
Date: 2024年3月5日周二 上午10:21
Subject: 【示例公司】绿盟企业案例征集
To: <cases@example.org>
"""

THUNDERBIRD = """-------- Forwarded Message --------
Subject: 【示例公司】绿盟企业案例征集
Date: Tue, 5 Mar 2024 10:21:00 +0800
From: 王晓明 <WANG@example.cn>
To: cases@example.org
"""

FOXMAIL_NAME_ONLY = """> ---- Forwarded Message ----
> 发件人： 王晓明
> 发送时间： 2024-03-05 10:21
> 主题： 【示例公司】绿盟企业案例征集
"""


@pytest.mark.parametrize("text, name, addr, date_text", [
    (QQ, "王晓明", "wang@example.cn", "2024年3月5日(星期二) 上午10:21"),
    (NETEASE, "王晓明", "wang@example.cn", "2024-03-05 10:21:33"),
    (OUTLOOK, "王晓明", "wang@example.cn", "2024年3月5日 星期二 下午3:09"),
    (OUTLOOK_ONE_LINE, "王晓明", "wang@example.cn", "2024-03-05 10:21"),
    (GMAIL, "王晓明", "wang@example.cn", "2024年3月5日周二 上午10:21"),
    (THUNDERBIRD, "王晓明", "wang@example.cn", "Tue, 5 Mar 2024 10:21:00 +0800"),
    (FOXMAIL_NAME_ONLY, "王晓明", "", "2024-03-05 10:21"),
])
def test_forward_blocks_of_every_client(text, name, addr, date_text):
    assert find_forward(text) == Forwarded(name, addr, "【示例公司】绿盟企业案例征集", date_text)


@pytest.mark.parametrize("text", [
    "",
    "您好，附件是申报材料，请查收。\n联系人：王晓明，电话见申报表",
    "本次主题：绿色低碳\n时间：2024年3月5日",
    # A sender line alone is a signature or a sentence, not a block.
    "发件人：王晓明\n\n谢谢！",
])
def test_ordinary_bodies_have_no_forward(text):
    assert find_forward(text) is None


def test_the_first_block_is_the_mail_forwarded():
    """GIVEN a forward of a forward WHEN read THEN the directly forwarded mail is returned."""
    outer = NETEASE.replace("王晓明", "李秘书").replace("wang@", "li@")
    assert find_forward(outer + "\n" + QQ).from_addr == "li@example.cn"


@pytest.mark.parametrize("text, expected", [
    ("2024年3月5日(星期二) 上午10:21", datetime(2024, 3, 5, 10, 21, tzinfo=BEIJING)),
    ("2024年3月5日周二 下午3:09", datetime(2024, 3, 5, 15, 9, tzinfo=BEIJING)),
    ("2024-03-05 10:21", datetime(2024, 3, 5, 10, 21, tzinfo=BEIJING)),
    ("2024/3/5 22:01:09", datetime(2024, 3, 5, 22, 1, 9, tzinfo=BEIJING)),
    ("Tue, 5 Mar 2024 10:21:00 +0800", datetime(2024, 3, 5, 10, 21, tzinfo=BEIJING)),
    ("上周二", None),
    ("", None),
])
def test_forward_dates(text, expected):
    assert parse_date(text) == expected
    assert Forwarded("", "", "", text).date == expected


def test_render_reads_back():
    forwarded = Forwarded("王晓明", "wang@example.cn", "【示例公司】申报", "2024-03-05 10:21")
    assert find_forward(render(forwarded)) == forwarded


@pytest.mark.parametrize("subject, text, is_forward", [
    ("转发：【示例公司】绿盟企业案例征集", OUTLOOK, True),
    ("FW: 【示例公司】绿盟企业案例征集", QQ, True),
    ("Fwd: 申报", GMAIL, True),
    ("申报材料", NETEASE, True),               # the separator says forward
    ("回复: 【示例公司】绿盟企业案例征集", OUTLOOK, False),  # a reply quotes the same block
    ("Re: 【示例公司】绿盟企业案例征集", QQ, False),
    ("转发：申报", "请查收附件。", False),
])
def test_only_forwards_give_a_forwarded_mail(subject, text, is_forward):
    assert (forwarded_mail(subject, text) is not None) == is_forward
