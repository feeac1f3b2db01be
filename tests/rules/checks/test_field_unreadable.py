"""field_unreadable: an answer that is written but could not be read is a warning for a person,
never a deficiency for the applicant."""
from __future__ import annotations

from rules.registry import run_rules
from tests.conftest import NOW, doc, submission

CAMPAIGN = "ccea-green-2022"


def findings(profiles, **values):
    profile = profiles[CAMPAIGN]
    form = doc("申报表.docx", "form", fields={})
    return run_rules(submission(CAMPAIGN, (form,), **values), profile, NOW)


def test_the_message_names_the_field_and_quotes_what_is_written(profiles):
    found = [f for f in findings(profiles, unreadable={"revenue_wan": "所填为“约贰拾亿 万元”"})
             if f.field == "revenue_wan"]
    assert [(f.rule, f.severity, f.message) for f in found] == [(
        "field_unreadable", "warning",
        "申报表中“营业收入（万元）”一项未能自动准确识别（所填为“约贰拾亿 万元”），秘书处将人工核对，无需重新发送")]


def test_a_field_that_is_merely_empty_is_missing_not_unreadable(profiles):
    found = {f.rule for f in findings(profiles) if f.field == "revenue_wan"}
    assert found == {"field_missing"}


def test_an_unreadable_field_is_not_also_missing(profiles):
    found = {f.rule for f in findings(profiles, unreadable={"revenue_wan": "所填为“？”"})
             if f.field == "revenue_wan"}
    assert found == {"field_unreadable"}


def test_without_a_form_nothing_is_judged_unreadable(profiles):
    profile = profiles[CAMPAIGN]
    found = run_rules(submission(CAMPAIGN, unreadable={"revenue_wan": "所填为“？”"}), profile, NOW)
    assert [f for f in found if f.rule == "field_unreadable"] == []
