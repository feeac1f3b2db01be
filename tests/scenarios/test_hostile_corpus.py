"""The hostile-mail corpus (issue 20), each mail run through `intake run` in its own
interpreter before an innocent one: per case the decision, wall time and peak memory are
printed, and every case keeps its raw mail, gets one decision, stays within 15 s and 1 GiB,
and leaves the next mail to be answered as usual."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.hostile_mail_probe import CASES

# What each case must end as: (verdict, a phrase of its finding).
EXPECTED = {
    "ten-zips-of-zero-zips": ("deficient", "每封邮件的压缩包解压后合计上限"),
    "32000-header-lines": ("not_submission", "邮件头过大"),
    "8000-header-lines": ("not_submission", "邮件头字段过多"),
    "four-million-page-pdfs": ("complete", None),
    "zip-of-199-million-page-pdfs": ("complete", None),
    "three-zips-of-199-files": ("deficient", "每封邮件的压缩包合计上限200个文件"),
    "html-doc-linking-remote-files": ("deficient", "未收到案例报告"),
    "forged-subject-with-a-lure": ("complete", "邮件主题中的单位"),
    "markup-and-escapes-in-headers": ("complete", None),
    "executables-under-trusted-names": ("complete", None),
}
SECONDS, MEMORY_MIB = 15, 1024


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("hostile-corpus")
    found = {}
    for case in CASES:
        done = subprocess.run([sys.executable, "-m", "tests.support.hostile_mail_probe",
                               str(root), case], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        found[case] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{'case':32} {'decision':16} {'seconds':>8} {'main MiB':>9} {'child MiB':>10}")
    for case, report in found.items():
        print(f"{case:32} {report['verdict']:16} {report['seconds']:8.2f} "
              f"{report['rss_main_mib']:9} {report['rss_child_mib']:10}")
    return found


def test_every_case_is_in_the_table():
    assert set(EXPECTED) == set(CASES)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_hostile_mail_is_decided_within_its_budgets(reports, case):
    report = reports[case]
    verdict, phrase = EXPECTED[case]
    assert report["raw_kept"] and report["status"] == "done"
    assert report["verdict"] == verdict
    if phrase:
        assert any(phrase in finding for finding in report["findings"]), report["findings"]
    assert report["seconds"] <= SECONDS
    assert max(report["rss_main_mib"], report["rss_child_mib"]) <= MEMORY_MIB


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_innocent_mail_after_it_is_answered_as_usual(reports, case):
    assert reports[case]["messages"] == 2 and reports[case]["innocent"] == "complete"
