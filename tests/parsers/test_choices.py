"""Tests for parsers.choices: which options a form's text marks with a box or a tick."""
import pytest

from parsers.choices import has_marks, marked_options, named_options

CATEGORIES = ("园区", "企业", "社区", "个人")
OWNERSHIP = ("国有或国有控股企业", "民营企业", "中外合资企业", "其他")


# The mark encodings and placements applicants use; test_form.py runs them through a form too.
MARKS = [
    ("☑园区 □企业 □社区 □个人", ("园区",)),
    ("■园区 □企业 □社区 □个人", ("园区",)),
    ("☒园区 □企业 □社区 □个人", ("园区",)),
    ("□园区 □企业 □社区 □个人", ()),
    ("☑园区 ☑企业 □社区 □个人", ("园区", "企业")),
    ("园区 √企业 社区 个人", ("企业",)),
    ("园区√ 企业 社区 个人", ("园区",)),
    ("园区√企业 社区 个人", ("企业",)),
    ("园区 √ 企业 社区 个人", ("企业",)),
    ("园区 企业 社区 个人√", ("个人",)),
    ("园区 企业 （√）社区 个人", ("社区",)),
    ("□园区√ □企业 □社区 □个人", ("园区",)),
    ("园区 ✔\ufe0e企业", ("企业",)),
    ("园区        企业        社区        个人", ()),
    ("企业", ("企业",)),
]


@pytest.mark.parametrize("text, expected", MARKS + [("", ())])
def test_marked_options(text, expected):
    assert marked_options(text, CATEGORIES) == expected


def test_marked_options_come_in_the_spec_order():
    assert marked_options("☑个人 ☑园区", CATEGORIES) == ("园区", "个人")


def test_longer_option_hides_the_shorter_inside_it():
    assert marked_options("□国有或国有控股企业 ☑民营企业 □中外合资企业 □其他", OWNERSHIP) == ("民营企业",)


def test_options_are_found_across_spaces():
    assert marked_options("☑园 区 □企业", CATEGORIES) == ("园区",)


@pytest.mark.parametrize("text, expected", [
    ("□个人 □园区", ("园区", "个人")),
    ("民营企业", ("民营企业",)),
    ("无", ()),
])
def test_named_options(text, expected):
    assert named_options(text, CATEGORIES + OWNERSHIP[1:2]) == expected


@pytest.mark.parametrize("text, expected", [
    ("□园区", True), ("☑园区", True), ("园区√", True), ("园区 企业", False)])
def test_has_marks(text, expected):
    assert has_marks(text) is expected
