"""ZIP, RAR and 7z archives expanded in memory, under limits enforced while the bytes come out.

Nothing is written to disk and no member path is ever used as one: a member keeps its path
only to be shown. Sizes an archive declares are used to refuse early, never to accept: every
member is decompressed a block at a time against a running budget, so a header that lies
cannot make us hold more than the limits.
"""
from __future__ import annotations

import bz2
import ctypes
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import libarchive
from libarchive import ffi

from parsers import sniff
from pipeline.errors import UnreadableDocument

MIB = 1 << 20
# Generous for real submissions (a folder of forms, photos and a few short videos), small
# enough that a hostile archive cannot exhaust memory.
MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 300 * MIB
MAX_MEMBER_BYTES = 100 * MIB
# Office files and photos compress about 10:1 at most; only padding and bombs reach 200:1.
# Below RATIO_FLOOR an archive may expand whatever its ratio (blank scans compress 1000:1).
MAX_RATIO = 200
RATIO_FLOOR = 4 * MIB
# Folders, links and junk count too while walking an archive's entries: this bounds the walk.
MAX_ENTRIES = 4 * MAX_MEMBERS
# Bytes taken from a decompressor at a time: the most a limit can be overshot by.
_BLOCK = 64 * 1024

_ENCRYPTED = "压缩包已加密（设有密码），无法打开，请去掉密码后重新发送"
_TOO_MANY = f"压缩包内文件过多（上限{MAX_MEMBERS}个，含内层压缩包）"
_TOO_BIG = f"压缩包解压后过大（上限{MAX_TOTAL_BYTES // MIB}MB，含内层压缩包）"
_BOMB = "压缩比异常（疑似压缩炸弹）"
_TOO_DEEP = "压缩包套压缩包超过{}层，未打开"
# Refusals that make the whole attachment hostile when an archive inside it earns one.
_HOSTILE = (_TOO_MANY, _TOO_BIG, _BOMB, _TOO_DEEP.split("{")[0])


def is_hostile(error: str | None) -> bool:
    """An inner archive refused for its size, ratio, count or depth: the attachment answers."""
    return bool(error) and error.startswith(_HOSTILE)
_JUNK = {".ds_store", "thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Member:
    """A file inside an archive: its base name (folders dropped), its path, and its bytes."""

    name: str
    path: str
    data: bytes


@dataclass(frozen=True)
class Limits:
    """What one attachment may expand to, the archives nested inside it included."""

    members: int = MAX_MEMBERS
    total_bytes: int = MAX_TOTAL_BYTES

    def after(self, members: Sequence[Member]) -> Limits:
        """What is left for archives inside `members`: nesting must not multiply the budget."""
        return Limits(self.members - len(members),
                      self.total_bytes - sum(len(m.data) for m in members))

    def after_refusal(self, data: bytes) -> Limits:
        """What is left once an inner archive was refused: charged all it may have expanded to,
        so a zip of many small bombs cannot make us decompress each of them in turn."""
        return Limits(self.members, self.total_bytes - max(MAX_RATIO * len(data), RATIO_FLOOR))

    @property
    def refusal(self) -> str | None:
        """Why no further archive may be expanded, once the budget is spent."""
        if self.members <= 0:
            return _TOO_MANY
        return _TOO_BIG if self.total_bytes <= 0 else None


@dataclass(frozen=True)
class Nested:
    """A file found while expanding an attachment: the archive it came out of and how deep.

    `error` says why an archive among the members was not expanded in turn (None when it was):
    refused, over the shared limits, or at the depth limit."""

    member: Member
    container: str
    depth: int
    error: str | None = None


def expand_archive(data: bytes, fmt: str, limits: Limits = Limits()) -> tuple[Member, ...]:
    """Every file in a zip, rar or 7z archive (folders flattened; links and system junk left out).

    Raises UnreadableDocument when the archive is damaged, encrypted or over a limit.
    """
    if fmt == "zip":
        return _expand_zip(data, limits)
    if fmt in ("rar", "7z"):
        return _expand_libarchive(data, fmt, limits)
    raise ValueError(f"not an archive format: {fmt}")


def expand_nested(data: bytes, fmt: str, name: str, max_depth: int = 2,
                  limits: Limits = Limits()) -> tuple[Nested, ...]:
    """The attachment's members, then (depth first, down to `max_depth`) those of archives
    among them, all under one Limits; an inner archive that fails is kept whole, with why.

    Raises UnreadableDocument only when the attachment itself cannot be expanded.
    """
    members = expand_archive(data, fmt, limits)
    return _nested(members, name, 1, max_depth, limits.after(members))[0]


def _nested(members: Sequence[Member], container: str, depth: int, max_depth: int,
            limits: Limits) -> tuple[list[Nested], Limits]:
    found: list[Nested] = []
    for member in members:
        fmt = sniff.sniff(member.data)
        if fmt not in sniff.ARCHIVE_FORMATS:
            found.append(Nested(member, container, depth))
            continue
        if depth >= max_depth:
            found.append(Nested(member, container, depth, _TOO_DEEP.format(max_depth)))
            continue
        inner, error, limits = _open_inner(member.data, fmt, limits)
        found.append(Nested(member, container, depth, error))
        deeper, limits = _nested(inner, member.name, depth + 1, max_depth, limits)
        found.extend(deeper)
    return found, limits


def _open_inner(data: bytes, fmt: str, limits: Limits
                ) -> tuple[tuple[Member, ...], str | None, Limits]:
    """An inner archive's members, or why it stays whole; and the limits left after it."""
    if limits.refusal:
        return (), limits.refusal, limits
    try:
        inner = expand_archive(data, fmt, limits)
    except UnreadableDocument as error:
        return (), str(error), limits.after_refusal(data)
    return inner, None, limits.after(inner)


def expand_zip(data: bytes) -> tuple[Member, ...]:
    """expand_archive for a ZIP (kept for callers that only know ZIPs)."""
    return expand_archive(data, "zip")


# ---- the running budget -------------------------------------------------------------------

@dataclass(frozen=True)
class _Budget:
    """Bytes this archive may still give: the attachment's share, and its ratio allowance."""

    total: int
    ratio: int

    @classmethod
    def start(cls, data: bytes, limits: Limits) -> _Budget:
        return cls(limits.total_bytes, max(MAX_RATIO * len(data), RATIO_FLOOR))

    def allowance(self, name: str, declared: int | None = None) -> tuple[int, str]:
        """The most the next member may hold, and what to say when it holds more."""
        limits = [(MAX_MEMBER_BYTES, f"压缩包内文件“{name}”过大（上限{MAX_MEMBER_BYTES // MIB}MB）"),
                  (self.total, _TOO_BIG), (self.ratio, _BOMB)]
        if declared is not None:
            limits.append((declared, f"压缩包已损坏：“{name}”的实际大小与记录不符"))
        return min(limits)

    def spend(self, size: int) -> _Budget:
        return _Budget(self.total - size, self.ratio - size)


def _collect(chunks: Iterable[bytes], limit: int, reason: str) -> bytes:
    """The chunks joined, stopping as soon as they pass `limit` bytes."""
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) > limit:
            raise UnreadableDocument(reason)
    return bytes(out)


# ---- names ------------------------------------------------------------------------------

def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as the sender saw it.

    Without the UTF-8 flag zipfile decodes names as cp437; Chinese Windows tools write GBK
    there, so the original bytes are recovered and decoded as GB18030 (UTF-8 when valid).
    """
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _clean(path: str) -> str:
    """Control characters dropped: the path is shown to people and written to logs."""
    return re.sub(r"[\x00-\x1f\x7f]", "", path)


def _base_name(path: str) -> str:
    """The last part of a path written with / or \\ and maybe a drive letter; "" for . and .."""
    name = re.sub(r"^[A-Za-z]:", "", re.split(r"[\\/]", path)[-1])
    return "" if name in (".", "..") else name


_UNSAFE = re.compile(r"(^|[\\/])\.\.([\\/]|$)|^[\\/]|^[A-Za-z]:")


def _refuse_unsafe(path: str, link: bool) -> None:
    """Names that climb out of a folder, start at a root or a drive, and links: no honest
    archive tool writes them, so the archive is refused rather than quietly cleaned."""
    if link:
        raise UnreadableDocument(f"压缩包内含链接文件“{_base_name(path)}”，已拒绝打开")
    if _UNSAFE.search(path):
        raise UnreadableDocument(f"压缩包内文件路径异常（“{path}”），已拒绝打开")


def _wanted(path: str, name: str) -> bool:
    """Not a folder, nor what macOS and Windows add to folders they zip."""
    return (bool(name) and not name.startswith("._") and "__MACOSX" not in path
            and name.lower() not in _JUNK)


# ---- ZIP ----------------------------------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_S_IFMT, _S_IFLNK = 0o170000, 0o120000
# Stored and deflated are what every zip tool writes; bzip2 is 7-Zip's option. LZMA and
# Deflate64 have no block-limited decompressor in the standard library: they are refused.
_DECOMPRESSORS = {zipfile.ZIP_DEFLATED: lambda: zlib.decompressobj(-15),
                  zipfile.ZIP_BZIP2: bz2.BZ2Decompressor}


def _expand_zip(data: bytes, limits: Limits) -> tuple[Member, ...]:
    infos = _zip_directory(data, limits)
    budget, members = _Budget.start(data, limits), []
    for info, start in zip(infos, _data_offsets(data, infos)):
        path = _clean(member_name(info))
        name = _base_name(path)
        _refuse_unsafe(path, _is_link(info))
        if info.is_dir() or not _wanted(path, name):
            continue
        content = _read_zip_member(data, info, start, name, budget)
        budget = budget.spend(len(content))
        members.append(Member(name=name, path=path, data=content))
    return tuple(members)


def _zip_directory(data: bytes, limits: Limits) -> list[zipfile.ZipInfo]:
    """The central directory, refused early when it declares too much."""
    # zipfile parses every entry before we can count them (a million take seconds and half a
    # GiB); each entry must start with this signature, so counting it bounds that work.
    if data.count(b"PK\x01\x02") > MAX_ENTRIES:
        raise UnreadableDocument(_TOO_MANY)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise UnreadableDocument(f"压缩包已损坏：{error}") from None
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.members:
        raise UnreadableDocument(_TOO_MANY)
    if any(info.flag_bits & 0x1 for info in files):
        raise UnreadableDocument(_ENCRYPTED)
    if sum(info.file_size for info in files) > limits.total_bytes:
        raise UnreadableDocument(_TOO_BIG)
    return infos


def _data_offsets(data: bytes, infos: list[zipfile.ZipInfo]) -> list[int]:
    """Where each member's compressed bytes start, in directory order.

    A non-recursive zip bomb (Fifield, 2019) points many directory entries at the same or
    overlapping compressed bytes so each entry inflates them again: an honest zip never has
    two members whose local header and data overlap.
    """
    spans = [_span(data, info) for info in infos]
    end = 0
    for start, data_start, data_end in sorted(spans):
        if start < end:
            raise UnreadableDocument("压缩包结构异常：文件数据相互重叠（疑似压缩炸弹）")
        end = data_end
    return [data_start for _, data_start, _ in spans]


def _span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int, int]:
    """The local header's offset, and where the member's compressed bytes start and end."""
    header = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise UnreadableDocument("压缩包已损坏：找不到文件头")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    if start + info.compress_size > len(data):
        raise UnreadableDocument("压缩包已损坏：文件数据不完整")
    return info.header_offset, start, start + info.compress_size


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A symbolic link stored by a Unix zip: its "content" is a path on someone's disk."""
    return (info.external_attr >> 16) & _S_IFMT == _S_IFLNK


def _read_zip_member(data: bytes, info: zipfile.ZipInfo, start: int, name: str,
                     budget: _Budget) -> bytes:
    limit, reason = budget.allowance(name, declared=info.file_size)
    raw = memoryview(data)[start:start + info.compress_size]
    try:
        content = _collect(_zip_chunks(raw, info.compress_type, name), limit, reason)
    except (zlib.error, OSError, EOFError, ValueError) as error:
        raise UnreadableDocument(f"压缩包内文件“{name}”无法读取：{error}") from None
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise UnreadableDocument(f"压缩包已损坏：“{name}”校验失败")
    return content


def _zip_chunks(raw: memoryview, method: int, name: str) -> Iterator[bytes]:
    if method == zipfile.ZIP_STORED:
        for offset in range(0, len(raw), _BLOCK):
            yield raw[offset:offset + _BLOCK].tobytes()
        return
    if method not in _DECOMPRESSORS:
        raise UnreadableDocument(
            f"压缩包内文件“{name}”的压缩方式不常见（编号{method}），请用常规ZIP重新打包")
    yield from _inflate(_DECOMPRESSORS[method](), raw)


def _inflate(decompressor, raw: memoryview) -> Iterator[bytes]:
    """Decompress a block in, at most a block out: one call could turn kilobytes into gigabytes."""
    for offset in range(0, len(raw), _BLOCK):
        pending = raw[offset:offset + _BLOCK]
        while not decompressor.eof:
            chunk = decompressor.decompress(pending, _BLOCK)
            # zlib hands back the input it has not used yet; bz2 keeps it and wants b"".
            pending = getattr(decompressor, "unconsumed_tail", b"")
            yield chunk
            if len(chunk) < _BLOCK and not pending:
                break  # this input is used up and all its output given
        if decompressor.eof:
            return
    if len(raw):
        raise UnreadableDocument("压缩包已损坏：压缩数据不完整")


# ---- RAR and 7z through libarchive ---------------------------------------------------------

_RAR5 = b"Rar!\x1a\x07\x01\x00"
# libarchive-c wraps no call for "is this entry encrypted": declared here, on its loader.
_entry_is_encrypted = ffi.ffi("entry_is_encrypted", [ffi.c_archive_entry_p], ctypes.c_int)


def _expand_libarchive(data: bytes, fmt: str, limits: Limits) -> tuple[Member, ...]:
    if data.startswith(_RAR5) and _rar5_encrypted(data):
        raise UnreadableDocument(_ENCRYPTED)
    reader_format = "7zip" if fmt == "7z" else "rar5" if data.startswith(_RAR5) else "rar"
    budget, members, entries = _Budget.start(data, limits), [], 0
    try:
        with libarchive.memory_reader(data, format_name=reader_format) as reader:
            for entry in reader:
                entries += 1
                member = _read_entry(entry, budget)
                if member is not None:
                    budget = budget.spend(len(member.data))
                    members.append(member)
                if entries > MAX_ENTRIES or len(members) > limits.members:
                    raise UnreadableDocument(_TOO_MANY)
    except libarchive.ArchiveError as error:
        raise _failure(error) from None
    return tuple(members)


def _read_entry(entry: libarchive.ArchiveEntry, budget: _Budget) -> Member | None:
    if _entry_is_encrypted(entry._entry_p):
        raise UnreadableDocument(_ENCRYPTED)
    path = _entry_path(entry)
    name = _base_name(path)
    _refuse_unsafe(path, entry.issym or entry.islnk)
    if not entry.isreg or not _wanted(path, name):
        return None
    limit, reason = budget.allowance(name, declared=_declared_size(entry))
    return Member(name=name, path=path, data=_collect(entry.get_blocks(_BLOCK), limit, reason))


def _declared_size(entry: libarchive.ArchiveEntry) -> int | None:
    """The size the header gives, as a ceiling: libarchive gives a stored RAR member's packed
    bytes even when the header declares fewer."""
    return entry.size if ffi.entry_size_is_set(entry._entry_p) else None


def _entry_path(entry: libarchive.ArchiveEntry) -> str:
    """RAR 5 and 7z names are Unicode; RAR 4 names without the Unicode flag come as the
    sender's code page, which libarchive-c hands over as bytes: GBK on Chinese Windows."""
    path = entry.pathname
    if isinstance(path, bytes):
        path = path.decode("gb18030", "replace")
    return _clean(path or "")


def _failure(error: libarchive.ArchiveError) -> UnreadableDocument:
    """libarchive says "encrypt…" when headers are encrypted (7z -mhe, RAR -hp)."""
    message = error.msg or "结构无法识别"  # libarchive sometimes fails without a message
    if isinstance(message, bytes):  # libarchive-c passes on non-ASCII messages undecoded
        message = message.decode("utf-8", "replace")
    if "encrypt" in message.lower():
        return UnreadableDocument(_ENCRYPTED)
    return UnreadableDocument(f"压缩包已损坏：{message}")


def _rar5_encrypted(data: bytes) -> bool:
    """A RAR 5 archive with encrypted headers or files.

    libarchive 3.6 skips RAR 5's encryption records and then fails as if the data were
    damaged, so the block headers are walked here: type 4 encrypts every header, and an
    extra record of type 1 on a file or service header encrypts that file.
    """
    pos = len(_RAR5)
    try:
        for _ in range(MAX_ENTRIES):
            kind, extra, end, data_size = _rar5_block(data, pos)
            if kind == 4 or (kind in (2, 3) and _rar5_crypt_record(data, end - extra, end)):
                return True
            if kind == 5:
                return False
            pos = end + data_size
    except (ValueError, IndexError):
        return False  # damaged: libarchive says so with its own message
    return False


def _rar5_block(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """A block header after its CRC: type, extra area size, where the header ends, data size."""
    size, start = _vint(data, pos + 4)
    kind, at = _vint(data, start)
    flags, at = _vint(data, at)
    extra, at = _vint(data, at) if flags & 0x1 else (0, at)
    data_size, at = _vint(data, at) if flags & 0x2 else (0, at)
    return kind, extra, start + size, data_size


def _rar5_crypt_record(data: bytes, pos: int, end: int) -> bool:
    for _ in range(16):  # a file header carries a handful of records (hash, times, owner...)
        if pos >= min(end, len(data)):
            return False
        size, at = _vint(data, pos)
        if _vint(data, at)[0] == 1:
            return True
        pos = at + size
    return False


def _vint(data: bytes, pos: int) -> tuple[int, int]:
    """RAR 5's variable-length integer: 7 bits a byte, low bits first."""
    value = 0
    for shift in range(0, 70, 7):
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
    raise ValueError("RAR5 number too long")
