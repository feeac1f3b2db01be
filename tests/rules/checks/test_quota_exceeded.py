"""The quota group: a province (notice 002) or a park (notice 004), derived, named, counted."""
from __future__ import annotations

import pytest

from pipeline.app.process import quota_key
from rules.checks import quota_exceeded
from tests.conftest import NOW, submission

MEE, PARKS = "mee-lowcarbon-2023", "gpipc-enterprise-2024"
COMMUNITY = {"unit_name": "示例市碧水社区居民委员会", "category": ("社区",)}


def mee(fields: dict | None = None, **values: object):
    """A community's case of notice 002, its subject not following the convention."""
    base = {"subject_unit": None, "subject_matched": False, "body": "请查收。"}
    return submission(MEE, fields={**COMMUNITY, **(fields or {})}, **{**base, **values})


@pytest.mark.parametrize("sub, expected", [
    (mee(subject_unit="浙江省", subject_matched=True), "浙江省·社区"),
    (mee({"recommender_opinion": "同意推荐。\n江苏省生态环境厅"}), "江苏省·社区"),
    (mee(body="您好，材料见附件。\n\n广西壮族自治区生态环境厅宣教处"), "广西壮族自治区·社区"),
    (mee({"address": "福建省福州市示例路1号"}), "福建省·社区"),
    # A subject that names no province ("杭州市…") gives way to the next source.
    (mee({"address": "浙江省杭州市示例路1号"}, subject_unit="杭州市", subject_matched=True),
     "浙江省·社区"),
    # The most deliberate statement wins: the subject over the opinion over the signature over
    # the address.
    (mee({"recommender_opinion": "同意推荐。安徽省生态环境厅", "address": "江西省南昌市"},
         subject_unit="山东省", subject_matched=True, body="河南省生态环境厅"), "山东省·社区"),
    (mee({"recommender_opinion": "同意推荐。安徽省生态环境厅", "address": "江西省南昌市"},
         body="河南省生态环境厅"), "安徽省·社区"),
    (mee({"address": "江西省南昌市"}, body="河南省生态环境厅"), "河南省·社区"),
])
def test_the_province_is_derived_in_order(profiles, sub, expected):
    assert quota_key(profiles[MEE], sub) == expected


@pytest.mark.parametrize("sub", [
    # Nothing names a province: the community's own name is never the group.
    mee(),
    # A province merely mentioned in the body is not the department that recommends.
    mee(body="附件是浙江省示例社区的材料"),
    # The province is known but no category is marked: the group is not complete.
    mee({"category": ()}, subject_unit="浙江省", subject_matched=True),
])
def test_an_unknown_group_is_no_key_and_no_finding(profiles, sub):
    from dataclasses import replace
    assert quota_key(profiles[MEE], sub) is None
    assert quota_exceeded.check(replace(sub, quota_count=9), profiles[MEE], NOW) == []


@pytest.mark.parametrize("written", ["示例经济技术开发区", "示例经济技术开发区 ", "示例 经济技术开发区",
                                     "示例经济技术开发区管委会"])
def test_one_park_is_one_group(profiles, written):
    sub = submission(PARKS, fields={"recommender": written, "unit_name": "示例制造有限公司"},
                     subject_unit="示例制造有限公司")
    assert quota_key(profiles[PARKS], sub) == "示例经济技术开发区"


def test_a_blank_park_is_no_group(profiles):
    assert quota_key(profiles[PARKS], submission(PARKS, fields={"recommender": ""})) is None


def test_the_finding_names_the_group_and_the_recommender_field(profiles):
    sub = mee(subject_unit="浙江省", subject_matched=True, quota_count=3)
    (finding,) = quota_exceeded.check(sub, profiles[MEE], NOW)
    assert (finding.rule, finding.field, finding.severity) == ("quota_exceeded", "recommender",
                                                               "warning")
    assert finding.message == "浙江省·社区：已收到4个案例，超过“每个省（区、市）每个类别报送2-3个”的要求"


def test_under_the_quota_no_finding(profiles):
    sub = mee(subject_unit="浙江省", subject_matched=True, quota_count=2)
    assert quota_exceeded.check(sub, profiles[MEE], NOW) == []


def test_no_quota_no_group(profiles):
    assert quota_key(profiles["gpipc-park-2024"], submission("gpipc-park-2024")) is None
