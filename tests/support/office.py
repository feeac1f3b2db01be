"""Test fixtures through real LibreOffice: .doc, .rtf and Word-exported PDFs made from .docx."""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# One profile per test process: two runs sharing one would hand work to each other's soffice.
_PROFILE = Path(tempfile.gettempdir()) / f"intake-test-lo-profile-{os.getpid()}"
_MADE: dict[tuple[str, str], bytes] = {}
atexit.register(shutil.rmtree, _PROFILE, ignore_errors=True)


def needs_soffice() -> str:
    """The soffice binary, or skip: `make test` installs libreoffice-writer-nogui."""
    binary = shutil.which("soffice")
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make test` installs it")
    return binary


def office_convert(data: bytes, suffix: str, target: str) -> bytes:
    """`data` (a file with `suffix`, e.g. ".docx") saved by LibreOffice as `target` ("doc", "pdf").

    Word formats are written from an .odt first: LibreOffice 7.4 drops python-docx's tables
    when it saves a .docx straight to .doc, which no real Word or WPS file goes through.
    """
    key = (hashlib.sha256(data).hexdigest(), target)
    if key not in _MADE:
        binary = needs_soffice()
        if suffix == ".docx" and not target.startswith("pdf"):
            data, suffix = _run(binary, data, suffix, "odt"), ".odt"
        _MADE[key] = _run(binary, data, suffix, target)
    return _MADE[key]


def _run(binary: str, data: bytes, suffix: str, target: str) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"fixture{suffix}"
        source.write_bytes(data)
        subprocess.run([binary, "--headless", "--norestore",
                        f"-env:UserInstallation={_PROFILE.as_uri()}", "--convert-to", target,
                        "--outdir", work, str(source)],
                       check=True, capture_output=True, timeout=180)
        return (Path(work) / f"fixture.{target.split(':')[0]}").read_bytes()


def office_convert_direct(data: bytes, suffix: str, target: str) -> bytes:
    """`data` saved by LibreOffice straight as `target`, without office_convert's .odt step: the
    route on which LibreOffice 7.4 writes a .doc ending in a table without its last paragraph
    mark, and its own .doc import then glues that table's cells into paragraphs."""
    key = (hashlib.sha256(data).hexdigest(), f"direct:{target}")
    if key not in _MADE:
        _MADE[key] = _run(needs_soffice(), data, suffix, target)
    return _MADE[key]
