"""Hostile files through the whole pipeline to the review folder and the 汇总表: nothing reaches
an expert's Windows machine under a trusted name. Executables, an HTML application, a shortcut,
a macro-enabled .docm and bidi-disguised names wait in 待人工检查 as `.quarantine`, listed in
the index with why; every placed file's suffix is one its sniffed format may carry."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from parsers.sniff import sniff
from pipeline.app.runner import run
from pipeline.demo.samples import catalogue
from pipeline.exports.materials import INDEX
from pipeline.exports.screening import ALLOWED, QUARANTINE_DIR, QUARANTINE_SUFFIX
from pipeline.store.raw import RawStore
from tests.support.hostile_exports import RLO, hostile_review_mail
from tests.support.workspace import Workspace, make_workspace

PARK = "gpipc-park-2024"
HOSTILE = ("证明材料.exe", "证明材料.hta", "证明材料.lnk", "证明材料.docm", "照片gpj.exe", "营业执照.jpg",
           "证明材料fdp.scr")
# What the applicant's case itself is: the form, the write-up and three photos.
PLACED = {"申报表01.docx", "案例编辑模板.docx", "照片01.jpg", "照片02.jpg", "照片03.jpg"}


def hidden(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cf", "Cc", "Cs")}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Workspace, Path]:
    """GIVEN a complete park case whose mail also carries executables, a script, a shortcut, a
    .docm and names disguised with U+202E, then an innocent mail WHEN `intake run` and then
    `intake export materials` and `intake export xlsx` run THEN the state is kept here."""
    root = tmp_path_factory.mktemp("hostile-exports")
    innocent = [s for s in catalogue() if s.key == "gpipc-park-deficient"]
    workspace = make_workspace(root, [])
    (root / "mail" / "new" / "1.hostile.eml").write_bytes(hostile_review_mail())
    run(workspace.config())
    for sample in innocent:
        (root / "mail" / "new" / f"2.{sample.key}.eml").write_bytes(sample.build())
    run(workspace.config())
    for args in (("export", "materials", "--campaign", PARK, "-o", str(root / "review")),
                 ("export", "xlsx", "-o", str(root / "summary.xlsx"))):
        result = workspace.intake(*args)
        assert result.returncode == 0, result.stderr
    return workspace, root


def folder_of(root: Path, reference: str) -> Path:
    (folder,) = (root / "review").glob(f"{reference}_*")
    return folder


def test_the_mail_is_kept_decided_once_and_the_next_mail_is_processed(exported):
    workspace, _ = exported
    messages = workspace.query("select sha256, status, verdict from messages order by id")
    assert [(m["status"], m["verdict"]) for m in messages] == [("done", "complete"),
                                                                ("done", "deficient")]
    store = RawStore(workspace.config().raw)
    assert all(store.path_for(m["sha256"]).is_file() for m in messages)
    assert [v["n"] for v in workspace.query(
        "select count(*) as n from versions group by message_row order by message_row")] == [1, 1]


def test_only_the_case_itself_is_placed_and_every_suffix_is_its_formats(exported):
    _, root = exported
    folder = folder_of(root, "GPIPC-2024-P-0001")
    assert {p.name for p in folder.iterdir() if p.is_file()} == PLACED
    for path in folder.iterdir():
        if path.is_file():
            assert path.suffix in ALLOWED[sniff(path.read_bytes())], path.name


def test_every_hostile_file_waits_in_the_quarantine_under_a_name_nothing_opens(exported):
    _, root = exported
    held = sorted((folder_of(root, "GPIPC-2024-P-0001") / QUARANTINE_DIR).iterdir())
    assert len(held) == len(HOSTILE)
    assert all(p.name.endswith(QUARANTINE_SUFFIX) for p in held)
    assert {p.name for p in held} >= {"证明材料01_证明材料.exe.quarantine",
                                      "证明材料02_证明材料.hta.quarantine",
                                      "证明材料03_证明材料.lnk.quarantine",
                                      "其他材料01_照片gpj.exe.quarantine"}


def test_no_exported_name_hides_anything(exported):
    _, root = exported
    names = [p.name for p in (root / "review").rglob("*")]
    assert names and not any(hidden(n) for n in names)
    assert not any(RLO in n for n in names)


def test_the_index_lists_each_file_set_aside_with_why(exported):
    _, root = exported
    book = openpyxl.load_workbook(root / "review" / INDEX)
    rows = list(book["文件"].iter_rows(values_only=True))[1:]
    held = {r[4]: r[7] for r in rows if r[2].startswith(f"{QUARANTINE_DIR}/")}
    assert set(held) == set(HOSTILE)
    assert all(note.startswith("待人工检查：") for note in held.values())
    assert "含宏" in held["证明材料.docm"] and "网页" in held["证明材料.hta"]
    cases = {r[0]: r for r in list(book["案例"].iter_rows(values_only=True))[1:]}
    assert cases["GPIPC-2024-P-0001"][6:] == (len(PLACED), 0, len(HOSTILE))
    every_cell = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                  for c in row if c is not None]
    assert not any(hidden(c) - {"\n", "\t"} for c in every_cell)


def test_the_summary_workbook_hides_nothing_either(exported):
    _, root = exported
    book = openpyxl.load_workbook(io.BytesIO((root / "summary.xlsx").read_bytes()))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None]
    assert any("GPIPC-2024-P-0001" in c for c in cells)
    assert not any(hidden(c) - {"\n", "\t"} for c in cells)


def test_a_second_export_changes_nothing(exported):
    workspace, root = exported
    before = {p: p.stat().st_mtime_ns for p in (root / "review").rglob("*") if p.is_file()}
    result = workspace.intake("export", "materials", "--campaign", PARK, "-o", str(root / "review"))
    assert result.returncode == 0, result.stderr
    assert f"{len(HOSTILE)} set aside in {QUARANTINE_DIR}" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in (root / "review").rglob("*") if p.is_file()} == before
