"""Tests for parsers.choices: which options a form's text marks with a box or a tick."""
import pytest

from parsers.choices import UNREAD_BOX, has_marks, marked_options, named_options

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


def test_crosses_and_blanks_in_brackets_are_boxes():
    options = ("园区", "企业", "社区", "个人")
    assert marked_options("[ ]园区 [X]企业 [ ]社区 [ ]个人", options) == ("企业",)
    assert marked_options("（ ）园区 （×）企业 （ ）社区", options) == ("企业",)
    assert marked_options("[ ]园区 [ ]企业 [ ]社区 [ ]个人", options) == ()


def test_an_option_emphasised_on_its_own_is_marked():
    """Highlighted, shaded, bold or underlined: parsers/wordml.py puts it between \\ue100 and
    \\ue101; a list printed all in bold marks nothing."""
    options = ("园区", "企业", "社区", "个人")
    assert marked_options("园区 \ue100企业\ue101 社区 个人", options) == ("企业",)
    assert marked_options("园区 \ue100企\ue101\ue100业\ue101 社区", options) == ("企业",)
    assert marked_options("\ue100园区 企业 社区 个人\ue101", options) == ()
    assert marked_options("\ue100园区\ue101 \ue100企业\ue101 \ue100社区\ue101 \ue100个人\ue101",
                          options) == ()
    assert marked_options("☑\ue100园区\ue101 □企业", options) == ("园区",)


def test_two_options_emphasised_together_are_both_marked():
    options = ("园区", "企业", "社区", "个人")
    assert marked_options("\ue100园区 \ue101\ue100企业\ue101 社区 个人", options) == ("园区", "企业")


def test_a_box_that_could_not_be_read_is_no_choice_and_not_a_kept_option():
    """An unread box beside the only option left is not "the others deleted": nobody knows."""
    assert marked_options(f"{UNREAD_BOX}企业", ("园区", "企业")) == ()
    assert marked_options(f"{UNREAD_BOX}园区 ☑企业", ("园区", "企业")) == ("企业",)
