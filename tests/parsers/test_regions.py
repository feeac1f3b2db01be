"""Tests for parsers.regions: the province a text names, and parks' names as one group."""
import pytest

from parsers.regions import PROVINCES, department_province, park_name, province_of


def test_the_34_divisions_and_the_corps():
    assert len(PROVINCES) == 35 and "新疆生产建设兵团" in PROVINCES


@pytest.mark.parametrize("full", list(PROVINCES))
def test_every_full_and_short_name_gives_the_full_name(full):
    assert [province_of(name) for name in (full, *PROVINCES[full])] == \
        [full] * (1 + len(PROVINCES[full]))


@pytest.mark.parametrize("text, expected", [
    ("浙江省杭州市西湖区示例路1号", "浙江省"),
    ("浙 江 省杭州市", "浙江省"),
    ("（浙江）", "浙江省"),
    ("中国（浙江）自由贸易试验区", "浙江省"),
    ("同意推荐。\n浙江省生态环境厅", "浙江省"),
    ("位于江苏的示例园区", "江苏省"),
    ("广西壮族自治区南宁市", "广西壮族自治区"),
    ("新疆维吾尔自治区乌鲁木齐市", "新疆维吾尔自治区"),
    ("新疆生产建设兵团第八师", "新疆生产建设兵团"),
    ("黑龙江省哈尔滨市", "黑龙江省"),
    ("上海南京路", "上海市"),
    ("北京市朝阳区", "北京市"),
    ("吉林市船营区", "吉林省"),
    ("香港特别行政区", "香港特别行政区"),
    ("浙江西湖", "浙江省"),
])
def test_province_named_in_a_text(text, expected):
    assert province_of(text) == expected


@pytest.mark.parametrize("text", [
    "", "XX省（区、市）", "示例社区居民委员会",
    # Short forms inside other words: streets, and places of another province.
    "南京市中山东路1号", "广州市北京路", "青岛市江西路", "示例市江西中路8号", "淮河南岸",
    "太湖北岸", "海南藏族自治州共和县", "河南蒙古族自治县",
])
def test_no_province(text):
    assert province_of(text) is None


@pytest.mark.parametrize("text, expected", [
    ("工作负责人：周某\n浙江省生态环境厅应对气候变化处\n2023年12月20日", "浙江省"),
    ("江苏生态环境宣传教育中心", "江苏省"),
    ("浙江省杭州市生态环境局", "浙江省"),
    ("广西壮族自治区生态环境厅", "广西壮族自治区"),
    # The ministry that receives the mail, a province merely mentioned: no department.
    ("生态环境部宣传教育中心：现报送我省材料", None),
    ("附件是浙江省示例社区的材料", None),
])
def test_department_signing_a_mail(text, expected):
    assert department_province(text) == expected


@pytest.mark.parametrize("text", [
    "示例经济技术开发区", "示例经济技术开发区 ", " 示例 经济技术开发区", "示例经济技术开发区管委会",
    "示例经济技术开发区管理委员会", "示例经济技术开发区\u3000",
])
def test_one_park_however_it_is_written(text):
    assert park_name(text) == "示例经济技术开发区"


@pytest.mark.parametrize("text, expected", [
    ("示例（临港）经济技术开发区", "示例(临港)经济技术开发区"),
    ("示例【临港】经济技术开发区", "示例(临港)经济技术开发区"),
    ("管委会", "管委会"),
    ("", ""),
])
def test_park_brackets_and_edges(text, expected):
    assert park_name(text) == expected
