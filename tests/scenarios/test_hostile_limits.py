"""Each hostile file of issue 9, alone through the worker's isolated reader: refused with its
reason, in time, in bounded memory, writing nothing (tests/support/hostile_probe.py measures)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hostile_probe import CASES, QUICK

ROOT = Path(__file__).resolve().parents[2]
MEMORY_MIB = 512

ZIP = {  # case → what the reason says
    "zip-nested-bomb": "超过2层",
    "zip-of-bombs": "压缩炸弹",
    "zip-overlap-same-header": "重叠",
    "zip-overlap-quoted": "重叠",
    "zip-one-gigabyte-member": "过大",
    "zip-100000-members": "文件过多",
    "zip-dotdot": "路径异常",
    "zip-dotdot-backslash": "路径异常",
    "zip-absolute": "路径异常",
    "zip-drive-letter": "路径异常",
    "zip-symlink": "链接文件",
    "zip-encrypted": "已加密",
    "zip-lying-header": "与记录不符",
}
DOCX = {
    "docx-gigabytes": "过大",
    "docx-empty-paragraphs": "压缩炸弹",
    "docx-xxe": "DTD",
    "docx-billion-laughs": "DTD",
    "docx-deep": "嵌套过深",
}
PDF = {  # a loop is stopped by the CPU limit, a runaway stream by the memory limit
    "pdf-endless": "限制",
    "pdf-reference-loop": "CPU时间限制",
    "pdf-deep-nesting": "嵌套过深",
}
IMAGES = {
    "png-10-gigapixels": "像素过大",
    "bmp-10-gigapixels": "像素过大",
    "tiff-10-gigapixels": "像素过大",
    "jpeg-largest-header": "像素过大",
    "jpeg-truncated": "不完整",
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    """Every case run once, in order, in a fresh interpreter (about 10 s in all)."""
    root = tmp_path_factory.mktemp("hostile-limits")
    done = subprocess.run([sys.executable, "-m", "tests.support.hostile_probe", str(root),
                           *CASES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    for report in reports:  # pytest -s shows the numbers the README quotes
        print(f"{report['case']:26} {report['seconds']:6.2f} s {report['rss_mib']:5.0f} MiB "
              f"{report['errors']}")
    return {report["case"]: report for report in reports}


def test_every_case_of_the_issue_is_measured():
    assert set(ZIP) | set(DOCX) | set(PDF) | set(IMAGES) == set(CASES)


def _refused(report: dict, reason: str) -> None:
    """One file, unreadable with `reason`; the parser children stayed under the memory limit;
    nothing appeared in the work folder, its TMPDIR, or beside it."""
    assert [error is not None and reason in error for error in report["errors"]] == [True]
    assert report["rss_mib"] < MEMORY_MIB
    assert report["written"] == []


@pytest.mark.parametrize("case", ZIP)
def test_a_hostile_zip_is_refused_within_5_seconds(measured, case):
    """GIVEN a zip built to exhaust memory or disk, or to escape the folder it is opened in
    WHEN the worker expands and reads it THEN it is refused with why, in ≤ 5 s, the parser's
    RSS < 512 MiB, and no file is written: not in the work folder, not where the names point."""
    report = measured[case]
    _refused(report, ZIP[case])
    assert report["seconds"] <= 5


@pytest.mark.parametrize("case", DOCX)
def test_a_hostile_docx_is_refused_before_it_is_parsed(measured, case):
    report = measured[case]
    _refused(report, DOCX[case])
    assert report["seconds"] <= 5


def test_the_xxe_docx_shows_nothing_of_the_file_it_names(measured):
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()
    seen = json.dumps(measured["docx-xxe"], ensure_ascii=False)
    assert not [line for line in passwd if len(line) > 8 and line in seen]


@pytest.mark.parametrize("case", PDF)
def test_a_pdf_that_makes_pdfminer_loop_or_recurse_is_stopped_at_a_limit(measured, case):
    """GIVEN a PDF whose references form a loop (pdfminer's resolve1 never returns), one
    whose content inflates to 300 MB, or one nested 200 000 deep WHEN read in the worker THEN
    the parser is killed at the CPU or memory limit, or stops at Python's recursion limit, and
    the file's finding says so, within the wall-clock limit."""
    report = measured[case]
    _refused(report, PDF[case])
    assert report["seconds"] <= QUICK.wall_seconds


@pytest.mark.parametrize("case", IMAGES)
def test_a_hostile_image_is_refused_within_2_seconds(measured, case):
    report = measured[case]
    _refused(report, IMAGES[case])
    assert report["seconds"] <= 2
