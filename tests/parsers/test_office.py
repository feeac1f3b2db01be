"""Legacy Word through real LibreOffice: batches, the cache, failures and the profile lock."""
from __future__ import annotations

import hashlib
import io
import os

import docx
import pytest

from parsers import children
from parsers.office import Converter
from parsers.word import read_word
from pipeline.demo.samples import build_form, mail
from pipeline.demo.samples.catalogue import Sample
from pipeline.demo.samples.mime import at
from tests.support.listener import html_form_linking, listening
from tests.support.office import needs_soffice, office_convert


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "单位名称", text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def legacy() -> dict[str, bytes]:
    needs_soffice()
    return {"doc": office_convert(_docx("示例科技有限公司"), ".docx", "doc"),
            "rtf": office_convert(_docx("示例园区管理委员会"), ".docx", "rtf")}


def test_a_batch_converts_every_file(tmp_path, legacy):
    converter = Converter(tmp_path / "cache")
    results = converter.convert_many([(legacy["doc"], "doc"), (legacy["rtf"], "rtf")])
    texts = [read_word(results[hashlib.sha256(data).hexdigest()].docx).all_text()
             for data in legacy.values()]
    assert "示例科技有限公司" in texts[0] and "示例园区管理委员会" in texts[1]
    assert "单位名称" in texts[0]


def test_a_conversion_is_cached_by_sha256(tmp_path, legacy):
    converter = Converter(tmp_path / "cache")
    first = converter.convert(legacy["doc"], "doc")
    assert (tmp_path / "cache" / f"{hashlib.sha256(legacy['doc']).hexdigest()}.docx").is_file()
    converter = Converter(tmp_path / "cache", timeout=0.001)  # would time out if it ran
    assert converter.convert(legacy["doc"], "doc").docx == first.docx


def test_a_broken_file_fails_alone_and_the_rest_of_the_batch_converts(tmp_path, legacy):
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    results = Converter(tmp_path / "cache").convert_many([(broken, "doc"), (legacy["doc"], "doc")])
    assert results[hashlib.sha256(broken).hexdigest()].docx is None
    assert "LibreOffice" in results[hashlib.sha256(broken).hexdigest()].error
    assert results[hashlib.sha256(legacy["doc"]).hexdigest()].docx


def test_a_timeout_kills_libreoffice_and_says_so(tmp_path, legacy):
    result = Converter(tmp_path / "cache", timeout=0.01, per_file=0).convert(legacy["doc"], "doc")
    assert result.docx is None and "超时" in result.error


def test_two_workers_use_two_profiles(tmp_path):
    """A second LibreOffice on a busy profile would hand its work over and write nothing."""
    first, second = Converter(tmp_path / "cache"), Converter(tmp_path / "cache")
    taken = first._profile_dir()
    assert taken != second._profile_dir()
    first.close()
    assert Converter(tmp_path / "cache")._profile_dir() == taken


@pytest.mark.parametrize("sandbox", ["namespace", "fallback"])
def test_an_html_doc_linking_remote_files_is_converted_without_fetching_them(
        tmp_path, monkeypatch, sandbox):
    """GIVEN an HTML "申报表.doc" with a remote stylesheet, image and frame on a loopback server
    WHEN LibreOffice converts it, in a network namespace or (where the kernel has none) with
    only its own settings THEN the form converts and the server is asked for nothing."""
    needs_soffice()
    if sandbox == "fallback":
        monkeypatch.setattr(children, "_namespace_prefix", lambda pid: ())
    elif not children._namespace_prefix(os.getpid()):
        pytest.skip("this kernel gives no network namespace")
    with listening() as listener:
        result = Converter(tmp_path / "cache").convert(html_form_linking(listener, "示例单位"),
                                                       "html")
    assert listener.requests == []
    assert "示例单位" in read_word(result.docx).all_text()


def test_libreoffice_starts_without_our_password_variables(tmp_path, monkeypatch):
    """GIVEN the SMTP and IMAP passwords in our environment WHEN LibreOffice is started THEN its
    environment holds neither, and (where the kernel allows) it is in a network of its own."""
    seen = tmp_path / "seen"
    program = tmp_path / "bin" / "soffice"
    program.parent.mkdir()
    program.write_text(f"#!/bin/sh\nenv > {seen}.env\nreadlink /proc/self/ns/net > {seen}.net\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", "smtp-secret-4711")
    monkeypatch.setenv("INTAKE_TEST_IMAP_CODE", "imap-secret-4711")
    result = Converter(tmp_path / "cache").convert(b"<html>x</html>", "html")
    assert result.docx is None  # the stand-in writes nothing
    environment = (tmp_path / "seen.env").read_text()
    assert "secret-4711" not in environment and "PATH=" in environment
    if children._namespace_prefix(os.getpid()):
        assert (tmp_path / "seen.net").read_text().strip() != os.readlink("/proc/self/ns/net")


def _legacy_sample(n: int) -> Sample:
    """A park's mail whose form is a Word 97 .doc (made by LibreOffice)."""
    form = office_convert(build_form("gpipc-park-2024", {"unit_name": f"示例园区{n}"}),
                          ".docx", "doc")
    data = mail(f"【示例园区{n}】绿盟案例征集", f"园区{n} <park{n}@example.cn>", "申报材料",
                [("附件1-案例征集申报表.doc", form)], date=at(2024, 4, 2, 9, n),
                message_id=f"legacy-{n}@example.cn")
    return Sample(f"legacy-{n}", "gpipc-park-2024", "deficient", set(), "legacy", lambda: data)


def test_a_run_converts_the_legacy_files_of_every_pending_mail_in_one_batch(tmp_path, monkeypatch):
    """GIVEN three pending mails, each with a .doc form
    WHEN the pipeline runs THEN LibreOffice starts once for the three, and each form is read."""
    from parsers import office
    from pipeline.app import runner
    from tests.support.workspace import make_workspace

    workspace = make_workspace(tmp_path, [_legacy_sample(n) for n in range(3)])
    calls = []
    real = office.Converter._run
    monkeypatch.setattr(office.Converter, "_run",
                        lambda self, files, *rest: calls.append(len(files)) or real(self, files, *rest))
    runner.run(workspace.config())
    assert calls == [3]
    units = workspace.query("select unit_name from submissions order by id")
    assert [row["unit_name"] for row in units] == [f"示例园区{n}" for n in range(3)]


def test_while_libreoffice_converts_the_parsers_start_on_the_other_mails(tmp_path, monkeypatch):
    """GIVEN pending mails with and without .doc forms WHEN the pipeline runs THEN the mails
    without are handed to the parsers before LibreOffice's batch ends, those with only after."""
    from parsers import office
    from pipeline.app import runner
    from pipeline.demo.samples import catalogue
    from tests.support.workspace import make_workspace

    plain = [s for s in catalogue() if s.key in ("gpipc-park-complete", "cq-ict-complete")]
    workspace = make_workspace(tmp_path, [_legacy_sample(0), *plain, _legacy_sample(1)])
    events = []
    real_run, real_prepare = office.Converter._run, runner.prepare

    def run(self, files, *rest):
        try:
            return real_run(self, files, *rest)
        finally:
            events.append("converted")

    def prepare(data, reader):
        events.append("legacy" if b"legacy-" in data else "plain")
        return real_prepare(data, reader)

    monkeypatch.setattr(office.Converter, "_run", run)
    monkeypatch.setattr(runner, "prepare", prepare)
    report = runner.run(workspace.config())
    before = events[:events.index("converted")]
    assert before == ["plain", "plain"]
    assert len(report.outcomes) == 4 and not report.parked
