"""The 汇总表 over the sample mailbox run by the real pipeline, read back with openpyxl."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.app.revise import Reviser
from pipeline.app.runner import run
from pipeline.cli.export import export_group
from pipeline.config.settings import parse_config
from pipeline.demo.samples import at, mail, sample_id
from pipeline.demo.samples.texts import WU
from pipeline.errors import ConfigError
from pipeline.exports.summary import FINDING_HEADERS, summary_sheets, summary_workbook
from pipeline.store.database import Database
from tests.scenarios.test_versions import corrected_form, deliver
from tests.support.workspace import make_workspace

PARK_HEADERS = ("受理编号", "申报单位", "案例名称", "案例类别", "单位名称（申报表）", "联系人", "联系电话",
                "联系邮箱", "案例简介", "填表日期", "盖章", "发件人邮箱", "收到时间", "最近更新", "审核结论",
                "未解决问题数", "未解决问题", "版本数")
CAMPAIGNS = ["ccea-csr-2022", "ccea-green-2022", "cq-ict-enabling", "gpipc-enterprise-2024",
             "gpipc-park-2024", "mee-lowcarbon-2023"]


def waive(db: Database, config, reference: str, rule: str, note: str) -> None:
    """The secretariat waives a finding, as `intake waive` does."""
    Reviser(db, config).apply(reference, lambda current: {"action": "waive", "rule": rule,
                                                          "note": note, "by": "秘书处"},
                              datetime(2024, 4, 14, 1, 0, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """GIVEN the sample mailbox, a corrected form for GPIPC-2024-E-0002 answering our notice,
    and the abbreviation finding of CCEA-2022-G-0002 waived by the secretariat."""
    workspace = make_workspace(tmp_path_factory.mktemp("summary"))
    run(workspace.config())
    notice = workspace.query("select o.message_id, o.subject from outbox o join submissions s on "
                             "o.submission_id = s.id where s.reference = 'GPIPC-2024-E-0002'")[0]
    deliver(workspace, "9001.fix.eml", mail(
        f"回复：{notice['subject']}", WU.sender(), "已按要求修改，请查收。",
        [("案例申报信息表（修改）.docx", corrected_form("fix"))], date=at(2024, 4, 13, 9, 0),
        message_id=sample_id("fix"), in_reply_to=notice["message_id"]))
    run(workspace.config())
    db = Database(workspace.config().database)
    waive(db, workspace.config(), "CCEA-2022-G-0002", "case_name_has_abbrev",
          "专家组认可“5G”为通用术语")
    db.close()
    return workspace


@pytest.fixture(scope="module")
def book(workspace) -> openpyxl.Workbook:
    db = Database(workspace.config().database)
    try:
        return openpyxl.load_workbook(io.BytesIO(summary_workbook(db, workspace.config())))
    finally:
        db.close()


def records(sheet) -> dict[str, dict[str, object]]:
    """Rows by reference, each as header -> value."""
    rows = list(sheet.iter_rows(values_only=True))
    return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def test_one_sheet_per_campaign_then_the_findings(book):
    assert book.sheetnames == [*CAMPAIGNS, "问题清单"]


def test_a_campaign_sheet_has_the_forms_fields_in_the_profiles_order(book):
    sheet = book["gpipc-park-2024"]
    assert next(sheet.iter_rows(values_only=True)) == PARK_HEADERS
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:R3")


def test_a_complete_submission_reads_as_the_secretariat_would_type_it(book):
    row = records(book["gpipc-park-2024"])["GPIPC-2024-P-0001"]
    assert {k: row[k] for k in PARK_HEADERS if k not in ("案例简介",)} == {
        "受理编号": "GPIPC-2024-P-0001", "申报单位": "示例经济技术开发区管理委员会",
        "案例名称": "园区分布式光伏与智慧能源管理平台建设", "案例类别": "绿色基础设施创新",
        "单位名称（申报表）": "示例经济技术开发区管理委员会", "联系人": "张伟华",
        "联系电话": "13800000012", "联系邮箱": "zhangweihua@example.cn", "填表日期": "2024-04-08",
        "盖章": "有", "发件人邮箱": "zhangweihua@example.cn", "收到时间": "2024-04-08 10:15",
        "最近更新": "2024-04-08 10:15", "审核结论": "已受理", "未解决问题数": 0, "未解决问题": None,
        "版本数": 1}
    assert row["案例简介"].startswith("探索绿色金融支持节能项目的新模式")


def test_a_deficient_submission_lists_its_open_findings(book):
    row = records(book["gpipc-park-2024"])["GPIPC-2024-P-0002"]
    assert (row["审核结论"], row["未解决问题数"]) == ("需补正", 5)
    lines = row["未解决问题"].splitlines()
    assert lines[0] == "1. 未收到案例报告/编写模板，请补充发送"
    assert lines[1] == "2. 案例简介为260字，超过“200字以内”的要求"
    assert book["gpipc-park-2024"]["Q3"].alignment.wrap_text


def test_a_corrected_submission_counts_its_versions(book):
    row = records(book["gpipc-enterprise-2024"])["GPIPC-2024-E-0002"]
    assert (row["审核结论"], row["版本数"], row["未解决问题数"]) == ("已受理", 2, 0)
    assert (row["收到时间"], row["最近更新"], row["案例类别"]) == \
        ("2024-04-12 09:05", "2024-04-13 09:00", "无废工厂建设")


def test_numbers_stay_numbers_and_choices_are_their_text(book):
    row = records(book["ccea-green-2022"])["CCEA-2022-G-0001"]
    assert (row["营业收入（万元）"], row["总资产（万元）"]) == (268500, 415200)
    assert (row["企业属性"], row["案例类别"]) == ("民营企业", "节能降耗增效")
    ticked = records(book["ccea-csr-2022"])["CCEA-2022-CSR-0002"]["案例类别"]
    assert ticked == "助力乡村振兴、消除数字鸿沟"


def test_a_waived_finding_is_not_open(book):
    row = records(book["ccea-green-2022"])["CCEA-2022-G-0002"]
    assert row["未解决问题数"] == 1 and row["未解决问题"] == "1. 案例简介为900字，超过“800字以内”的要求"


def test_the_findings_sheet_names_what_each_finding_is_about_and_its_state(book):
    rows = list(book["问题清单"].iter_rows(values_only=True))
    assert rows[0] == FINDING_HEADERS
    green = [r for r in rows if r[1] == "CCEA-2022-G-0002"]
    assert [(r[4], r[5], r[6], r[8]) for r in green] == [
        ("attachment_missing", "证明材料", "提醒", "仅提醒"),
        ("length_exceeded", "案例简介", "需补正", "未解决"),
        ("case_name_has_abbrev", "案例名称", "需补正", "已豁免：专家组认可“5G”为通用术语（秘书处）")]
    assert not [r for r in rows if r[1] == "GPIPC-2024-E-0002"]  # its current version is clean
    objects = {r[5] for r in rows if r[1] == "MEE-2023-0002"}
    assert objects == {None, "邮件正文中的工作负责人姓名", "邮件正文中的联系电话", "邮件正文中的邮箱"}


@pytest.mark.parametrize("field", ["body_contact_phone", "phone"])
def test_a_body_contact_finding_names_the_part_of_the_body(field):
    """A finding recorded before body_contact_missing named its field key said only "phone"."""
    from pipeline.exports.summary import finding_object

    assert finding_object(field) == "邮件正文中的联系电话"


def test_chinese_columns_are_sized_for_their_text(book):
    sheet = book["gpipc-park-2024"]
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    # The longest case name has 18 CJK characters: 36 units and 2 of margin; a reference 17+2.
    assert widths["案例名称"] == 38 and widths["受理编号"] == 19
    assert widths["案例简介"] == 60  # capped; the text wraps


def test_one_campaign_gives_its_sheet_and_its_findings_only(workspace):
    db = Database(workspace.config().database)
    try:
        sheets = summary_sheets(db, workspace.config(), "mee-lowcarbon-2023")
    finally:
        db.close()
    assert [s.title for s in sheets] == ["mee-lowcarbon-2023", "问题清单"]
    assert [r[0] for r in sheets[0].rows] == ["MEE-2023-0001", "MEE-2023-0002"]
    assert {r[0] for r in sheets[1].rows} == {"mee-lowcarbon-2023"}
    # The province submits; the form names the unit of the case.
    first = dict(zip(sheets[0].headers, sheets[0].rows[0]))
    assert (first["申报单位"], first["单位名称（申报表）"]) == ("浙江省", "浙江省示例绿能科技有限公司")


def test_a_campaign_without_submissions_is_a_header_row(tmp_path):
    db, config = Database(None), parse_config({}, tmp_path)
    sheets = summary_sheets(db, config, "gpipc-park-2024")
    assert (sheets[0].headers, sheets[0].rows) == (PARK_HEADERS, ())


def test_an_unknown_campaign_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no campaign 'nope'"):
        summary_sheets(Database(None), parse_config({}, tmp_path), "nope")


def test_intake_export_xlsx_writes_the_file_it_names(workspace, tmp_path):
    out = tmp_path / "汇总表.xlsx"
    result = CliRunner().invoke(export_group, ["xlsx", "--config", str(workspace.config_path),
                                               "--campaign", "gpipc-park-2024", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    assert openpyxl.load_workbook(out).sheetnames == ["gpipc-park-2024", "问题清单"]


def test_intake_export_xlsx_names_its_file_by_campaign_and_day(workspace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(export_group, ["xlsx", "--config", str(workspace.config_path)])
    assert result.exit_code == 0, result.output
    (written,) = Path(tmp_path).glob("汇总表_全部_*.xlsx")
    assert openpyxl.load_workbook(written).sheetnames[-1] == "问题清单"


def test_intake_export_xlsx_refuses_an_unknown_campaign(workspace, tmp_path):
    """The group raises ConfigError; `intake` (pipeline/cli/main.py) prints it as one line."""
    result = CliRunner().invoke(export_group, ["xlsx", "--config", str(workspace.config_path),
                                               "--campaign", "nope", "-o", str(tmp_path / "x.xlsx")])
    assert isinstance(result.exception, ConfigError) and not (tmp_path / "x.xlsx").exists()
