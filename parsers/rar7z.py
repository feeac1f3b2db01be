"""RAR and 7z members through libarchive (Debian's libarchive13), under the running budget.

The only importer of libarchive-c.
"""
from __future__ import annotations

import ctypes

import libarchive
from libarchive import ffi

from parsers.errors import UnreadableDocument
from parsers.members import (BLOCK, ENCRYPTED, MAX_ENTRIES, TOO_MANY, Budget, Limits, Member, base_name,
                             clean_path, collect, refuse_unsafe, wanted)

_RAR5 = b"Rar!\x1a\x07\x01\x00"
# libarchive-c wraps no call for "is this entry encrypted": declared here, on its loader.
_entry_is_encrypted = ffi.ffi("entry_is_encrypted", [ffi.c_archive_entry_p], ctypes.c_int)


def expand_libarchive(data: bytes, fmt: str, limits: Limits) -> tuple[Member, ...]:
    if data.startswith(_RAR5) and _rar5_encrypted(data):
        raise UnreadableDocument(ENCRYPTED)
    reader_format = "7zip" if fmt == "7z" else "rar5" if data.startswith(_RAR5) else "rar"
    budget, members, entries = Budget.start(data, limits), [], 0
    try:
        with libarchive.memory_reader(data, format_name=reader_format) as reader:
            for entry in reader:
                entries += 1
                member = _read_entry(entry, budget)
                if member is not None:
                    budget = budget.spend(len(member.data))
                    members.append(member)
                if entries > MAX_ENTRIES or len(members) > limits.members:
                    raise UnreadableDocument(TOO_MANY)
    except libarchive.ArchiveError as error:
        raise _failure(error) from None
    return tuple(members)


def _read_entry(entry: libarchive.ArchiveEntry, budget: Budget) -> Member | None:
    if _entry_is_encrypted(entry._entry_p):
        raise UnreadableDocument(ENCRYPTED)
    path = _entry_path(entry)
    name = base_name(path)
    refuse_unsafe(path, entry.issym or entry.islnk)
    if not entry.isreg or not wanted(path, name):
        return None
    limit, reason = budget.allowance(name, declared=_declared_size(entry))
    return Member(name=name, path=path, data=collect(entry.get_blocks(BLOCK), limit, reason))


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
    return clean_path(path or "")


def _failure(error: libarchive.ArchiveError) -> UnreadableDocument:
    """libarchive says "encrypt…" when headers are encrypted (7z -mhe, RAR -hp)."""
    message = error.msg or "结构无法识别"  # libarchive sometimes fails without a message
    if isinstance(message, bytes):  # libarchive-c passes on non-ASCII messages undecoded
        message = message.decode("utf-8", "replace")
    if "encrypt" in message.lower():
        return UnreadableDocument(ENCRYPTED)
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
