"""ZIP, RAR and 7z archives expanded in memory, under limits enforced while the bytes come out.

Nothing is written to disk and no member path is ever used as one: a member keeps its path
only to be shown. Sizes an archive declares are used to refuse early, never to accept: every
member is decompressed a block at a time against a running budget, so a header that lies
cannot make us hold more than the limits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from parsers import sniff
from parsers.errors import UnreadableDocument
from parsers.members import MAX_MEMBERS, MAX_RATIO, MAX_TOTAL_BYTES, TOO_DEEP, Limits, Member, is_hostile
from parsers.rar7z import expand_libarchive
from parsers.zipfiles import expand_zip_members

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_TOTAL_BYTES", "Limits", "Member", "Nested",
           "expand_archive", "expand_nested", "expand_nested_within", "expand_zip", "is_hostile"]

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
        return expand_zip_members(data, limits)
    if fmt in ("rar", "7z"):
        return expand_libarchive(data, fmt, limits)
    raise ValueError(f"not an archive format: {fmt}")


def expand_nested(data: bytes, fmt: str, name: str, max_depth: int = 2,
                  limits: Limits = Limits()) -> tuple[Nested, ...]:
    """The attachment's members, then (depth first, down to `max_depth`) those of archives
    among them, all under one Limits; an inner archive that fails is kept whole, with why.

    Raises UnreadableDocument only when the attachment itself cannot be expanded.
    """
    return expand_nested_within(data, fmt, name, max_depth, limits)[0]


def expand_nested_within(data: bytes, fmt: str, name: str, max_depth: int,
                         limits: Limits) -> tuple[tuple[Nested, ...], Limits]:
    """expand_nested, with what is left of `limits` for the message's next archive."""
    members = expand_archive(data, fmt, limits)
    found, left = _nested(members, name, 1, max_depth, limits.after(members))
    return tuple(found), left


def _nested(members: Sequence[Member], container: str, depth: int, max_depth: int,
            limits: Limits) -> tuple[list[Nested], Limits]:
    found: list[Nested] = []
    for member in members:
        fmt = sniff.sniff(member.data)
        if fmt not in sniff.ARCHIVE_FORMATS:
            found.append(Nested(member, container, depth))
            continue
        if depth >= max_depth:
            found.append(Nested(member, container, depth, TOO_DEEP.format(max_depth)))
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


