"""What the review folder hands on: suffixes from the sniffed format on an allow-list; executables,
scripts, shortcuts, macro-enabled Word files and names claiming another kind of file wait for a
person in 待人工检查."""
from __future__ import annotations

import pytest

from parsers.sniff import sniff
from pipeline.demo.samples import build_form, photo, proof_pdf, zip_bytes
from pipeline.exports.screening import (ALLOWED, QUARANTINE_DIR, claimed_suffix, content_reason,
                                        export_suffix, name_reason, quarantine_path)
from tests.support.cfb import compound_file
from tests.support.hostile_exports import docm_from, hta_page, shortcut_lnk, windows_exe

FORM = build_form("gpipc-park-2024", {"unit_name": "示例单位", "case_name": "示例案例"})
WORD97 = compound_file({"WordDocument": b"\xec\xa5" + b"\x00" * 1024})


@pytest.mark.parametrize("name, fmt, suffix", [
    ("照片.JPG", "jpeg", ".jpg"), ("照片.jpeg", "jpeg", ".jpeg"), ("照片", "jpeg", ".jpg"),
    ("照片.png", "jpeg", ".jpg"),  # a PNG-named JPEG is written as what it is
    ("申报表.wps", "doc", ".wps"), ("申报表.doc", "docx", ".docx"), ("表.doc", "rtf", ".rtf"),
    ("营业执照.jpg", "unknown", ".jpg"),  # not allowed: the claim is kept for the quarantine
    ("报告2024.1", "pdf", ".pdf"), ("证明.exe", "pdf", ".pdf"),
])
def test_the_suffix_follows_the_format(name, fmt, suffix):
    assert export_suffix(name, fmt) == suffix


def test_a_digits_only_suffix_claims_nothing():
    assert (claimed_suffix("报告2024.1"), claimed_suffix("a.exe"), claimed_suffix("无")) == \
        ("", ".exe", "")


@pytest.mark.parametrize("name, fmt", [
    ("申报表.docx", "docx"), ("申报表.doc", "docx"), ("申报表.wps", "doc"), ("照片.png", "jpeg"),
    ("扫描件", "pdf"), ("视频.MOV", "mp4"), ("材料.rar", "rar"), ("报告2024.1", "pdf"),
])
def test_what_may_be_placed(name, fmt):
    assert name_reason(name, fmt) == ""


@pytest.mark.parametrize("name, fmt, words", [
    ("证明材料.exe", "unknown", "无法识别的内容"),
    ("证明材料.hta", "html", "网页"),
    ("证明材料.lnk", "unknown", "无法识别的内容"),
    ("run.bat", "text", "纯文本"),
    ("表.xlsx", "xlsx", "Excel"),
    ("证明.exe", "pdf", "文件名后缀.exe"),  # a PDF under an executable's name
    ("营业执照.pdf", "zip", "文件名后缀.pdf"),  # another family: a person decides
    ("申报表.docm", "docx", "文件名后缀.docm"),
])
def test_what_waits_for_a_person(name, fmt, words):
    assert words in name_reason(name, fmt)


def test_the_allow_list_is_word_pdf_images_videos_and_archives():
    assert set(ALLOWED) == {"docx", "doc", "rtf", "pdf", "jpeg", "png", "gif", "bmp", "tiff",
                            "heic", "webp", "mp4", "mov", "avi", "zip", "rar", "7z"}


@pytest.mark.parametrize("data", [FORM, WORD97, proof_pdf("营业执照"), photo(20_000, "s"),
                                  zip_bytes({"a.txt": b"x"})])
def test_ordinary_files_pass_their_content_check(data):
    assert content_reason(data, sniff(data)) == ""


def test_a_docm_is_caught_by_its_bytes_whatever_its_name():
    docm = docm_from(FORM)
    assert sniff(docm) == "docx"  # sniff cannot tell; the export must
    assert "含宏" in content_reason(docm, "docx")


def test_a_word97_file_with_a_vba_project_is_caught():
    with_macros = compound_file({"WordDocument": b"\xec\xa5" + b"\x00" * 1024,
                                 "Macros/VBA/dir": b"\x01\x00"})
    assert sniff(with_macros) == "doc" and "含宏" in content_reason(with_macros, "doc")


@pytest.mark.parametrize("data", [windows_exe(), hta_page(), shortcut_lnk()])
def test_bytes_that_are_not_the_recorded_format_wait(data):
    assert "不符" in content_reason(data, "jpeg")


def test_the_quarantine_path_adds_a_suffix_nothing_opens():
    assert quarantine_path("证明材料01_证明材料.exe") == \
        f"{QUARANTINE_DIR}/证明材料01_证明材料.exe.quarantine"
