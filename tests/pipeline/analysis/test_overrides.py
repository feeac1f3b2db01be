"""People's decisions, pure: which corrections hold, what a waiver covers, what verdict is left."""
from __future__ import annotations

from pipeline.analysis.overrides import Override, correct, dumps, judge
from rules.model import Finding

SEAL = Finding("seal_missing", None, "error", "申报表未盖章")
PHONE = Finding("field_missing", "contact_phone", "error", "联系电话未填写")
EMAIL = Finding("field_missing", "contact_email", "error", "联系邮箱未填写")
LATE = Finding("deadline_passed", None, "error", "逾期")


def override(n: int, action: str, **values) -> Override:
    return Override(n, action, 1, "note", "张三", "2024-04-10T10:00:00+08:00", **values)


def test_a_correction_holds_while_the_form_reads_the_value_it_corrected():
    fix = override(1, "set", field="contact_phone", value="010-00000000", previous="")
    assert correct({"contact_phone": ""}, (fix,)) == ({"contact_phone": "010-00000000"},
                                                      frozenset({"contact_phone"}))
    # The applicant's new form says something else: theirs wins.
    assert correct({"contact_phone": "021-11111111"}, (fix,)) == (
        {"contact_phone": "021-11111111"}, frozenset())


def test_the_latest_correction_of_a_field_wins_and_a_missing_field_can_be_corrected():
    first = override(1, "set", field="category", value=("甲",), previous=None)
    second = override(2, "set", field="category", value=("乙",), previous=None)
    fields, keys = correct({}, (first, second))
    assert fields == {"category": ("乙",)} and keys == {"category"}
    assert dumps(fields["category"]) == '["乙"]'


def test_a_waiver_of_a_rule_covers_every_field_and_one_on_a_field_only_that_field():
    any_field = judge([PHONE, EMAIL], (override(1, "waive", rule="field_missing"),))
    assert any_field.waived_by == (1, 1) and any_field.verdict == "complete"
    one_field = judge([PHONE, EMAIL], (override(1, "waive", rule="field_missing",
                                                 field="contact_phone"),))
    assert one_field.waived_by == (1, None) and one_field.open() == (EMAIL,)
    assert one_field.verdict == "deficient"


def test_waiving_the_deadline_leaves_the_other_findings_to_decide():
    judged = judge([LATE, SEAL], (override(1, "waive", rule="deadline_passed"),))
    assert judged.verdict == "deficient" and judged.open() == (SEAL,)


def test_the_latest_decision_replaces_the_verdict_and_a_rejection_carries_its_note():
    reject = Override(1, "reject", 1, "不属于征集范围", "张三", "2024-04-10")
    assert judge([], (reject,)).verdict == "rejected"
    assert judge([], (reject,)).note == "不属于征集范围"
    accept = override(2, "accept")
    assert judge([SEAL], (reject, accept)).verdict == "complete"
    assert judge([SEAL], (reject, accept)).note == ""
    # A decision does not hide the findings: they are still listed as counting.
    assert judge([SEAL], (accept,)).open() == (SEAL,)


def test_a_reprocess_record_changes_nothing():
    assert judge([SEAL], (override(1, "reprocess"),)).verdict == "deficient"


def test_an_override_row_reads_back_its_json_values():
    row = {"id": 3, "action": "set", "version": 2, "note": "n", "by": "b", "at": "t",
           "rule": None, "field": "category", "value": '["乙"]', "previous": "null"}
    assert Override.from_row(row) == Override(3, "set", 2, "n", "b", "t", None, "category",
                                              ("乙",), None)
