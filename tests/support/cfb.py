"""A minimal compound file (CFB v3) writer for test fixtures: olefile only reads them.

Streams are named by path ("Macros/VBA/dir": the storages on the way are made), small ones
(< 4096 bytes) in the mini stream as the format requires, so any reader sees what Word, Excel or
Outlook would have written there.
"""
from __future__ import annotations

import struct

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_ENTRY = struct.Struct("<64sHBBIII16sIQQIQ")


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams` (path → bytes; each part of a path at most 31
    characters, storages separated by "/")."""
    sectors: list[bytes] = []
    fat: list[int] = []
    small = {n: d for n, d in streams.items() if len(d) < CUTOFF}
    mini_stream, mini_fat, mini_starts = _mini(small)
    starts = {n: _place(sectors, fat, d) for n, d in streams.items() if len(d) >= CUTOFF}
    mini_fat_start = _place(sectors, fat, struct.pack(f"<{len(mini_fat)}L", *mini_fat))
    root_start = _place(sectors, fat, mini_stream)
    tree = _tree(streams)
    numbers = {path: number for number, path in enumerate(tree)}
    entries = []
    for path, children in tree.items():
        siblings = tree[path.rpartition("/")[0]] if path else [path]
        after = siblings[siblings.index(path) + 1:]
        right = numbers[after[0]] if after else None
        child = numbers[children[0]] if children else None
        if not path:
            entries.append(_entry("Root Entry", 5, root_start, len(mini_stream), child=child))
        elif path in streams:
            start = mini_starts[path] if path in small else starts[path]
            entries.append(_entry(path.rpartition("/")[2], 2, start, len(streams[path]),
                                  right=right))
        else:
            entries.append(_entry(path.rpartition("/")[2], 1, 0, 0, right=right, child=child))
    directory_start = _place(sectors, fat, b"".join(entries))
    fat_sectors = _fat_sectors(sectors, fat)
    header = _header(fat_sectors, directory_start, mini_fat_start, len(mini_fat))
    return header + b"".join(sectors)


def _tree(streams: dict[str, bytes]) -> dict[str, list[str]]:
    """Every storage and stream by path ("" the root), in directory order, with its children;
    siblings are chained through their right pointers, a shape every reader accepts."""
    tree: dict[str, list[str]] = {"": []}
    for path in streams:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            node, parent = "/".join(parts[:depth]), "/".join(parts[:depth - 1])
            if node not in tree:
                tree[node] = []
                tree[parent].append(node)
    return tree


def _place(sectors: list[bytes], fat: list[int], data: bytes) -> int:
    """Append `data` as a chain of sectors; END when there is nothing to place."""
    if not data:
        return END
    first = len(sectors)
    count = -(-len(data) // SECTOR)
    for i in range(count):
        sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
        fat.append(first + i + 1 if i < count - 1 else END)
    return first


def _mini(small: dict[str, bytes]) -> tuple[bytes, list[int], dict[str, int]]:
    stream, table, starts = b"", [], {}
    for name, data in small.items():
        count = max(1, -(-len(data) // MINI))
        starts[name] = len(table)
        table += [len(table) + i + 1 for i in range(count - 1)] + [END]
        stream += data.ljust(count * MINI, b"\0")
    return stream, table, starts


def _fat_sectors(sectors: list[bytes], fat: list[int]) -> list[int]:
    """Append the FAT itself, in as many sectors as it needs to describe every sector."""
    count = 1
    while (len(sectors) + count) > count * (SECTOR // 4):
        count += 1
    first = len(sectors)
    fat += [FATSECT] * count
    fat += [FREE] * (count * (SECTOR // 4) - len(fat))
    table = struct.pack(f"<{len(fat)}L", *fat)
    sectors += [table[i * SECTOR:(i + 1) * SECTOR] for i in range(count)]
    return list(range(first, first + count))


def _entry(name: str, kind: int, start: int, size: int, right: int | None = None,
           child: int | None = None) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0"
    return _ENTRY.pack(raw.ljust(64, b"\0"), len(raw), kind, 1, NOSTREAM,
                       NOSTREAM if right is None else right,
                       NOSTREAM if child is None else child, b"\0" * 16, 0, 0, 0, start, size)


def _header(fat_sectors: list[int], directory: int, mini_fat: int, mini_entries: int) -> bytes:
    mini_sectors = -(-mini_entries * 4 // SECTOR)
    difat = fat_sectors + [FREE] * (109 - len(fat_sectors))
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
            + struct.pack("<HHHHH6xLLLLLLLLL", 0x3E, 3, 0xFFFE, 9, 6, 0, len(fat_sectors),
                          directory, 0, CUTOFF, mini_fat if mini_sectors else END,
                          mini_sectors, END, 0)
            + struct.pack("<109L", *difat))
