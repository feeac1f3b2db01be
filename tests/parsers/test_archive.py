"""Archives expanded in memory: Chinese names in ZIP, RAR and 7z; hostile archives refused fast."""
from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import libarchive
import pytest

from parsers import archive, members
from parsers.archive import Limits, expand_archive, expand_nested, expand_zip
from parsers.errors import UnreadableDocument
from tests.support import hostile

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20


# ---- ZIP fixtures ---------------------------------------------------------------------------

class GbkInfo(zipfile.ZipInfo):
    """Writes the name as GBK bytes without the UTF-8 flag, as Chinese Windows tools do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in names:
            out.writestr(GbkInfo(name), b"data")
    return buffer.getvalue()


def zip_of(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


# ---- RAR and 7z fixtures (libarchive reads RAR but cannot write it) ----------------------

def _rar4_block(kind: int, flags: int, body: bytes) -> bytes:
    rest = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest


def _rar4_unicode(name: str) -> bytes:
    """WinRAR's name field with the Unicode flag: the ANSI name, NUL, then the UTF-16 name in
    its own packing (a high byte, then per 4 characters a flag byte 0xAA: "both bytes follow")."""
    packed = bytearray(b"\0")
    for i in range(0, len(name), 4):
        packed += b"\xaa" + name[i:i + 4].encode("utf-16-le")
    return name.encode("gbk", "replace") + b"\0" + bytes(packed)


def rar4(files: dict[str, bytes], unicode: bool = True, encrypted: bool = False,
         headers_encrypted: bool = False, links: dict[str, str] | None = None) -> bytes:
    """A RAR 4 archive of STORED (method 0x30) files, as WinRAR writes them; `links` are Unix
    symbolic links (host OS 3, S_IFLNK), whose stored data is the target."""
    blocks = [b"Rar!\x1a\x07\x00", _rar4_block(0x73, 0x80 if headers_encrypted else 0, b"\0" * 6)]
    entries = [(name, data, 2, 0x20) for name, data in files.items()]
    entries += [(name, target.encode(), 3, 0o120777) for name, target in (links or {}).items()]
    for name, data, host, attributes in entries:
        flags = 0x8000 | (0x04 if encrypted else 0)
        raw = name.encode("gbk")
        if unicode and not name.isascii():
            flags, raw = flags | 0x200, _rar4_unicode(name)
        body = struct.pack("<IIBIIBBHI", len(data), len(data), host, zlib.crc32(data),
                           0x57210000, 29, 0x30, len(raw), attributes) + raw
        blocks += [_rar4_block(0x74, flags, body), data]
    return b"".join(blocks + [_rar4_block(0x7B, 0x4000, b"")])


def _vint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _rar5_header(kind: int, fields: bytes, data_size: int | None = None, extra: bytes = b""):
    flags = (0x1 if extra else 0) | (0x2 if data_size is not None else 0)
    body = _vint(kind) + _vint(flags) + (_vint(len(extra)) if extra else b"")
    body += (_vint(data_size) if data_size is not None else b"") + fields + extra
    body = _vint(len(body)) + body
    return struct.pack("<I", zlib.crc32(body)) + body


def rar5(files: dict[str, bytes], encrypted: bool = False,
         headers_encrypted: bool = False) -> bytes:
    """A RAR 5 archive of stored files; encryption records as WinRAR writes them (the data is
    not really encrypted: only the records matter to the reader)."""
    blocks = [b"Rar!\x1a\x07\x01\x00"]
    if headers_encrypted:
        blocks.append(_rar5_header(4, _vint(0) + _vint(0) + b"\x0f" + b"\0" * 16))
    blocks.append(_rar5_header(1, _vint(0)))
    crypt = _vint(1) + _vint(0) + _vint(0) + b"\x0f" + b"\0" * 32
    for name, data in files.items():
        raw = name.encode()
        fields = (_vint(0x4) + _vint(len(data)) + _vint(0x20) + struct.pack("<I", zlib.crc32(data))
                  + _vint(0) + _vint(0) + _vint(len(raw)) + raw)
        extra = _vint(len(crypt)) + crypt if encrypted else b""
        blocks += [_rar5_header(2, fields, len(data), extra), data]
    return b"".join(blocks + [_rar5_header(5, _vint(0))])


def seven_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with libarchive.custom_writer(out.write, "7zip") as writer:
        for name, data in files.items():
            writer.add_file_from_memory(name, len(data), data)
    return out.getvalue()


def p7zip(tmp_path: Path, name: str, *options: str) -> bytes:
    """An archive made by the 7z program (p7zip-full): libarchive cannot write encrypted ones."""
    binary = shutil.which("7z")
    if binary is None:
        pytest.skip("7z (Debian package p7zip-full) is not installed: no encrypted fixtures")
    source = tmp_path / "材料"
    source.mkdir(exist_ok=True)
    (source / "申报表.txt").write_bytes("申报表".encode() * 100)
    subprocess.run([binary, "a", "-bso0", "-bsp0", *options, str(tmp_path / name), str(source)],
                   check=True, timeout=60)
    return (tmp_path / name).read_bytes()


# ---- names and folders ----------------------------------------------------------------------

def test_gbk_names_without_the_utf8_flag():
    members = expand_zip(gbk_zip(["浙江省推荐材料/浙江省示例推荐表.docx", "照片（车棚）.jpg"]))
    assert [m.name for m in members] == ["浙江省示例推荐表.docx", "照片（车棚）.jpg"]
    assert members[0].path == "浙江省推荐材料/浙江省示例推荐表.docx"


def test_utf8_names_with_the_flag():
    assert [m.name for m in expand_zip(zip_of({"推荐表.docx": b"x"}))] == ["推荐表.docx"]


FILES = {"推荐材料/推荐表.docx": b"form", "推荐材料/照片/现场照片（车棚）.jpg": b"\xff\xd8\xff" * 50}


@pytest.mark.parametrize("fmt, build", [
    ("zip", lambda: zip_of(FILES)),
    ("rar", lambda: rar4(FILES)),
    ("rar", lambda: rar4(FILES, unicode=False)),  # old WinRAR: GBK bytes, no Unicode flag
    ("rar", lambda: rar5(FILES)),
    ("7z", lambda: seven_zip(FILES)),
], ids=["zip", "rar4-unicode", "rar4-gbk", "rar5", "7z"])
def test_every_format_gives_files_with_chinese_names_and_folders_flattened(fmt, build):
    members = expand_archive(build(), fmt)
    assert [(m.name, m.path, m.data) for m in members] == [
        ("推荐表.docx", "推荐材料/推荐表.docx", b"form"),
        ("现场照片（车棚）.jpg", "推荐材料/照片/现场照片（车棚）.jpg", b"\xff\xd8\xff" * 50)]


@pytest.mark.parametrize("name", ["../../etc/evil.txt", "/etc/x", "C:\\Windows\\evil.bat",
                                  "..\\..\\evil2.txt", "D:drive.txt", "..", "材料/../../x.txt"])
def test_names_that_would_escape_a_folder_refuse_the_archive(name):
    """GIVEN a member named to climb out of a folder, from a root or a drive
    WHEN expanded THEN the archive is refused: no honest tool writes such names."""
    with pytest.raises(UnreadableDocument, match="路径异常"):
        expand_zip(gbk_zip(["材料/申报表.docx", name]))


def test_odd_but_harmless_names_are_cleaned_for_display():
    members = expand_zip(gbk_zip(["材料/./b\x07.txt", "材料/..备份/c.txt"]))
    assert [(m.name, m.path) for m in members] == [("b.txt", "材料/./b.txt"),
                                                   ("c.txt", "材料/..备份/c.txt")]


def test_a_symbolic_link_refuses_the_archive():
    link = zipfile.ZipInfo("passwd")
    link.external_attr = 0o120777 << 16  # a Unix symbolic link: the "data" is its target
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(link, "/etc/passwd")
        out.writestr("材料/表.docx", b"form")
    with pytest.raises(UnreadableDocument, match="链接"):
        expand_zip(buffer.getvalue())


def test_folders_and_system_junk_are_left_out():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("材料/", b"")
        for name in ("__MACOSX/材料/._表.docx", "材料/.DS_Store", "材料/Thumbs.db"):
            out.writestr(name, b"junk")
        out.writestr("材料/表.docx", b"form")
    assert [m.name for m in expand_zip(buffer.getvalue())] == ["表.docx"]


def test_a_rar_symlink_refuses_the_archive():
    data = rar4({"表.docx": b"form"}, links={"passwd": "/etc/passwd"})
    with pytest.raises(UnreadableDocument, match="链接"):
        expand_archive(data, "rar")


# ---- damaged and encrypted --------------------------------------------------------------

@pytest.mark.parametrize("data, fmt", [
    (b"PK\x03\x04 broken", "zip"),
    (zip_of({"a.txt": b"x" * 1000})[:-30], "zip"),
    (rar4({"a.txt": b"hello"})[:30], "rar"),
    (seven_zip({"a.txt": b"hello" * 100})[:40], "7z"),
], ids=["zip-garbage", "zip-truncated", "rar-truncated", "7z-truncated"])
def test_a_damaged_archive(data, fmt):
    with pytest.raises(UnreadableDocument, match="损坏"):
        expand_archive(data, fmt)


def test_a_zip_member_whose_bytes_do_not_match_its_crc():
    data = bytearray(zip_of({"a.txt": b"hello world"}, zipfile.ZIP_STORED))
    data[data.index(b"hello")] = ord("j")
    with pytest.raises(UnreadableDocument, match="校验"):
        expand_zip(bytes(data))


@pytest.mark.parametrize("fmt, build", [
    ("zip", hostile.zip_encrypted),
    ("rar", lambda: rar4({"申报表.docx": b"x"}, encrypted=True)),
    ("rar", lambda: rar4({"申报表.docx": b"x"}, headers_encrypted=True)),
    ("rar", lambda: rar5({"申报表.docx": b"x"}, encrypted=True)),
    ("rar", lambda: rar5({"申报表.docx": b"x"}, headers_encrypted=True)),
], ids=["zip", "rar4-file", "rar4-headers", "rar5-file", "rar5-headers"])
def test_an_encrypted_archive_says_so(fmt, build):
    with pytest.raises(UnreadableDocument, match="^压缩包已加密"):
        expand_archive(build(), fmt)


@pytest.mark.parametrize("name, fmt, options", [
    ("zipcrypto.zip", "zip", ("-pabc",)),
    ("aes.zip", "zip", ("-pabc", "-mem=AES256")),
    ("files.7z", "7z", ("-pabc",)),
    ("headers.7z", "7z", ("-pabc", "-mhe=on")),
])
def test_archives_encrypted_by_7zip_say_so(tmp_path, name, fmt, options):
    with pytest.raises(UnreadableDocument, match="^压缩包已加密"):
        expand_archive(p7zip(tmp_path, name, *options), fmt)


def test_a_7z_made_by_7zip_is_read(tmp_path):
    members = expand_archive(p7zip(tmp_path, "plain.7z"), "7z")
    assert [(m.name, m.path) for m in members] == [("申报表.txt", "材料/申报表.txt")]


# ---- limits ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, build", [
    ("zip", zip_of), ("rar", rar4), ("rar", rar5), ("7z", seven_zip),
], ids=["zip", "rar4", "rar5", "7z"])
def test_too_many_files(fmt, build):
    files = {f"照片{i}.jpg": b"x" for i in range(archive.MAX_MEMBERS + 1)}
    with pytest.raises(UnreadableDocument, match="文件过多"):
        expand_archive(build(files), fmt)
    assert len(expand_archive(build(dict(list(files.items())[1:])), fmt)) == archive.MAX_MEMBERS


def test_a_member_over_the_size_cap(monkeypatch):
    monkeypatch.setattr(members, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(UnreadableDocument, match="过大"):
        expand_archive(rar4({"视频.mp4": bytes(range(256)) * 4}), "rar")


def test_a_rar_member_larger_than_its_header_says():
    data = bytes(MIB)
    body = struct.pack("<IIBIIBBHI", len(data), 10, 2, zlib.crc32(data[:10]), 0x57210000, 29,
                       0x30, 5, 0x20) + b"a.txt"
    lying = b"".join([b"Rar!\x1a\x07\x00", _rar4_block(0x73, 0, b"\0" * 6),
                      _rar4_block(0x74, 0x8000, body), data, _rar4_block(0x7B, 0x4000, b"")])
    with pytest.raises(UnreadableDocument, match="与记录不符"):
        expand_archive(lying, "rar")


def test_a_small_bomb_is_refused():
    with pytest.raises(UnreadableDocument, match="压缩炸弹"):
        expand_zip(zip_of({"zeros.bin": b"\0" * 5_000_000}))


def test_blank_pages_below_the_ratio_floor_are_fine():
    assert len(expand_zip(zip_of({"空白.bmp": b"\xff" * 3_000_000}))[0].data) == 3_000_000


def test_limits_are_shared_with_nested_archives():
    members = expand_zip(zip_of({"a.jpg": b"x" * 10, "b.jpg": b"y" * 20}))
    assert Limits(5, 100).after(members) == Limits(3, 70)
    with pytest.raises(UnreadableDocument, match="文件过多"):
        expand_archive(zip_of({"a.jpg": b"x", "b.jpg": b"y"}), "zip", Limits(members=1))


def test_nested_archives_down_to_the_depth_limit():
    """GIVEN a zip holding a zip holding a 7z WHEN expanded to depth 2 THEN the inner zip is
    opened, the 7z is kept unopened, and so is a damaged inner archive, each with its reason."""
    innermost = seven_zip({"最里层.docx": b"x"})
    inner = zip_of({"内层/表.docx": b"form", "更深.7z": innermost})
    outer = zip_of({"材料.zip": inner, "坏.rar": b"Rar!\x1a\x07\x00broken", "照片.jpg": b"jpg"})
    found = expand_nested(outer, "zip", "推荐材料.zip")
    assert [(n.member.name, n.container, n.depth, n.error is not None) for n in found] == [
        ("材料.zip", "推荐材料.zip", 1, False), ("表.docx", "材料.zip", 2, False),
        ("更深.7z", "材料.zip", 2, True), ("坏.rar", "推荐材料.zip", 1, True),
        ("照片.jpg", "推荐材料.zip", 1, False)]
    assert "超过2层" in found[2].error and "损坏" in found[3].error


# ---- hostile archives, each in a child process with its time and peak memory measured ----

_PROBE = """
import json, re, sys, time
from parsers.archive import expand_archive, expand_nested
from parsers.errors import UnreadableDocument
path, fmt, nested = sys.argv[1], sys.argv[2], sys.argv[3] == "nested"
data = open(path, "rb").read()
start = time.monotonic()
result = {"error": None, "inner": []}
try:
    if nested:
        found = expand_nested(data, fmt, "bomb.zip", max_depth=8)
        result["inner"] = [n.error for n in found if n.error]
    else:
        expand_archive(data, fmt)
except UnreadableDocument as error:
    result["error"] = str(error)
result["seconds"] = time.monotonic() - start
# VmHWM: this process's peak resident memory (ru_maxrss would include pytest's, kept by exec).
status = open("/proc/self/status").read()
result["rss_mib"] = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
print(json.dumps(result, ensure_ascii=False))
"""


def probe(tmp_path: Path, data: bytes, fmt: str, nested: bool = False) -> dict:
    path = tmp_path / "hostile.bin"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path), fmt,
                           "nested" if nested else "flat"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def gigabyte_of_zeros() -> bytes:
    """One member of 1 GiB of zeros, streamed into zipfile (deflated to about 1 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        with out.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(bytes(MIB))
    return buffer.getvalue()


def seven_zip_bomb() -> bytes:
    out = io.BytesIO()
    with libarchive.custom_writer(out.write, "7zip") as writer:
        writer.add_file_from_memory("zeros.bin", 64 * MIB, (bytes(MIB) for _ in range(64)))
    return out.getvalue()


HOSTILE = {
    "a-nested-zip-bomb": (hostile.zip_of_bombs, "zip", "压缩炸弹"),
    "b-overlap-same-header": (hostile.zip_overlap_same_header, "zip", "重叠"),
    "b-overlap-quoted": (hostile.zip_overlap_quoted, "zip", "重叠"),
    "c-one-gigabyte-member": (gigabyte_of_zeros, "zip", "过大"),
    # Declared within the limits: only the running budget stops it, at 200 × its size.
    "c-256-mib-member-within-declared-limits": (lambda: hostile.zip_zeros(256), "zip",
                                                "压缩炸弹"),
    "d-100000-members-zip": (hostile.zip_many_members, "zip", "文件过多"),
    "d-100000-members-rar": (lambda: rar4({f"{i}.txt": b"" for i in range(100_000)}), "rar",
                             "文件过多"),
    "g-encrypted-zip": (hostile.zip_encrypted, "zip", "已加密"),
    "h-lying-local-header": (hostile.zip_lying_size, "zip", "与记录不符"),
    "7z-bomb": (seven_zip_bomb, "7z", "压缩炸弹"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_archives_end_fast_in_bounded_memory(tmp_path, case):
    build, fmt, reason = HOSTILE[case]
    nested = case.startswith("a-")
    result = probe(tmp_path, build(), fmt, nested)
    print(case, f"{result['seconds']:.3f}s", f"{result['rss_mib']:.0f}MiB", result["error"])
    assert result["seconds"] < 5 and result["rss_mib"] < 512
    if nested:
        # The outer zip is honest; every inner bomb is refused or left unopened with a reason.
        assert result["error"] is None and len(result["inner"]) == 16
        assert any(reason in error for error in result["inner"])
    else:
        assert reason in result["error"]


def test_the_quoted_overlap_bomb_is_a_real_bomb():
    """The fixture works against a reader without the overlap check: file 0 inflates to every
    later header plus the kernel, with the declared size and CRC."""
    data = hostile.zip_overlap_quoted(files=20)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    first = infos[0]
    start = first.header_offset + 30 + len(first.filename)
    inflated = zlib.decompressobj(-15).decompress(data[start:start + first.compress_size])
    assert (len(inflated), zlib.crc32(inflated)) == (first.file_size, first.CRC)
    assert sum(i.file_size for i in infos) > 20 * MIB
