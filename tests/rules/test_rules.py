"""Each rule on a submission built to break it, and not firing on one that does not."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from parsers.model import LargeLink
from rules.model import Finding
from rules.registry import decide, run_rules
from tests.conftest import NOW, doc, section, submission

PARK_FIELDS = {"unit_name": "示例经济技术开发区管理委员会", "contact_name": "王晓明",
               "contact_phone": "13800000001", "contact_email": "wang@example.cn",
               "category": ("绿色产业发展创新",), "case_name": "园区光储充一体化",
               "summary": "简介" * 50, "fill_date": "2024年4月1日", "seal": True}


def park_documents(**changes: object) -> tuple:
    form = doc("申报表.docx", "form", fields={**PARK_FIELDS, **changes})
    writeup = doc("案例编辑模板.docx", "writeup", title="光储充", subtitle="示例开发区绿色发展创新案例",
                  sections=(section("背景情况", 400), section("特色经验", 900),
                            section("未来展望", 400)))
    photos = tuple(doc(f"照片{i}.jpg", "photo", size=1_200_000) for i in range(3))
    return (form, writeup, *photos)


def pairs(findings: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.rule, f.field) for f in findings}


def test_a_complete_park_submission_has_no_finding(profiles):
    findings = run_rules(submission("gpipc-park-2024", park_documents()), profiles["gpipc-park-2024"], NOW)
    assert findings == []
    assert decide(findings) == "complete"


@pytest.mark.parametrize("changes, expected", [
    ({"contact_email": ""}, {("field_missing", "contact_email")}),
    ({"category": ()}, {("choice_invalid", "category")}),
    ({"category": ("绿色产业发展创新", "绿色投资环境创新")}, {("choice_invalid", "category")}),
    ({"summary": "字" * 201}, {("length_exceeded", "summary")}),
    ({"seal": False}, {("seal_missing", "seal")}),
])
def test_form_rules_name_the_field(profiles, changes, expected):
    sub = submission("gpipc-park-2024", park_documents(**changes))
    assert pairs(run_rules(sub, profiles["gpipc-park-2024"], NOW)) == expected


def test_a_missing_form_is_one_finding_not_one_per_field(profiles):
    documents = park_documents()[1:]
    findings = run_rules(submission("gpipc-park-2024", documents), profiles["gpipc-park-2024"], NOW)
    assert pairs(findings) == {("attachment_missing", "form")}


def test_photo_bounds(profiles):
    form, writeup, *photos = park_documents()
    small = doc("小.jpg", "photo", size=900_000)
    sub = submission("gpipc-park-2024", (form, writeup, photos[0], small))
    assert pairs(run_rules(sub, profiles["gpipc-park-2024"], NOW)) == {
        ("photo_count", None), ("photo_too_small", "小.jpg")}


def test_the_same_photo_twice_counts_once(profiles):
    """GIVEN three photos of which two are one picture re-saved (hashes 2 bits apart)
    THEN photo_count sees two photos and says one was a repeat."""
    form, writeup, *_ = park_documents()
    photos = (doc("a.jpg", "photo", size=1_200_000, phash="f0f0f0f0f0f0f0f0"),
              doc("a（副本）.jpg", "photo", size=1_100_000, phash="f0f0f0f0f0f0f0f3"),
              doc("b.jpg", "photo", size=1_200_000, phash="0f0f0f0f0f0f0f0f"))
    findings = run_rules(submission("gpipc-park-2024", (form, writeup, *photos)),
                         profiles["gpipc-park-2024"], NOW)
    assert [f.message for f in findings if f.rule == "photo_count"] == [
        "照片应为3–5个，现收到2个（另有1个为重复的同一张照片）"]


def test_sections_outside_an_approximate_range_are_warnings(profiles):
    form, writeup, *photos = park_documents()
    short = doc("模板.docx", "writeup", title="t", subtitle="示例开发区绿色发展创新案例",
                sections=(section("背景情况", 100), section("特色经验", 900)))
    findings = run_rules(submission("gpipc-park-2024", (form, short, *photos)),
                         profiles["gpipc-park-2024"], NOW)
    assert pairs(findings) == {("length_out_of_range", "section:背景情况"),
                               ("field_missing", "section:未来展望")}
    assert {f.severity for f in findings if f.rule == "length_out_of_range"} == {"warning"}


def test_the_deadline_is_the_end_of_the_day_in_shanghai(profiles):
    profile = profiles["gpipc-park-2024"]
    on_time = datetime(2024, 4, 15, 15, 59, tzinfo=timezone.utc)  # 23:59 in Shanghai
    late = datetime(2024, 4, 15, 16, 0, tzinfo=timezone.utc)
    assert run_rules(submission(profile.id, park_documents(), arrived_at=on_time), profile, NOW) == []
    findings = run_rules(submission(profile.id, park_documents(), arrived_at=late), profile, NOW)
    assert pairs(findings) == {("deadline_passed", None)}
    assert decide(findings) == "late"


def test_case_name_rules(profiles):
    profile = profiles["ccea-green-2022"]
    fields = {"unit_name": "示例市绿色智能科技有限公司", "case_name": "绿色智能科技5G基站节能"}
    sub = submission(profile.id, (doc("申报表.docx", "form", fields=fields),))
    found = pairs(run_rules(sub, profile, NOW))
    assert {("case_name_has_unit", "case_name"), ("case_name_has_abbrev", "case_name")} <= found


@pytest.mark.parametrize("body, missing", [
    ("工作负责人：王晓明，电话13800000001，邮箱wang@example.cn", set()),
    ("联系人 李华 010-80000001", {"email"}),
    ("请查收。", {"name", "phone", "email"}),
    # Notations the rule's own patterns used to miss: a false 补正 for a complete body.
    ("工作负责人：王晓明\n手机：+86 138 0013 8000\n邮箱：ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", set()),
    ("联系人：张三 先生  Tel:（0571）8765 4321转8001  E-mail: Zhang.San@Example.COM", set()),
    # The secretariat's own contact in the quoted notice is not the applicant's.
    ("已补充材料。\n\n------------------ 原始邮件 ------------------\n"
     "联系人：赵六 电话：010-12345678 邮箱：office@example.org", {"name", "phone", "email"}),
    ("负责人电话：13800000001，邮箱wang@example.cn", {"name"}),
])
def test_body_contact(profiles, body, missing):
    profile = profiles["mee-lowcarbon-2023"]
    found = {f.field for f in run_rules(submission(profile.id, body=body), profile, NOW)
             if f.rule == "body_contact_missing"}
    assert found == {f"body_contact_{part}" for part in missing}


def test_body_contact_message_says_what_the_notice_asks(profiles):
    profile = profiles["mee-lowcarbon-2023"]
    sub = submission(profile.id, body="联系人：王晓明，邮箱wang@example.cn")
    assert [(f.field, f.severity, f.message) for f in run_rules(sub, profile, NOW)
            if f.rule == "body_contact_missing"] == [
        ("body_contact_phone", "error",
         "邮件正文未注明联系电话（通知要求在邮件内容中注明工作负责人姓名、联系电话和邮箱）")]


def test_a_forward_is_read_whole(profiles):
    """GIVEN a province forwarding the unit's mail, whose contact is below the QQ marker
    THEN the forwarded mail's contact counts."""
    profile = profiles["mee-lowcarbon-2023"]
    body = ("请查收。\n\n------------------ 原始邮件 ------------------\n"
            "发件人: \"王晓明\" <wang@example.cn>\n发送时间: 2023年12月20日(星期三) 上午10:00\n"
            "主题: 浙江省低碳发展典型案例申报材料\n\n工作负责人：王晓明，电话13800000001，邮箱wang@example.cn")
    sub = submission(profile.id, subject="转发：浙江省低碳发展典型案例申报材料", body=body)
    assert [f for f in run_rules(sub, profile, NOW) if f.rule == "body_contact_missing"] == []


def test_quota_and_links_are_warnings(profiles):
    profile = profiles["gpipc-enterprise-2024"]
    sub = submission(profile.id, quota_count=2, fields={"recommender": "示例经济技术开发区"},
                     large_links=(LargeLink("视频.mp4", "https://example.com/x"),))
    found = [f for f in run_rules(sub, profile, NOW) if f.rule in ("quota_exceeded", "large_attachment_link")]
    assert pairs(found) == {("quota_exceeded", "recommender"), ("large_attachment_link", "视频.mp4")}
    assert {f.severity for f in found} == {"warning"}


def test_unit_mismatch_is_a_warning(profiles):
    profile = profiles["gpipc-park-2024"]
    sub = submission(profile.id, park_documents(), subject_unit="另一个开发区")
    found = run_rules(sub, profile, NOW)
    assert pairs(found) == {("unit_mismatch", "unit_name")}
    assert decide(found) == "complete"


def test_unreadable_file_is_named_and_not_also_missing(profiles):
    broken = doc("申报表.docx", "form", error="文件已损坏")
    in_time = datetime(2022, 9, 1, tzinfo=timezone.utc)
    sub = submission("ccea-csr-2022", (broken,), arrived_at=in_time)
    found = run_rules(sub, profiles["ccea-csr-2022"], NOW)
    assert pairs(found) == {("attachment_unreadable", "申报表.docx")}


def test_mee_file_names(profiles):
    profile = profiles["mee-lowcarbon-2023"]
    photo = doc("IMG_0001.jpg", "photo", size=100_000)
    found = pairs(run_rules(submission(profile.id, (photo,)), profile, NOW))
    assert ("filename_format", "IMG_0001.jpg") in found


@pytest.mark.parametrize("link, message", [
    (LargeLink("视频.mp4", "https://example.com/x", "2026-12-20 10:00", 52_428_800),
     "“视频.mp4”（50.0MB）以超大附件链接发送，有效期至2026-12-20 10:00，秘书处将下载后处理"),
    (LargeLink("照片.zip", "https://example.com/y", "30天后过期"),
     "“照片.zip”以超大附件链接发送（30天后过期），秘书处将下载后处理"),
])
def test_a_large_link_says_its_size_and_expiry(profiles, link, message):
    profile = profiles["gpipc-park-2024"]
    found = [f for f in run_rules(submission(profile.id, large_links=(link,)), profile, NOW)
             if f.rule == "large_attachment_link"]
    assert [f.message for f in found] == [message]
