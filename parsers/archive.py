"""ZIP archives expanded in memory, with names decoded as Chinese Windows tools write them."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from pipeline.errors import UnreadableDocument

# Generous for real submissions (a folder of forms, photos and a few short videos), small
# enough that a hostile archive cannot exhaust memory.
MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Member:
    """A file inside an archive: its base name (folders dropped) and its bytes."""

    name: str
    path: str
    data: bytes


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as the sender saw it.

    Without the UTF-8 flag zipfile decodes names as cp437; Chinese Windows tools write GBK
    there, so the original bytes are recovered and decoded as GB18030 (UTF-8 when valid).
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _check(infos: list[zipfile.ZipInfo]) -> None:
    files = [i for i in infos if not i.is_dir()]
    if len(files) > MAX_MEMBERS:
        raise UnreadableDocument(f"压缩包内文件过多（{len(files)}个，上限{MAX_MEMBERS}）")
    total = sum(i.file_size for i in files)
    if total > MAX_TOTAL_BYTES:
        raise UnreadableDocument(f"压缩包解压后过大（{total}字节）")
    for info in files:
        if info.flag_bits & 0x1:
            raise UnreadableDocument("压缩包已加密，无法打开")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise UnreadableDocument("压缩比异常（疑似压缩炸弹）")


def expand_zip(data: bytes) -> tuple[Member, ...]:
    """Every file member of a ZIP; raise UnreadableDocument when it cannot or must not be opened."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableDocument(f"压缩包已损坏：{error}") from None
    _check(infos)
    members = []
    for info in infos:
        path = member_name(info)
        name = re.split(r"[\\/]", path.rstrip("/\\"))[-1]
        if info.is_dir() or not name or name.startswith("._") or "__MACOSX" in path:
            continue
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
            raise UnreadableDocument(f"压缩包内文件“{name}”无法读取：{error}") from None
        members.append(Member(name=name, path=path, data=content))
    return tuple(members)
