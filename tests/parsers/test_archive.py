"""ZIP names decoded as Chinese Windows tools write them; hostile archives refused."""
from __future__ import annotations

import io
import zipfile

import pytest

from parsers.archive import expand_zip
from pipeline.errors import UnreadableDocument


class GbkInfo(zipfile.ZipInfo):
    """Writes the name as GBK bytes without the UTF-8 flag, as Chinese Windows tools do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(GbkInfo(name), b"data")
    return buffer.getvalue()


def test_gbk_names_without_the_utf8_flag():
    members = expand_zip(gbk_zip(["浙江省推荐材料/浙江省示例推荐表.docx", "照片（车棚）.jpg"]))
    assert [m.name for m in members] == ["浙江省示例推荐表.docx", "照片（车棚）.jpg"]
    assert members[0].path == "浙江省推荐材料/浙江省示例推荐表.docx"


def test_utf8_names_with_the_flag():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("推荐表.docx", b"x")
    assert [m.name for m in expand_zip(buffer.getvalue())] == ["推荐表.docx"]


def test_traversal_names_keep_only_the_base_name():
    members = expand_zip(gbk_zip(["../../etc/evil.txt"]))
    assert [m.name for m in members] == ["evil.txt"]


def test_a_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * 5_000_000)
    with pytest.raises(UnreadableDocument, match="压缩"):
        expand_zip(buffer.getvalue())


def test_a_corrupt_zip():
    with pytest.raises(UnreadableDocument):
        expand_zip(b"PK\x03\x04 broken")
