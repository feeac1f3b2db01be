"""Hostile mails through the whole pipeline, each in a fresh interpreter, measured.

    python -m tests.support.hostile_mail_probe ROOT CASE

runs `intake run` (pipeline.app.runner.run) on a workspace under ROOT/CASE holding the case's
mail and, after it, an innocent complete submission, and prints one JSON line: the hostile
mail's decision (status, verdict, note, findings), whether its raw copy is on disk, the
innocent mail's verdict, the wall-clock seconds of the run, and the peak resident memory of
the main process and of the largest child (parser workers, converters).
"""
from __future__ import annotations

import email
import io
import json
import resource
import sys
import time
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Callable

from pipeline.app.runner import run
from pipeline.demo.samples import catalogue
from pipeline.demo.samples import at, encode_words, mail
from tests.support import hostile
from tests.support.hostile_cli import hostile_submission, with_header
from tests.support.hostile_exports import hostile_review_mail
from tests.support.listener import Listener, html_form_linking
from tests.support.workspace import make_workspace

HOSTILE_KEY, INNOCENT_KEY = "gpipc-park-complete", "ccea-green-complete"


def _sample(key: str) -> bytes:
    return next(s for s in catalogue() if s.key == key).build()


def with_files(files: list[tuple[str, bytes]]) -> bytes:
    """The complete sample with these files attached too."""
    message = email.message_from_bytes(_sample(HOSTILE_KEY), policy=policy.default)
    assert isinstance(message, EmailMessage)
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="octet-stream",
                               filename=name)
    return message.as_bytes()


def with_header_lines(count: int) -> bytes:
    head, sep, body = _sample(HOSTILE_KEY).partition(b"\n\n")
    return head + b"".join(b"\nX-Filler-%d: %d" % (i, i) for i in range(count)) + sep + body


def _zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


def html_doc_linking() -> bytes:
    """A park's 申报表.doc that is HTML linking a stylesheet, image and frame on the discard
    port (tests/scenarios/test_sandboxed_converters.py proves that nothing is fetched)."""
    form = html_form_linking(Listener(9), "示例园区")
    return mail("【示例园区】绿盟案例征集", "示例园区 <park@example.cn>", "申报材料",
                [("附件1-案例征集申报表.doc", form)], date=at(2024, 4, 2, 9, 0),
                message_id="linking@example.cn")


def forged_lure() -> bytes:
    """A complete submission whose subject puts a phishing request and a link in the unit."""
    lure = "【您的账户异常 请登录 http://evil.example.com/verify 核验】绿盟案例征集"
    return with_header(_sample(HOSTILE_KEY), "Subject", encode_words(lure, "utf-8").encode())


CASES: dict[str, Callable[[], bytes]] = {
    "ten-zips-of-zero-zips": lambda: with_files(
        [(f"材料{i}.zip", hostile.zip_of_zero_zips()) for i in range(10)]),
    "32000-header-lines": lambda: with_header_lines(32_000),
    "8000-header-lines": lambda: with_header_lines(8_000),
    "four-million-page-pdfs": lambda: with_files(
        [(f"证明材料{i}.pdf", hostile.pdf_page_tree_dag()) for i in range(4)]),
    "zip-of-199-million-page-pdfs": lambda: with_files(
        [("证明材料.zip", _zip_of({f"{i}.pdf": hostile.pdf_page_tree_dag() for i in range(199)}))]),
    "three-zips-of-199-files": lambda: with_files(
        [(f"照片{z}.zip", _zip_of({f"{i}.txt": b"%d" % i for i in range(199)})) for z in range(3)]),
    "html-doc-linking-remote-files": html_doc_linking,
    "forged-subject-with-a-lure": forged_lure,
    "markup-and-escapes-in-headers": hostile_submission,
    "executables-under-trusted-names": hostile_review_mail,
}


def measure(root: Path, case: str) -> dict:
    (root / case).mkdir(parents=True)
    workspace = make_workspace(root / case, [])
    new = workspace.root / "mail" / "new"
    (new / "1.hostile.eml").write_bytes(CASES[case]())
    (new / "2.innocent.eml").write_bytes(_sample(INNOCENT_KEY))
    started = time.monotonic()
    run(workspace.config())
    seconds = time.monotonic() - started
    rows = workspace.query("select id, status, verdict, note, raw_path from messages order by id")
    hostile_row, innocent = rows[0], rows[-1]
    findings = workspace.query("select rule, message from findings where message_row = ?",
                               [hostile_row["id"]])
    return {
        "case": case, "seconds": round(seconds, 2), "messages": len(rows),
        "status": hostile_row["status"], "verdict": hostile_row["verdict"],
        "note": hostile_row["note"], "raw_kept": Path(hostile_row["raw_path"]).is_file(),
        "findings": [f"{f['rule']}: {f['message'][:80]}" for f in findings],
        "innocent": innocent["verdict"],
        "rss_main_mib": _own_peak_mib(),
        "rss_child_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def _own_peak_mib() -> int:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    an exec, so a probe started by a big pytest process would report pytest's peak."""
    status = Path("/proc/self/status").read_text()
    return round(int(status.split("VmHWM:")[1].split()[0]) / 1024)


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), sys.argv[2]), ensure_ascii=False), flush=True)
