"""No phone or mailbox printed in the notices appears anywhere in the project's files."""
from __future__ import annotations

import subprocess

from tests.conftest import ROOT, seed_contacts


def project_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def test_no_file_names_a_real_contact():
    forbidden = seed_contacts()
    hits = []
    for name in project_files():
        text = (ROOT / name).read_bytes().decode("utf-8", "replace").lower()
        hits += [f"{name}: {contact}" for contact in forbidden if contact in text]
    assert hits == []
