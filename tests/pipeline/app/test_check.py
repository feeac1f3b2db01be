"""`intake check --json`: the DESIGN.md object for any mail, including ones it cannot parse."""
from __future__ import annotations

import json

import pytest

from pipeline.app.check import check_messages
from pipeline.app.clock import utc_now
from pipeline.config.settings import load_config
from pipeline.demo.samples import catalogue
from tests.conftest import ROOT
from tests.support.workspace import make_workspace

KEYS = {"message_id", "campaign", "verdict", "reference", "unit_name", "fields", "documents",
        "findings", "reply"}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    samples = catalogue()
    paths = []
    for index, sample in enumerate(samples):
        path = folder / f"{index:02d}-{sample.key}.eml"
        path.write_bytes(sample.build())
        paths.append(path)
    results = list(check_messages(paths, load_config(ROOT / "config.toml"), utc_now()))
    return samples, results


def test_each_sample_yields_exactly_its_findings(checked):
    samples, results = checked
    got = [(s.key, r["campaign"], r["verdict"], {(f["rule"], f["field"]) for f in r["findings"]})
           for s, r in zip(samples, results)]
    assert got == [(s.key, s.campaign, s.verdict, set(s.findings)) for s in samples]


def test_the_contract_keys_and_reply(checked):
    samples, results = checked
    for sample, result in zip(samples, results):
        assert KEYS <= set(result)
        expected = {"complete": "receipt", "deficient": "deficiency", "late": "late"}
        assert result["reply"]["kind"] == expected.get(sample.verdict, "none")
        for finding in result["findings"]:
            assert set(finding) == {"rule", "field", "severity", "message"}


def test_single_choice_fields_give_the_option_text(checked):
    samples, results = checked
    complete = [r for s, r in zip(samples, results) if s.verdict == "complete" and r["fields"]]
    assert complete
    for result in complete:
        category = result["fields"].get("category")
        assert isinstance(category, str) and category


@pytest.mark.parametrize("data", [b"", b"\x00\xff\x00garbage", b"not a mail at all"])
def test_a_mail_that_cannot_be_parsed_gives_a_verdict_and_a_finding(tmp_path, data):
    workspace = make_workspace(tmp_path, samples=[])
    path = tmp_path / "broken.eml"
    path.write_bytes(data)
    result = workspace.intake("check", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    parsed = json.loads(lines[0])
    assert parsed["verdict"] == "not_submission"
    assert [f["rule"] for f in parsed["findings"]] == ["attachment_unreadable"]


def test_a_form_title_beats_another_campaigns_subject_words(tmp_path):
    """GIVEN a mee form under a subject with ccea-green's words (绿色低碳 + 案例)
    THEN the mail is filed under mee, with a subject_format finding."""
    from pipeline.demo.samples import at, build_form, mail

    form = build_form("mee-lowcarbon-2023", {"case_name": "光伏车棚", "unit_name": "浙江省示例公司"})
    path = tmp_path / "m.eml"
    path.write_bytes(mail("浙江省绿色低碳典型案例申报", "王晓明 <wang@example.cn>", "请查收",
                          [("推荐表.docx", form)], date=at(2023, 12, 1, 9, 0), message_id="<m@example.cn>"))
    result = next(check_messages([path], load_config(ROOT / "config.toml"), utc_now()))
    assert result["campaign"] == "mee-lowcarbon-2023"
    assert ("subject_format", None) in {(f["rule"], f["field"]) for f in result["findings"]}
