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
