"""Many fixtures through real LibreOffice in one start: the corpus's authoring routes."""
from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from tests.support.office import needs_soffice

# A profile of its own: the product's converter and the tests' single-file helper use theirs.
_PROFILE = Path(tempfile.gettempdir()) / "intake-accuracy-lo-profile"
# What LibreOffice is asked to write, by target suffix; HTML is opened as a Writer document
# (not Writer/Web, which cannot save Word formats), as "open the page in Writer, save as" does.
_FILTERS = {"docx": "docx:MS Word 2007 XML", "doc": "doc:MS Word 97", "odt": "odt"}
_INFILTERS = {".html": "HTML (StarWriter)"}


def convert_all(items: Sequence[tuple[bytes, str]], target: str) -> list[bytes]:
    """Each (data, suffix) saved by LibreOffice as `target` ("docx", "doc", "odt"), in order.

    All files of one suffix go through one soffice start; equal inputs are converted once.
    """
    out: dict[str, bytes] = {}
    by_suffix: dict[str, dict[str, bytes]] = {}
    for data, suffix in items:
        by_suffix.setdefault(suffix, {})[hashlib.sha256(data).hexdigest()] = data
    for suffix, files in by_suffix.items():
        out.update(_run(files, suffix, target))
    return [out[hashlib.sha256(data).hexdigest()] for data, _ in items]


def _run(files: dict[str, bytes], suffix: str, target: str) -> dict[str, bytes]:
    binary = needs_soffice()
    with tempfile.TemporaryDirectory(prefix="intake-accuracy-") as work:
        sources = []
        for sha, data in files.items():
            source = Path(work) / f"{sha}{suffix}"
            source.write_bytes(data)
            sources.append(source)
        outdir = Path(work) / "out"
        command = [binary, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={_PROFILE.as_uri()}"]
        if suffix in _INFILTERS:
            command.append(f"--infilter={_INFILTERS[suffix]}")
        command += ["--convert-to", _FILTERS[target], "--outdir", str(outdir), *map(str, sources)]
        subprocess.run(command, check=True, capture_output=True, timeout=900)
        return {sha: (outdir / f"{sha}.{target}").read_bytes() for sha in files}
