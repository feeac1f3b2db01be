"""Names in the review folder: clean document names, numbering, converted originals, folders."""
from __future__ import annotations

from parsers.model import Document
from pipeline.exports.reviewnames import document_names, folder_name


def doc(name: str, kind: str, fmt: str = "jpeg", **values) -> Document:
    return Document(name=name, kind=kind, format=fmt, size=1, sha256=f"sha-{name}", **values)


def test_document_names_number_repeated_kinds_and_keep_what_proofs_are():
    docs = [doc("p2.JPG", "photo"), doc("表.doc", "form", "doc", converted=True),
            doc("材料.zip", "archive", "zip"), doc("材料/营业执照.pdf", "proof", "pdf"),
            doc("report.docx", "writeup", "docx"), doc("扫描件", "form_scan", "pdf"),
            doc("p1.jpg", "photo"), doc("坏.zip", "archive", "zip", error="损坏")]
    names = [(n.name, n.original) for n in document_names(docs, "案例编辑模板")]
    assert names == [("申报表.docx", "申报表（原件）.doc"), ("申报表盖章扫描件.pdf", None),
                     ("案例编辑模板.docx", None), ("照片01.jpg", None), ("照片02.jpg", None),
                     ("证明材料01_营业执照.pdf", None), ("压缩包01_坏.zip", None)]


def test_two_forms_are_numbered():
    names = [n.name for n in document_names([doc("a.docx", "form", "docx"),
                                             doc("a.pdf", "form", "pdf")], "案例报告")]
    assert names == ["申报表01.docx", "申报表02.pdf"]


def test_folder_name_cuts_long_parts_and_cleans_them():
    name = folder_name("REF-0001", "单" * 40, "案:" * 40)
    assert name.startswith("REF-0001_") and len(name) <= 9 + 1 + 60 + 1
    assert ":" not in name and "：" in name
    assert folder_name("REF-0002", "", " ") == "REF-0002_未知单位_未知案例"


def test_suffixes_come_from_the_format_and_names_hide_nothing():
    """GIVEN an executable named as a photo behind a right-to-left override, a PDF named .exe,
    and a PNG named .jpg WHEN named THEN no name keeps the override, the PDF is a .pdf, the PNG
    a .png, and the executable keeps its claim with the reason it waits for a person."""
    docs = [doc("照片\u202egpj.exe", "photo", "unknown"), doc("证明\u202efdp.exe", "proof", "pdf"),
            doc("现场.jpg", "photo", "png"), doc("营业执照.jpg", "proof", "unknown")]
    named = {n.document.name: n for n in document_names(docs, "案例报告")}
    assert [(n.name, bool(n.reason)) for n in named.values()] == [
        ("照片01.exe", True), ("照片02.png", False), ("证明材料01_证明fdp.pdf", True),
        ("证明材料02_营业执照.jpg", True)]
    assert "无法识别" in named["营业执照.jpg"].reason
    assert "文件名后缀.exe" in named["证明\u202efdp.exe"].reason
    assert not any("\u202e" in n.name for n in named.values())


def test_a_converted_original_of_a_format_not_allowed_waits_and_its_docx_does_not():
    (named,) = document_names([doc("申报表.doc", "form", "html", converted=True)], "案例报告")
    assert (named.name, named.original) == ("申报表.docx", "申报表（原件）.doc")
    assert "网页" in named.reason
