"""The raw store writes durably and names files by content."""
from __future__ import annotations

import ctypes
import hashlib
import mmap
import os
import sys

import pytest

from pipeline.store import RawStore, write_durably


def test_put_names_by_sha256_and_reads_back(tmp_path):
    store = RawStore(tmp_path)
    sha256, path = store.put(b"Subject: x\r\n\r\nbody")
    assert sha256 == hashlib.sha256(b"Subject: x\r\n\r\nbody").hexdigest()
    assert path == tmp_path / sha256[:2] / f"{sha256}.eml"
    assert store.get(sha256) == b"Subject: x\r\n\r\nbody"
    assert not list(tmp_path.rglob("*.tmp"))


def test_identical_bytes_are_stored_once(tmp_path):
    store = RawStore(tmp_path)
    assert store.put(b"a")[1] == store.put(b"a")[1]
    assert len(list(tmp_path.rglob("*.eml"))) == 1


def test_sweep_removes_what_a_killed_write_left_and_nothing_else(tmp_path):
    store = RawStore(tmp_path)
    sha, path = store.put(b"From: a@example.org\n\nbody")
    half = path.parent / f".{'0' * 64}.eml.4242.tmp"
    half.write_bytes(b"From: half")
    assert store.sweep() == 1
    assert not half.exists() and path.read_bytes() == b"From: a@example.org\n\nbody"
    assert RawStore(tmp_path / "missing").sweep() == 0


def resident_pages(path) -> tuple[int, int]:
    """(pages in the page cache, pages) of a file, from mincore(2) over a read-only mapping."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    with open(path, "rb") as handle:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, handle.fileno(), 0)
    assert address not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
    try:
        vector = ctypes.create_string_buffer(pages)
        assert libc.mincore(address, size, vector) == 0, os.strerror(ctypes.get_errno())
        return sum(byte & 1 for byte in vector.raw), pages
    finally:
        libc.munmap(address, size)


def on_tmpfs(path) -> bool:
    """tmpfs keeps files only in memory: there is no cache to release."""
    mounts = [line.split() for line in open("/proc/mounts", encoding="utf-8")]
    best = max((m for m in mounts if str(path).startswith(m[1].rstrip("/") + "/")),
               key=lambda m: len(m[1]))
    return best[2] == "tmpfs"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mincore(2) and /proc/mounts")
def test_a_stored_mail_leaves_the_page_cache_once_it_is_on_disk(tmp_path):
    """The raw store is an archive: its 5 MB files do not grow the cache (see write_durably)."""
    if on_tmpfs(tmp_path):
        pytest.skip("the test folder is on tmpfs")
    data = os.urandom(5 * 1048576)
    kept = tmp_path / "kept.eml"
    write_durably(kept, data)
    assert resident_pages(kept)[0] > 0  # the control: written normally, its pages stay
    sha256, path = RawStore(tmp_path / "raw").put(data)
    assert resident_pages(path)[0] == 0
    assert RawStore(tmp_path / "raw").get(sha256) == data
