"""Planning and reading files: archives under one budget, legacy Word through a converter."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import docx

from parsers.members import TOO_BIG, TOO_MANY
from parsers.reading import InlineReader, RawFile, expand_all, expand_one, legacy_files, plan
from pipeline.demo.samples import zip_bytes
from tests.support import hostile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _Result:
    docx: bytes | None = None
    error: str | None = None


class _FakeConverter:
    """Our Converter protocol: every input becomes the same .docx; calls are recorded."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def convert_many(self, items):
        self.batches.append(len(items))
        return {hashlib.sha256(data).hexdigest(): _Result(_docx("转换后的申报表"))
                for data, _ in items}


def test_a_bomb_inside_a_harmless_zip_makes_the_attachment_unreadable():
    chunk = bytes(16 << 20)
    bomb = hostile.stored_zip([("zeros.bin", hostile._deflate_repeated(chunk, 32), 512 << 20,
                                hostile._crc_repeated(chunk, 32))])
    files = expand_one(RawFile("材料.zip", zip_bytes({"照片.jpg": b"x", "内层.zip": bomb})))
    assert [(f.name, bool(f.error)) for f in files] == [("材料.zip", True)]
    assert "压缩" in files[0].error


def test_members_keep_their_container_and_depth():
    inner = zip_bytes({"表.docx": b"form"})
    files = expand_one(RawFile("材料.zip", zip_bytes({"照片.jpg": b"x", "内层.zip": inner})))
    assert [(f.name, f.container, f.depth) for f in files] == [
        ("材料.zip", None, 0), ("照片.jpg", "材料.zip", 1), ("内层.zip", "材料.zip", 1),
        ("表.docx", "内层.zip", 2)]


def test_legacy_files_are_converted_in_one_batch_and_read_as_word():
    converter = _FakeConverter()
    files = [RawFile("申报表.doc", OLE2 + b"\x00" * 600), RawFile("说明.rtf", b"{\\rtf1 x}"),
             RawFile("照片.jpg", b"\xff\xd8\xff" + b"\x00" * 10)]
    assert len(legacy_files(files)) == 2
    items = InlineReader(converter).read(files)
    assert converter.batches == [2]
    assert [(i.format, i.converted, i.content.word is not None) for i in items[:2]] == [
        ("ole2", True, True), ("rtf", True, True)]


def test_without_a_converter_a_legacy_file_asks_for_docx():
    item = InlineReader().read([RawFile("申报表.doc", OLE2 + b"\x00" * 600)])[0]
    assert "另存为.docx" in item.content.error


def test_html_counts_as_word_only_under_a_word_name():
    page = b"<html><body><table><tr><td>a</td></tr></table></body></html>"
    jobs = plan([RawFile("申报表.doc", page), RawFile("说明.html", page)], _FakeConverter())
    assert [job.data is page for job in jobs] == [False, True]


# ---- one budget per message (issue 20) --------------------------------------------------

def test_the_archives_of_one_message_share_one_budget():
    zips = [RawFile(f"材料{i}.zip", hostile.zip_of_zero_zips()) for i in range(10)]
    files = expand_all(zips, lean=True)
    by_name = {f.name: f for f in files if f.name.startswith("材料")}
    assert by_name["材料0.zip"].error is None
    assert all(by_name[f"材料{i}.zip"].error in (TOO_BIG, TOO_MANY) for i in range(1, 10))
    members = [f for f in files if f.container == "材料0.zip" or f.depth == 2]
    assert len(members) == 100  # 50 inner zips, each with its 4 MiB of zeros


def test_lean_members_carry_digest_and_size_and_no_bytes():
    files = expand_all([RawFile("材料.zip", zip_bytes({"照片.jpg": JPEG, "说明.txt": "文字".encode(),
                                                      "zeros.bin": bytes(4096)}))], lean=True)
    by_name = {f.name: f for f in files}
    assert by_name["照片.jpg"].data == JPEG
    assert by_name["zeros.bin"].data == b"" and by_name["zeros.bin"].size == 4096
    assert by_name["zeros.bin"].digest == hashlib.sha256(bytes(4096)).hexdigest()
    assert by_name["说明.txt"].data == b"" and by_name["说明.txt"].sniffed == "text"
    (job,) = [j for j in plan(files, None) if j.file.name == "zeros.bin"]
    assert job.format == "unknown" and job.sha256 == by_name["zeros.bin"].digest
