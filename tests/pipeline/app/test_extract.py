"""`intake extract FILE --json`: one document's kind, fields, sections, pages and sizes."""
from __future__ import annotations

import json

import pytest

from pipeline.demo.samples import build_form, build_writeup, filler, photo, scan_pdf, zip_bytes
from tests.support.workspace import make_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("extract"), [])


def extract(workspace, name: str, data: bytes, *options: str) -> dict:
    path = workspace.root / name
    path.write_bytes(data)
    result = workspace.intake("extract", str(path), "--json", *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_form_gives_its_campaign_fields_and_the_marked_option(workspace):
    form = build_form("gpipc-park-2024", {
        "unit_name": "示例经济技术开发区管理委员会", "contact_name": "王晓明",
        "contact_phone": "138 0000 0001", "contact_email": "Wang@Example.CN",
        "category": "绿色投资环境创新", "case_name": "绿色金融服务平台", "summary": "简介内容",
        "fill_date": "2024年4月1日"})
    result = extract(workspace, "申报表.docx", form)
    assert (result["kind"], result["campaign"]) == ("form", "gpipc-park-2024")
    fields = result["fields"]
    assert fields["category"] == ["绿色投资环境创新"]
    assert (fields["contact_phone"], fields["contact_email"]) == ("13800000001", "wang@example.cn")
    assert fields["seal"] is True and result["seal"] is True


def test_a_writeup_gives_sections_with_their_counts(workspace):
    writeup = build_writeup("gpipc-park-2024", "向阳而行", "示例经济技术开发区绿色发展创新案例",
                            {"背景情况": filler(400, "a"), "特色经验": filler(900, "b"),
                             "未来展望": filler(350, "c")})
    result = extract(workspace, "模板.docx", writeup, "--campaign", "gpipc-park-2024")
    assert result["kind"] == "writeup" and result["subtitle"].endswith("开发区绿色发展创新案例")
    assert [(s["name"], s["chars"]) for s in result["sections"]] == [
        ("背景情况", 400), ("特色经验", 900), ("未来展望", 350)]


def test_a_photo_gives_its_sizes(workspace):
    result = extract(workspace, "照片.jpg", photo(300_000, "x"))
    assert result["kind"] == "photo" and result["format"] == "jpeg"
    assert result["width"] > 0 and result["height"] > 0 and abs(result["size"] - 300_000) < 10_000


def test_a_scan_is_a_form_scan_with_pages(workspace):
    result = extract(workspace, "推荐表盖章扫描件.pdf", scan_pdf(seal=True))
    assert (result["kind"], result["pages"]) == ("form_scan", 1)


def test_an_archive_lists_its_members(workspace):
    archive = zip_bytes({"材料/照片（车棚）.jpg": photo(50_000, "z"), "材料/说明.txt": "说明".encode()})
    result = extract(workspace, "推荐材料.zip", archive)
    assert result["kind"] == "archive"
    assert [(m["name"], m["kind"]) for m in result["members"]] == [
        ("照片（车棚）.jpg", "photo"), ("说明.txt", "other")]


def test_a_corrupt_word_file_is_reported_not_raised(workspace):
    result = extract(workspace, "申报表.docx", b"PK\x03\x04 this is not really a docx")
    assert result["kind"] == "form" and "error" in result
