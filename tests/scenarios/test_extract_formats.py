"""`intake extract` over every format applicants send, through isolation and real LibreOffice.

The same filled-in park form is saved by LibreOffice as .doc, .wps, RTF, Word 2003 XML, HTML
and PDF: each must give the fields the .docx gives.
"""
from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from pipeline.app.extract import extract_file
from pipeline.config.settings import parse_config
from pipeline.demo.samples import build_form, scan_pdf
from tests.support.office import office_convert

PARK = "gpipc-park-2024"
VALUES = {"unit_name": "示例经济技术开发区管理委员会", "contact_name": "王晓明",
          "contact_phone": "138 0000 0001", "contact_email": "wang@example.cn",
          "category": "绿色投资环境创新", "case_name": "绿色金融服务平台",
          "summary": "园区建成绿色金融服务平台，服务企业一百余家。", "fill_date": "2024年4月1日"}


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return parse_config({}, tmp_path_factory.mktemp("formats"))


@pytest.fixture(scope="module")
def form() -> bytes:
    return build_form(PARK, VALUES)


def extract(config, tmp_path, name: str, data: bytes, campaign: str | None = None) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return extract_file(path, config, campaign)


def _assert_park_fields(result: dict) -> None:
    assert (result["kind"], result["campaign"]) == ("form", PARK), result.get("error")
    fields = result["fields"]
    assert fields["unit_name"] == VALUES["unit_name"]
    assert fields["case_name"] == VALUES["case_name"]
    assert list(fields["category"]) == ["绿色投资环境创新"]
    assert fields["contact_phone"] == "13800000001"
    assert fields["summary"] == "园区建成绿色金融服务平台,服务企业一百余家。"  # NFKC, as from .docx


@pytest.mark.parametrize("target, name, fmt", [
    ("doc", "申报表.doc", "doc"),
    ("doc", "申报表.wps", "doc"),  # Kingsoft .wps files are Word binary files
    ("rtf", "申报表.rtf", "rtf"),
    ("xml:MS Word 2003 XML", "申报表.doc", "wordml"),
    ("html:HTML (StarWriter)", "申报表.doc", "html"),
])
def test_legacy_word_is_converted_and_read_like_the_docx(config, tmp_path, form, target, name, fmt):
    legacy = office_convert(form, ".docx", target)
    result = extract(config, tmp_path, name, legacy)
    assert (result["format"], result.get("converted")) == (fmt, True)
    _assert_park_fields(result)
    assert result["fields"] == extract(config, tmp_path, "申报表.docx", form)["fields"]


def test_a_word_exported_pdf_form_is_read_from_its_tables(config, tmp_path, form):
    result = extract(config, tmp_path, "申报表.pdf", office_convert(form, ".docx", "pdf"))
    _assert_park_fields(result)
    assert result["format"] == "pdf" and result["pages"] >= 1
    assert result["seal"] is True  # the red seal pasted into the form shows on the page


def test_a_word_exported_pdf_without_a_seal_says_false(config, tmp_path):
    unsealed = build_form(PARK, VALUES, seal=False)
    result = extract(config, tmp_path, "申报表.pdf", office_convert(unsealed, ".docx", "pdf"))
    assert result["kind"] == "form" and result["seal"] is False


@pytest.mark.parametrize("seal, expected", [(True, True), (False, False)])
def test_a_scanned_form_is_a_form_scan_with_seal_evidence(config, tmp_path, seal, expected):
    result = extract(config, tmp_path, "申报表盖章扫描件.pdf", scan_pdf(seal=seal, seed=3))
    assert (result["kind"], result["pages"], result["seal"]) == ("form_scan", 1, expected)


def test_a_grey_scale_scan_cannot_tell(config, tmp_path):
    result = extract(config, tmp_path, "申报表扫描件.pdf", _grey(scan_pdf(seal=True, seed=4)))
    assert (result["kind"], result["seal"]) == ("form_scan", None)


def test_a_photo_of_the_sealed_form(config, tmp_path):
    page = _first_page_jpeg(scan_pdf(seal=True, seed=5))
    result = extract(config, tmp_path, "申报表盖章页.jpg", page)
    assert (result["kind"], result["seal"]) == ("form_scan", True)


def test_a_video_gives_duration_and_size(config, tmp_path):
    result = extract(config, tmp_path, "宣传视频.mp4", _video(seconds=3, size="320x240"))
    assert (result["kind"], result["width"], result["height"]) == ("video", 320, 240)
    assert result["duration"] == pytest.approx(3.0, abs=0.2)


def test_a_photo_gives_a_perceptual_hash(config, tmp_path):
    page = _first_page_jpeg(scan_pdf(seal=False, seed=6))
    result = extract(config, tmp_path, "现场照片.jpg", page)
    assert result["kind"] == "photo" and len(result["phash"]) == 16


def test_an_encrypted_office_file_is_unreadable_with_the_reason(config, tmp_path):
    result = extract(config, tmp_path, "申报表.docx", _encrypted_docx())
    assert "加密" in result["error"]


# ---- fixtures made here ----------------------------------------------------------------

def _pages(pdf: bytes) -> Image.Image:
    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return document.pages[0].to_image(resolution=100).original.convert("RGB")


def _first_page_jpeg(pdf: bytes) -> bytes:
    out = io.BytesIO()
    _pages(pdf).save(out, format="JPEG", quality=85)
    return out.getvalue()


def _grey(pdf: bytes) -> bytes:
    out = io.BytesIO()
    _pages(pdf).convert("L").save(out, format="PDF", resolution=100)
    return out.getvalue()


def _video(seconds: int, size: str) -> bytes:
    if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode:
        pytest.skip("ffmpeg is not installed; `make test` installs it")
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size={size}:rate=10", "-pix_fmt", "yuv420p",
         "-movflags", "frag_keyframe+empty_moov", "-f", "mp4", "pipe:1"],
        capture_output=True, check=True, timeout=60)
    return result.stdout


def _encrypted_docx() -> bytes:
    """What Word writes for a password-protected .docx: an OLE2 file with EncryptedPackage."""
    from tests.support.cfb import compound_file
    return compound_file({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x00" * 60,
                          "EncryptedPackage": b"\x00" * 4096})

