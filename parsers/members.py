"""What every archive reader shares: the limits, the running byte budget, and member names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from parsers.errors import UnreadableDocument

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
BLOCK = 64 * 1024

ENCRYPTED = "压缩包已加密（设有密码），无法打开，请去掉密码后重新发送"
# The limits hold for all the archives of one message together (parsers/reading.py expand_all).
TOO_MANY = f"压缩包内文件过多（每封邮件的压缩包合计上限{MAX_MEMBERS}个文件，含内层压缩包）"
TOO_BIG = f"压缩包解压后过大（每封邮件的压缩包解压后合计上限{MAX_TOTAL_BYTES // MIB}MB，含内层压缩包）"
BOMB = "压缩比异常（疑似压缩炸弹）"
TOO_DEEP = "压缩包套压缩包超过{}层，未打开"
# Refusals that make the whole attachment hostile when an archive inside it earns one.
HOSTILE = (TOO_MANY, TOO_BIG, BOMB, TOO_DEEP.split("{")[0])


def is_hostile(error: str | None) -> bool:
    """An inner archive refused for its size, ratio, count or depth: the attachment answers."""
    return bool(error) and error.startswith(HOSTILE)
JUNK = {".ds_store", "thumbs.db", "desktop.ini"}


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
            return TOO_MANY
        return TOO_BIG if self.total_bytes <= 0 else None



# ---- the running budget -------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    """Bytes this archive may still give: the attachment's share, and its ratio allowance."""

    total: int
    ratio: int

    @classmethod
    def start(cls, data: bytes, limits: Limits) -> Budget:
        return cls(limits.total_bytes, max(MAX_RATIO * len(data), RATIO_FLOOR))

    def allowance(self, name: str, declared: int | None = None) -> tuple[int, str]:
        """The most the next member may hold, and what to say when it holds more."""
        limits = [(MAX_MEMBER_BYTES, f"压缩包内文件“{name}”过大（上限{MAX_MEMBER_BYTES // MIB}MB）"),
                  (self.total, TOO_BIG), (self.ratio, BOMB)]
        if declared is not None:
            limits.append((declared, f"压缩包已损坏：“{name}”的实际大小与记录不符"))
        return min(limits)

    def spend(self, size: int) -> Budget:
        return Budget(self.total - size, self.ratio - size)


def collect(chunks: Iterable[bytes], limit: int, reason: str) -> bytes:
    """The chunks joined, stopping as soon as they pass `limit` bytes."""
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) > limit:
            raise UnreadableDocument(reason)
    return bytes(out)


# ---- names ------------------------------------------------------------------------------

def clean_path(path: str) -> str:
    """Control characters dropped: the path is shown to people and written to logs."""
    return re.sub(r"[\x00-\x1f\x7f]", "", path)


def base_name(path: str) -> str:
    """The last part of a path written with / or \\ and maybe a drive letter; "" for . and .."""
    name = re.sub(r"^[A-Za-z]:", "", re.split(r"[\\/]", path)[-1])
    return "" if name in (".", "..") else name


UNSAFE = re.compile(r"(^|[\\/])\.\.([\\/]|$)|^[\\/]|^[A-Za-z]:")


def refuse_unsafe(path: str, link: bool) -> None:
    """Names that climb out of a folder, start at a root or a drive, and links: no honest
    archive tool writes them, so the archive is refused rather than quietly cleaned."""
    if link:
        raise UnreadableDocument(f"压缩包内含链接文件“{base_name(path)}”，已拒绝打开")
    if UNSAFE.search(path):
        raise UnreadableDocument(f"压缩包内文件路径异常（“{path}”），已拒绝打开")


def wanted(path: str, name: str) -> bool:
    """Not a folder, nor what macOS and Windows add to folders they zip."""
    return (bool(name) and not name.startswith("._") and "__MACOSX" not in path
            and name.lower() not in JUNK)


