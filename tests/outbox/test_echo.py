"""What a reply repeats of a mail: names as names, and nothing a forger could use."""
from __future__ import annotations

import pytest

from outbox.echo import LINK_GONE, QUOTE_GONE, case_name, defanged, unit_name


@pytest.mark.parametrize("name", [
    "示例科技有限公司", "示例园区管理委员会", "中国移动通信集团示例有限公司（示例分公司）", "示例市生态环境局",
    "Example Technology Co., Ltd.", "示例·国际合作园区", "示例（集团）股份有限公司", "示例3D打印有限公司",
    "示例市经济技术开发区管委会", "示例公司&示例研究院"])
def test_a_unit_name_is_repeated_as_read(name):
    assert unit_name(name) == name


@pytest.mark.parametrize("name", [
    "您的账户异常 请登录 http://evil.example.com/verify 核验", "请登录 www.example.com 核验",
    "示例公司 http://x.example.cn", "示例公司（example.com）", "示例公司 admin@example.com",
    "账户异常请核验", "示例公司，请点击", "示 例 公 司 登 录", "a" * 61, "", "示例公司<script>",
    "ｈｔｔｐ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ"])
def test_anything_but_a_name_is_not_repeated(name):
    assert unit_name(name) == ""


@pytest.mark.parametrize("name", ["光储充一体化智慧园区建设", "打造“光伏+储能”模式，助力零碳园区",
                                  "数字化赋能：示例工厂节能降碳实践", "5G+工业互联网助力能耗降低30%"])
def test_a_case_name_is_repeated_as_read(name):
    assert case_name(name) == name


@pytest.mark.parametrize("name", ["光伏项目，详见 https://example.com/a", "请扫码下载材料"])
def test_a_case_name_with_a_link_or_a_request_is_not(name):
    assert case_name(name) == ""


@pytest.mark.parametrize("text, expected", [
    ("附件“说明 http://evil.example.com/a?b=1.docx”无法打开", f"附件“说明 {LINK_GONE}”无法打开"),
    ("请访问www.example.cn/login核验", f"请访问{LINK_GONE}"),
    ("联系 admin@example.com 处理", f"联系 {LINK_GONE} 处理"),
    ("访问 evil.example.top 领取", f"访问 {LINK_GONE} 领取"),
    ("ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ", LINK_GONE),
    ("附件1-案例征集申报表.docx 无法打开", "附件1-案例征集申报表.docx 无法打开"),
    ("照片“IMG_2024.03.05.jpg”为0.5MB", "照片“IMG_2024.03.05.jpg”为0.5MB"),
    ("申报表（v1.2）.pdf", "申报表（v1.2）.pdf"),
    ("邮件主题中的单位“您的账户异常 请登录 http://evil.example.com 核验”与申报表中的“示例公司”不一致",
     f"邮件主题中的单位“{QUOTE_GONE}”与申报表中的“示例公司”不一致"),
    ("申报表中“联系邮箱”未填写", "申报表中“联系邮箱”未填写"),
])
def test_quoted_text_loses_its_links(text, expected):
    assert defanged(text) == expected
