"""ZIP members read from the bytes, block by block, under the running budget."""
from __future__ import annotations

import bz2
import io
import struct
import zipfile
import zlib
from typing import Iterator

from parsers.errors import UnreadableDocument
from parsers.members import (BLOCK, ENCRYPTED, MAX_ENTRIES, TOO_BIG, TOO_MANY, Budget, Limits, Member,
                             base_name, clean_path, collect, refuse_unsafe, wanted)


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



_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_S_IFMT, _S_IFLNK = 0o170000, 0o120000
# Stored and deflated are what every zip tool writes; bzip2 is 7-Zip's option. LZMA and
# Deflate64 have no block-limited decompressor in the standard library: they are refused.
_DECOMPRESSORS = {zipfile.ZIP_DEFLATED: lambda: zlib.decompressobj(-15),
                  zipfile.ZIP_BZIP2: bz2.BZ2Decompressor}


def expand_zip_members(data: bytes, limits: Limits) -> tuple[Member, ...]:
    infos = _zip_directory(data, limits)
    budget, members = Budget.start(data, limits), []
    for info, start in zip(infos, _data_offsets(data, infos)):
        path = clean_path(member_name(info))
        name = base_name(path)
        refuse_unsafe(path, _is_link(info))
        if info.is_dir() or not wanted(path, name):
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
        raise UnreadableDocument(TOO_MANY)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise UnreadableDocument(f"压缩包已损坏：{error}") from None
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.members:
        raise UnreadableDocument(TOO_MANY)
    if any(info.flag_bits & 0x1 for info in files):
        raise UnreadableDocument(ENCRYPTED)
    if sum(info.file_size for info in files) > limits.total_bytes:
        raise UnreadableDocument(TOO_BIG)
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
                     budget: Budget) -> bytes:
    limit, reason = budget.allowance(name, declared=info.file_size)
    raw = memoryview(data)[start:start + info.compress_size]
    try:
        content = collect(_zip_chunks(raw, info.compress_type, name), limit, reason)
    except (zlib.error, OSError, EOFError, ValueError) as error:
        raise UnreadableDocument(f"压缩包内文件“{name}”无法读取：{error}") from None
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise UnreadableDocument(f"压缩包已损坏：“{name}”校验失败")
    return content


def _zip_chunks(raw: memoryview, method: int, name: str) -> Iterator[bytes]:
    if method == zipfile.ZIP_STORED:
        for offset in range(0, len(raw), BLOCK):
            yield raw[offset:offset + BLOCK].tobytes()
        return
    if method not in _DECOMPRESSORS:
        raise UnreadableDocument(
            f"压缩包内文件“{name}”的压缩方式不常见（编号{method}），请用常规ZIP重新打包")
    yield from _inflate(_DECOMPRESSORS[method](), raw)


def _inflate(decompressor, raw: memoryview) -> Iterator[bytes]:
    """Decompress a block in, at most a block out: one call could turn kilobytes into gigabytes."""
    for offset in range(0, len(raw), BLOCK):
        pending = raw[offset:offset + BLOCK]
        while not decompressor.eof:
            chunk = decompressor.decompress(pending, BLOCK)
            # zlib hands back the input it has not used yet; bz2 keeps it and wants b"".
            pending = getattr(decompressor, "unconsumed_tail", b"")
            yield chunk
            if len(chunk) < BLOCK and not pending:
                break  # this input is used up and all its output given
        if decompressor.eof:
            return
    if len(raw):
        raise UnreadableDocument("压缩包已损坏：压缩数据不完整")


