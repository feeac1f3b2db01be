"""Hostile legacy documents through real LibreOffice: macros that would run on opening have no
effect, and a document that holds the conversion is killed at the timeout with nothing left."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import docx
import pytest

from parsers.office import Converter
from tests.support import hostile
from tests.support.office import needs_soffice, office_convert

LOW_SECURITY = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://'
                'openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop '
                'oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>\n'
                '</oor:items>\n')


@pytest.fixture(scope="module")
def word97() -> bytes:
    """A plain .doc written by LibreOffice, to carry the VBA project."""
    document = docx.Document()
    document.add_paragraph("案例征集申报表")
    out = io.BytesIO()
    document.save(out)
    return office_convert(out.getvalue(), ".docx", "doc")


def open_in_office(profile: Path, path: Path, marker: Path, wait: float) -> bool:
    """Open `path` as a user would (not --convert-to: documents opened so run their macros as
    the profile allows); True as soon as `marker` appears, False after `wait` seconds."""
    process = subprocess.Popen([needs_soffice(), "--headless", "--norestore", "--nolockcheck",
                                f"-env:UserInstallation={profile.as_uri()}", str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline and not marker.exists():
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return marker.exists()


def processes_using(profile: Path) -> list[str]:
    """Live processes whose command line names the profile (a zombie's is empty)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue  # ended while we looked
        if profile.as_uri().encode() in command:
            found.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_the_macro_fixture_runs_where_macros_are_allowed(tmp_path):
    """The control: opened by LibreOffice with macro security at its lowest, the document's
    OnLoad macro writes the marker within seconds, so a missing marker below means something."""
    profile, marker = tmp_path / "low", tmp_path / "MARKER"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LOW_SECURITY)
    (tmp_path / "form.fodt").write_bytes(hostile.fodt_with_macro(str(marker)))
    assert open_in_office(profile, tmp_path / "form.fodt", marker, wait=60)
    assert marker.read_text().strip() == "macro ran"


def test_the_vba_fixture_is_a_real_project_with_auto_run_macros(tmp_path, word97):
    """LibreOffice (default settings) reads the .doc's VBA project: both auto-run subs."""
    (tmp_path / "form.doc").write_bytes(hostile.doc_with_macro(word97, str(tmp_path / "M")))
    subprocess.run([needs_soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "odt", "--outdir", str(tmp_path), str(tmp_path / "form.doc")],
                   check=True, capture_output=True, timeout=120)
    with zipfile.ZipFile(tmp_path / "form.odt") as odt:
        basic = "".join(odt.read(n).decode() for n in odt.namelist() if n.startswith("Basic/"))
    assert "Sub AutoOpen()" in basic and "Sub Document_Open()" in basic


def test_converting_documents_with_auto_run_macros_runs_none(tmp_path, word97):
    """GIVEN a .doc whose VBA AutoOpen/Document_Open and an OpenDocument whose OnLoad macro
    write a marker WHEN the worker's converter turns them into .docx THEN both convert, no
    marker appears, the .docx carries no VBA, and the worker's profile turns macros off."""
    marker = tmp_path / "MARKER"
    converter = Converter(tmp_path / "cache" / "converted")
    results = converter.convert_many([(hostile.doc_with_macro(word97, str(marker)), "doc"),
                                      (hostile.fodt_with_macro(str(marker)), "doc")])
    assert [r.error for r in results.values()] == [None, None]
    assert not marker.exists()
    for result in results.values():
        assert not [n for n in zipfile.ZipFile(io.BytesIO(result.docx)).namelist()
                    if "vba" in n.lower()]
    settings = (converter._profile_dir() / "user" / "registrymodifications.xcu").read_text()
    for setting in ('"MacroSecurityLevel" oor:op="fuse"><value>3<',
                    '"DisableMacrosExecution" oor:op="fuse"><value>true<',
                    '"Executable" oor:op="fuse"><value>false<',
                    '"Load" oor:op="fuse"><value>false<'):
        assert setting in settings  # still there after LibreOffice rewrote the file on exit


@pytest.mark.slow
def test_even_opened_in_the_worker_profile_the_macro_does_not_run(tmp_path):
    """Not only --convert-to: a document opened as a user would, in the worker's profile, runs
    no macro (the control above runs it in about a second; here 20 s pass without)."""
    converter = Converter(tmp_path / "cache" / "converted")
    marker = tmp_path / "MARKER"
    (tmp_path / "form.fodt").write_bytes(hostile.fodt_with_macro(str(marker)))
    assert not open_in_office(converter._profile_dir(), tmp_path / "form.fodt", marker, wait=20)


def test_a_conversion_that_hangs_is_killed_at_the_timeout_with_no_soffice_left(tmp_path):
    """GIVEN an RTF that LibreOffice 7.4 had not finished converting after 5 minutes (2 million
    empty paragraphs) WHEN converted with a 3-second timeout THEN the conversion fails with 超时
    after about 3 s, and no LibreOffice process using the worker's profile is left running."""
    needs_soffice()
    converter = Converter(tmp_path / "cache" / "converted", timeout=3, per_file=0)
    profile = converter._profile_dir()
    during: list[list[str]] = []  # the control: the scan does see LibreOffice while it runs
    watcher = threading.Timer(1.5, lambda: during.append(processes_using(profile)))
    watcher.start()
    started = time.monotonic()
    result = converter.convert(hostile.rtf_endless(), "rtf")
    elapsed = time.monotonic() - started
    watcher.join()
    print(f"killed after {elapsed:.1f} s: {result.error}; running at 1.5 s: {during}")
    assert result.docx is None and "超时" in result.error
    assert 3 <= elapsed < 8
    assert any("soffice" in command for command in during[0])
    assert processes_using(profile) == []
