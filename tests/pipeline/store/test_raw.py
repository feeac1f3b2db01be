"""The raw store writes durably and names files by content."""
from __future__ import annotations

import hashlib

from pipeline.store.raw import RawStore


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
