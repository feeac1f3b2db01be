"""Tests for parsers.contacts: the work contact a mail body names."""
import pytest

from parsers.contacts import BodyContact, own_text, read_body_contact


def test_a_complete_body():
    body = ("生态环境部宣传教育中心：\n\n　　现报送我省推荐材料，详见附件。\n\n"
            "工作负责人：王晓明\n联系电话：138 0013 8000\n邮箱：wang@example.cn\n\n"
            "浙江省生态环境厅应对气候变化处\n2023年12月20日")
    assert read_body_contact(body) == BodyContact("王晓明", "13800138000", "wang@example.cn")


def test_nothing_given():
    assert read_body_contact("您好，附件是推荐材料，请查收。") == BodyContact()


@pytest.mark.parametrize("body, name", [
    ("工作负责人：王晓明", "王晓明"),
    ("工作联系人: 王晓明", "王晓明"),
    ("联系人 李华 010-80000001", "李华"),
    ("联系人王晓明电话13800138000", "王晓明"),
    ("联系人：王晓明，13800138000", "王晓明"),
    ("联络人：欧阳晓明", "欧阳晓明"),
    ("负责人姓名：张三", "张三"),
    ("工作负责人姓名及电话：张三 13800138000", "张三"),
    ("工作负责人姓名、电话、邮箱：王晓明、13800138000、wang@example.cn", "王晓明"),
    ("联系人：张三 先生", "张三"),
    ("联系人：张三女士", "张三"),
    ("联系人：王晓明处长", "王晓明"),
    ("联系人：王晓明（职务：处长）", "王晓明"),
    ("联系人：王晓明职务处长", "王晓明"),
    ("联系人：王 明，13800138000", "王明"),
    ("联系人：阿依古丽·买买提", "阿依古丽·买买提"),
    ("联系人：应对气候变化处 王晓明", "王晓明"),
    ("工作负责人：浙江省生态环境厅王晓明", "王晓明"),
    ("联系人：\n王晓明", "王晓明"),
    ("联系人如下：王晓明", "王晓明"),
    ("姓名：张三\n电话：010-12345678", "张三"),
    ("联系人：王晓明\n姓名：李四", "王晓明"),
])
def test_name(body, name):
    assert read_body_contact(body).name == name


@pytest.mark.parametrize("body", [
    "联系人：处",
    "联系人：应对气候变化处",
    "联系人：办公室",
    "负责人电话：13800138000",
    "联系人电话：13800138000",
    "推荐表已由负责人签字盖章。",
    "联系人员名单见附件。",
    "联系人：见附件",
    "联系人：王先生",  # a surname only
    "负责人对材料的真实性负责。",
    "Contact: Zhang San",
])
def test_not_a_name(body):
    assert read_body_contact(body).name == ""


@pytest.mark.parametrize("body, phone", [
    ("电话13800138000", "13800138000"),
    ("手机：+86 138 0013 8000", "+8613800138000"),
    ("Tel:（0571）8765 4321转8001", "0571-87654321-8001"),
    ("联系方式：０１０－１２３４５６７８", "010-12345678"),
    # a labelled number is preferred to one written before it
    ("2023年12月20日报送，编号 400-123-4567\n手机：13800138000", "13800138000"),
    # a fax is not the contact's phone
    ("传真：010-87654321 电话：010-12345678", "010-12345678"),
    ("电话/传真：010-12345678", "010-12345678"),
    ("王晓明 13800138000", "13800138000"),
])
def test_phone(body, phone):
    assert read_body_contact(body).phone == phone


@pytest.mark.parametrize("body", ["传真：010-87654321", "邮编：100000，日期：20231220",
                                  "邮箱：13800138000@example.cn"])
def test_no_phone(body):
    assert read_body_contact(body).phone == ""


@pytest.mark.parametrize("body, email", [
    ("邮箱：wang@example.cn", "wang@example.cn"),
    ("邮箱wang@example.cn", "wang@example.cn"),
    ("E-mail: Zhang.San@Example.COM", "zhang.san@example.com"),
    ("Email：li @ example.org", "li@example.org"),
    ("电子邮箱：ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "wang@example.cn"),
    ("邮箱：wang＠example.cn。", "wang@example.cn"),
    ("请回复至 office@example.org\n邮箱：wang@example.cn", "wang@example.cn"),
    ("王晓明 wang@example.cn", "wang@example.cn"),
])
def test_email(body, email):
    assert read_body_contact(body).email == email


@pytest.mark.parametrize("marker", [
    "-----原始邮件-----",
    "------------------ 原始邮件 ------------------",
    "------------------ Original ------------------",
    "-----Original Message-----",
    "在 2023年12月20日 星期三 10:00，秘书处 <office@example.org> 写道：",
    "在 2023年12月20日 星期三 10:00，秘书处\n<office@example.org> 写道：",
    "On Wed, Dec 20, 2023 at 10:00 AM Secretariat <office@example.org> wrote:",
])
def test_quoted_text_after_a_reply_marker_is_not_the_senders(marker):
    body = f"已补充材料，请查收。\n\n{marker}\n联系人：赵六 电话：010-12345678 邮箱：office@example.org"
    assert read_body_contact(body) == BodyContact()


def test_quoted_lines_are_not_the_senders():
    body = "已补充。\n> 联系人：赵六\n> 电话：010-12345678\n>> office@example.org\n王晓明"
    assert own_text(body) == "已补充。\n王晓明"
    assert read_body_contact(body) == BodyContact()


def test_the_own_text_above_the_quote_is_read():
    body = ("工作负责人：王晓明，手机13800138000，邮箱wang@example.cn\n\n-----原始邮件-----\n"
            "联系人：赵六 电话：010-12345678 邮箱：office@example.org")
    assert read_body_contact(body) == BodyContact("王晓明", "13800138000", "wang@example.cn")


def test_the_signature_is_the_senders():
    body = "附件为推荐材料。\n\n-- \n王晓明\n工作负责人：王晓明\n手机：13800138000\nwang@example.cn"
    assert read_body_contact(body) == BodyContact("王晓明", "13800138000", "wang@example.cn")


def test_a_forward_is_read_whole():
    body = ("请查收。\n\n------------------ 原始邮件 ------------------\n"
            "工作负责人：王晓明，电话13800138000，邮箱wang@example.cn")
    assert read_body_contact(body, forwarded=True) == BodyContact("王晓明", "13800138000",
                                                                  "wang@example.cn")
