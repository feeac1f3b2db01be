"""Hostile attachments end as attachment_unreadable within the limits; the run goes on."""
from __future__ import annotations

import json
import os
import time

import pytest

from pipeline.samples import build_form, filler, mail
from pipeline.samples.catalogue import Sample
from pipeline.samples.mime import at
from tests import hostile
from tests.pipeline.workspace import CONFIG, make_workspace

LIMITS = '''
[documents]
memory_mb = 256
cpu_seconds = 5
wall_seconds = 20
'''
PARK = "gpipc-park-2024"
UNIT = "示例高新技术产业开发区管理委员会"
HOSTILE = {
    "材料（压缩炸弹）.zip": hostile.zip_bomb_nested,
    "材料（路径穿越）.zip": hostile.zip_traversal,
    "附件2-案例编辑模板.docx": hostile.docx_gigabytes,
    "检测报告.pdf": hostile.pdf_endless,
    "现场照片（超大）.png": hostile.png_bomb,
}


def _submission(key: str, extra: list[tuple[str, bytes]]) -> Sample:
    form = build_form(PARK, {"unit_name": UNIT, "contact_name": "李示例",
                             "contact_phone": "13900000002", "contact_email": "li@example.cn",
                             "category": "绿色产业发展创新", "case_name": "再生资源循环利用示范",
                             "summary": filler(150, key), "fill_date": "2024年4月2日"})
    data = mail(f"【{UNIT}】绿盟案例征集", f"李示例 <li-{key}@example.cn>", "请查收申报材料。",
                [("附件1-案例征集申报表.docx", form), *extra], date=at(2024, 4, 2, 9, 0),
                message_id=f"hostile-{key}@example.cn")
    return Sample(key=key, campaign=PARK, verdict="deficient", findings=set(),
                  description="hostile attachments", build=lambda: data)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    files = [(name, make()) for name, make in HOSTILE.items()]
    root = tmp_path_factory.mktemp("hostile")
    space = make_workspace(root, [_submission("a", files), _submission("b", [])])
    space.config_path.write_text(CONFIG + LIMITS, encoding="utf-8")
    started = time.monotonic()
    result = space.intake("run")
    space.elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    return space


def test_every_hostile_file_is_an_unreadable_attachment(workspace):
    rows = workspace.query("select f.field, f.message from findings f join messages m "
                           "on f.message_row = m.id where m.message_id like '%hostile-a%' "
                           "and f.rule = 'attachment_unreadable'")
    reasons = {row["field"]: row["message"] for row in rows}
    assert set(HOSTILE) <= set(reasons), reasons
    assert "超过2层" in reasons["材料（压缩炸弹）.zip"]
    assert "路径异常" in reasons["材料（路径穿越）.zip"]
    assert "内存限制" in reasons["附件2-案例编辑模板.docx"]
    assert "限制" in reasons["检测报告.pdf"]  # memory or CPU, whichever the machine hits first
    assert "像素过大" in reasons["现场照片（超大）.png"]


def test_the_submission_is_still_checked_and_the_next_one_processed(workspace):
    rows = workspace.query("select status, verdict from messages order by id")
    # b has no write-up or photos: deficient too, but read and answered like any other.
    assert [(r["status"], r["verdict"]) for r in rows] == [("done", "deficient")] * 2
    forms = workspace.query("select value from fields where key = 'unit_name'")
    assert [json.loads(row["value"]) for row in forms] == [UNIT, UNIT]


def test_limits_hold_the_whole_run_to_minutes(workspace):
    # Five hostile files, each stopped by a limit of at most 20 s wall and 5 s CPU.
    assert workspace.elapsed < 5 * 20 + 60


def test_traversal_names_wrote_nothing_outside(workspace):
    for path in ("/etc/cron.d/evil", "/evil.txt"):
        assert not os.path.exists(path)
    stray = [p for p in workspace.root.rglob("*") if "evil" in p.name]
    assert stray == []
