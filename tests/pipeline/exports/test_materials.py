"""The review folder over submissions the real pipeline processed: clean names, converted
originals beside their .docx, index.xlsx, and a second and third run that update in place."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from parsers.model import Document
from parsers.office import Converted
from parsers.word import read_word
from pipeline.app.runner import run
from pipeline.cli.export import export_group
from pipeline.demo.samples import at, catalogue, gpipc, mail, sample_id
from pipeline.demo.samples.catalogue import Sample
from pipeline.demo.samples.texts import WU, ZHANG
from pipeline.errors import ConfigError
from pipeline.exports.materials import (CASE_HEADERS, FILE_HEADERS, INDEX, MANIFEST, MaterialsReport,
                                        document_files, export_materials, place_folder)
from pipeline.exports.reviewnames import document_names
from pipeline.store.database import Database
from pipeline.store.raw import RawStore
from tests.scenarios.test_versions import CASE, PARK, UNIT, deliver
from tests.support.office import office_convert
from tests.support.workspace import Workspace, make_workspace

LEGACY_UNIT = "示例临空经济技术开发区管理委员会"
# Windows-forbidden signs, and longer than a folder name may be.
LEGACY_CASE = "基于数字孪生的园区/企业协同降碳：源网荷储一体化综合能源服务平台建设与运营管理的探索与实践？"
RENAMED_CASE = "废旧塑料高值化再生与循环利用"


def legacy_sample() -> Sample:
    """A park's form as a legacy .doc (LibreOffice-made), with the write-up and photos."""
    form = gpipc._form(gpipc.PARK, LEGACY_UNIT, ZHANG, LEGACY_CASE, 160,
                       category="绿色产业发展创新", fill_date="2024年4月9日")
    writeup = gpipc._writeup(gpipc.PARK, "临空而起", "示例临空经济技术开发区绿色发展创新案例", "legacy")
    files = [("附件1-案例征集申报表.doc", office_convert(form, ".docx", "doc")),
             ("附件2-案例编辑模板.docx", writeup),
             *gpipc.big_photos(("航站区光伏.jpg", "货运区储能.jpg", "能源中心.jpg"), "legacy")]
    data = mail(f"【{LEGACY_UNIT}】绿盟案例征集", ZHANG.sender(), "申报材料见附件。", files,
                date=at(2024, 4, 9, 9, 30), message_id=sample_id("legacy"))
    return Sample("legacy", gpipc.PARK, "complete", frozenset(), "a .doc form", lambda: data)


def workspace_in(root: Path, mails: list[Sample]) -> Workspace:
    root.mkdir(parents=True)
    return make_workspace(root, mails)


def samples(*keys: str) -> list[Sample]:
    return [s for s in catalogue() if s.key in keys]


def listing(out: Path) -> dict[str, set[str]]:
    """Folder -> its files, for every submission folder."""
    return {p.name: {f.name for f in p.iterdir()} for p in sorted(out.iterdir()) if p.is_dir()}


def index_rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def export(workspace: Workspace, campaign: str, out: Path, **options):
    db = Database(workspace.config().database)
    try:
        return export_materials(db, workspace.config(), campaign, out, **options)
    finally:
        db.close()


def correct_enterprise(workspace: Workspace) -> None:
    """The applicant answers our notice with a corrected form under a new case name and two
    new photos (the third photo is gone from the latest version)."""
    notice = workspace.query("select message_id, subject from outbox where kind = 'deficiency'")[0]
    files = gpipc._enterprise("fix", UNIT, WU, RENAMED_CASE, PARK, ZHANG, "2024年4月13日",
                              industry="橡胶和塑料制品业", category="无废工厂建设")
    deliver(workspace, "9001.fix.eml", mail(
        f"回复：{notice['subject']}", WU.sender(), "已按要求修改，请查收。",
        [("案例申报信息表（修改）.docx", files[0][1]), *files[2:4]], date=at(2024, 4, 13, 9, 0),
        message_id=sample_id("fix"), in_reply_to=notice["message_id"]))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """GIVEN a park's complete case, a park's .doc form and an enterprise's deficient case
    WHEN the review folders are built, built again, and built a third time after the
    enterprise corrected its form and renamed its case THEN each run's state is kept here."""
    root = tmp_path_factory.mktemp("materials")
    workspace = workspace_in(root / "ws", samples("gpipc-park-complete") + [legacy_sample()]
                             + samples("gpipc-enterprise-deficient"))
    run(workspace.config())
    park, enterprise = root / "park", root / "enterprise"
    state = {"workspace": workspace, "park": park, "enterprise": enterprise}
    state["first"] = (export(workspace, gpipc.PARK, park), listing(park), mtimes(park))
    export(workspace, gpipc.ENTERPRISE, enterprise)
    state["second"] = (export(workspace, gpipc.PARK, park), listing(park), mtimes(park))
    before = mtimes(enterprise)
    (next(enterprise.glob("GPIPC-2024-E-0001_*")) / "专家意见.txt").write_text("待评审", "utf-8")
    correct_enterprise(workspace)
    run(workspace.config())
    state["third"] = (export(workspace, gpipc.ENTERPRISE, enterprise), listing(enterprise),
                      mtimes(enterprise), before)
    state["fresh"] = (export(workspace, gpipc.ENTERPRISE, root / "fresh"), listing(root / "fresh"))
    return state


PARK_COMPLETE = "GPIPC-2024-P-0001_示例经济技术开发区管理委员会_园区分布式光伏与智慧能源管理平台建设"


def test_each_folder_holds_the_latest_documents_under_clean_names(runs):
    report, folders, _ = runs["first"]
    legacy = next(name for name in folders if name.startswith("GPIPC-2024-P-0002_"))
    assert folders == {
        PARK_COMPLETE: {"申报表.docx", "案例编辑模板.docx", "照片01.jpg", "照片02.jpg", "照片03.jpg"},
        legacy: {"申报表.docx", "申报表（原件）.doc", "案例编辑模板.docx", "照片01.jpg", "照片02.jpg",
                 "照片03.jpg"}}
    assert (report.created, report.written, report.missing) == (2, 11, [])


def test_a_converted_form_is_a_docx_with_its_original_beside_it(runs):
    workspace, park = runs["workspace"], runs["park"]
    folder = next(park.glob("GPIPC-2024-P-0002_*"))
    form = workspace.query("select d.sha256, d.name from documents d join versions v on "
                           "d.version_id = v.id join submissions s on v.submission_id = s.id "
                           "where s.reference = 'GPIPC-2024-P-0002' and d.kind = 'form'")[0]
    original = (folder / "申报表（原件）.doc").read_bytes()
    assert hashlib.sha256(original).hexdigest() == form["sha256"]
    assert LEGACY_UNIT in read_word((folder / "申报表.docx").read_bytes()).all_text()


def test_files_are_the_applicants_bytes(runs):
    workspace, park = runs["workspace"], runs["park"]
    shas = {r["sha256"] for r in workspace.query(
        "select d.sha256 from documents d join versions v on d.version_id = v.id join "
        "submissions s on v.submission_id = s.id where s.reference = 'GPIPC-2024-P-0001'")}
    written = {hashlib.sha256(f.read_bytes()).hexdigest() for f in (park / PARK_COMPLETE).iterdir()}
    assert written == shas


def test_folder_names_are_safe_for_windows_and_short(runs):
    _, folders, _ = runs["first"]
    legacy = next(name for name in folders if name.startswith("GPIPC-2024-P-0002_"))
    assert legacy.startswith(f"GPIPC-2024-P-0002_{LEGACY_UNIT}_基于数字孪生的园区／企业协同降碳：")
    assert legacy.endswith("…") and not set('<>:"/\\|?*') & set(legacy)
    paths = [p.relative_to(runs["park"]) for p in runs["park"].rglob("*")]
    assert paths and max(len(str(p)) for p in paths) <= 180


def test_the_index_lists_every_case_and_file(runs):
    _, folders, _ = runs["first"]
    book = openpyxl.load_workbook(runs["park"] / INDEX)
    assert book.sheetnames == ["案例", "文件"]
    cases = list(book["案例"].iter_rows(values_only=True))
    assert cases[0] == CASE_HEADERS
    assert [(c[0], c[4], c[5], c[6], c[7]) for c in cases[1:]] == [
        ("GPIPC-2024-P-0001", "已受理", PARK_COMPLETE, 5, 0),
        ("GPIPC-2024-P-0002", "已受理", next(n for n in folders if n.startswith("GPIPC-2024-P-0002")),
         6, 0)]
    files = list(book["文件"].iter_rows(values_only=True))
    assert files[0] == FILE_HEADERS
    assert len(files) == 1 + 11
    legacy = [f for f in files if f[0] == "GPIPC-2024-P-0002" and f[3] == "申报表"]
    assert [(f[2], f[4], f[7]) for f in legacy] == [
        ("申报表.docx", "附件1-案例征集申报表.doc", "由原件转换为.docx"),
        ("申报表（原件）.doc", "附件1-案例征集申报表.doc", "原件")]
    assert files[1][2:5] == ("申报表.docx", "申报表", "附件1-案例征集申报表.docx")


def test_a_second_run_changes_nothing(runs):
    """THEN the same files, no copies, and not one file touched (index.xlsx included)."""
    _, first_files, first_times = runs["first"]
    report, files, times = runs["second"]
    assert files == first_files and times == first_times
    assert (report.created, report.renamed, report.updated, report.unchanged) == (0, 0, 0, 2)
    assert (report.written, report.same, report.removed) == (0, 11, 0)
    assert not [n for names in files.values() for n in names if "(1)" in n or "（1）" in n]


def test_a_renamed_case_renames_its_folder_and_updates_what_changed(runs):
    report, folders, times, before = runs["third"]
    name = f"GPIPC-2024-E-0001_{UNIT}_{RENAMED_CASE}"
    assert list(folders) == [name]
    assert folders[name] == {"申报表.docx", "案例编写模板.docx", "照片01.jpg", "照片02.jpg", "专家意见.txt"}
    assert (report.renamed, report.written, report.same, report.removed) == (1, 3, 1, 1)
    old = f"GPIPC-2024-E-0001_{UNIT}_{CASE}/案例编写模板.docx"
    assert times[f"{name}/案例编写模板.docx"] == before[old]  # unchanged: not rewritten


def test_documents_kept_from_an_earlier_version_come_from_that_versions_mail(runs):
    """The corrected version keeps the write-up of the first mail: a fresh folder has it."""
    report, folders = runs["fresh"]
    (files,) = folders.values()
    assert files == {"申报表.docx", "案例编写模板.docx", "照片01.jpg", "照片02.jpg"}
    assert (report.written, report.missing) == (4, [])


def test_an_archive_is_laid_out_as_its_files(tmp_path):
    workspace = workspace_in(tmp_path / "ws", samples("mee-complete"))
    run(workspace.config())
    report = export(workspace, "mee-lowcarbon-2023", tmp_path / "out")
    assert listing(tmp_path / "out") == {"MEE-2023-0001_浙江省_光伏车棚与储能微电网示范": {
        "申报表.docx", "申报表盖章扫描件.pdf", "照片01.jpg", "照片02.jpg", "照片03.jpg"}}
    assert report.missing == []


def test_the_manifest_remembers_which_files_are_intakes(runs):
    assert (runs["enterprise"] / MANIFEST).is_file()
    rows = index_rows(runs["enterprise"] / INDEX, "文件")
    assert "专家意见.txt" not in {r[2] for r in rows}


def test_a_lost_raw_mail_keeps_an_earlier_export_and_is_reported_in_a_new_one(tmp_path):
    workspace = workspace_in(tmp_path / "ws", samples("gpipc-park-complete"))
    run(workspace.config())
    export(workspace, gpipc.PARK, tmp_path / "before")
    (sha,) = [r["sha256"] for r in workspace.query("select sha256 from messages")]
    RawStore(workspace.config().raw).path_for(sha).unlink()
    again = export(workspace, gpipc.PARK, tmp_path / "before")
    assert (again.missing, again.same, again.removed) == ([], 5, 0)
    fresh = export(workspace, gpipc.PARK, tmp_path / "fresh")
    assert len(fresh.missing) == 5 and fresh.written == 0
    assert {m.reference for m in fresh.missing} == {"GPIPC-2024-P-0001"}
    assert all(m.reason.startswith("第1版的原始邮件不在原始邮件库中") for m in fresh.missing)
    rows = index_rows(tmp_path / "fresh" / INDEX, "文件")
    assert [r[7].split("：")[0] for r in rows[1:]] == ["缺失"] * 5


def test_a_verdict_filter_exports_only_those_submissions(tmp_path):
    workspace = workspace_in(tmp_path / "ws",
                             samples("gpipc-park-complete", "gpipc-park-deficient"))
    run(workspace.config())
    export(workspace, gpipc.PARK, tmp_path / "out", verdicts=("complete",))
    assert list(listing(tmp_path / "out")) == [PARK_COMPLETE]


def test_an_unknown_campaign_is_a_config_error(tmp_path):
    workspace = make_workspace(tmp_path, [])
    with pytest.raises(ConfigError):
        export(workspace, "nope", tmp_path / "out")


def test_intake_export_materials_prints_what_it_did(runs, tmp_path):
    workspace = runs["workspace"]
    result = CliRunner().invoke(export_group, [
        "materials", "--config", str(workspace.config_path), "--campaign", gpipc.PARK,
        "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{tmp_path / 'out'}: 2 folders (2 created, 0 renamed")
    assert "11 written" in result.output and (tmp_path / "out" / INDEX).is_file()


# ---- folders on disk -------------------------------------------------------------------

def test_place_folder_finds_a_folder_by_its_reference_without_a_manifest(tmp_path):
    (tmp_path / "REF-0001_旧单位_旧案例").mkdir()
    (tmp_path / "REF-00010_别的").mkdir()
    folder, state = place_folder(tmp_path, "REF-0001", "REF-0001_新单位_新案例", None)
    assert (state, folder.name) == ("renamed", "REF-0001_新单位_新案例")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["REF-00010_别的", "REF-0001_新单位_新案例"]
    assert place_folder(tmp_path, "REF-0002", "REF-0002_x_y", None)[1] == "created"
    assert place_folder(tmp_path, "REF-0002", "REF-0002_x_y", None)[1] == "existing"


class NoOffice:
    """A converter on a machine where LibreOffice is gone and the cache was emptied."""

    def convert(self, data: bytes, fmt: str) -> Converted:
        return Converted(error="服务器未安装LibreOffice")


def test_a_legacy_file_that_cannot_be_converted_now_is_kept_as_it_came(tmp_path):
    legacy = Document(name="申报表.wps", kind="form", format="doc", size=3, sha256="x",
                      converted=True)
    (named,) = document_names([legacy], "案例报告")
    report = MaterialsReport(tmp_path)
    assert document_files(named, b"ole", NoOffice(), report, "REF-0001") == {"申报表.wps": b"ole"}
    assert report.notes == ["REF-0001 申报表.wps: 未能转换为.docx（服务器未安装LibreOffice），仅保留原件"]


# ---- files that wait for a person ---------------------------------------------------------

def test_a_stored_name_hiding_an_executable_suffix_is_set_aside_without_its_override(tmp_path):
    """GIVEN a database written before names were cleaned, holding a photo recorded as a proof
    named 营业执照<U+202E>gpj.exe WHEN exported THEN it waits in 待人工检查 under a name without
    the override, and the index says why."""
    import sqlite3

    workspace = workspace_in(tmp_path / "ws", samples("gpipc-park-complete"))
    run(workspace.config())
    with sqlite3.connect(workspace.config().database) as conn:
        conn.execute("update documents set kind = 'proof', name = '营业执照\u202egpj.exe' "
                     "where id = (select min(id) from documents where kind = 'photo')")
    report = export(workspace, gpipc.PARK, tmp_path / "out")
    folder = tmp_path / "out" / PARK_COMPLETE
    assert sorted(p.name for p in (folder / "待人工检查").iterdir()) == \
        ["证明材料01_营业执照gpj.jpg.quarantine"]
    assert report.quarantined == 1 and "文件名后缀.exe" in report.notes[0]
    rows = index_rows(tmp_path / "out" / INDEX, "文件")
    (row,) = [r for r in rows if r[2].startswith("待人工检查/")]
    assert row[4] == "营业执照gpj.exe" and row[7].startswith("待人工检查：文件名后缀.exe")


def test_an_executable_an_older_export_placed_is_removed_and_set_aside(tmp_path):
    """GIVEN a review folder an older intake wrote with 证明材料01_证明材料.exe in it WHEN
    exported again THEN the .exe is gone from the folder and waits in 待人工检查."""
    from tests.support.hostile_exports import hostile_review_mail

    workspace = workspace_in(tmp_path / "ws", [])
    (workspace.root / "mail" / "new" / "1.hostile.eml").write_bytes(hostile_review_mail())
    run(workspace.config())
    out = tmp_path / "out"
    export(workspace, gpipc.PARK, out)
    folder = next(out.glob("GPIPC-2024-P-0001_*"))
    held = folder / "待人工检查" / "证明材料01_证明材料.exe.quarantine"
    held.rename(folder / "证明材料01_证明材料.exe")  # as the older export left it
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    manifest["submissions"]["GPIPC-2024-P-0001"]["files"].append("证明材料01_证明材料.exe")
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    report = export(workspace, gpipc.PARK, out)
    assert not (folder / "证明材料01_证明材料.exe").exists() and held.is_file()
    assert (report.removed, report.written) == (1, 1)
