"""Hostile attachments through the pipeline's isolated reader, each measured on its own.

    python -m tests.support.hostile_probe ROOT CASE...

prints one JSON line per case: the reason each file was refused, the wall-clock seconds the
worker spent expanding and reading it, the peak resident memory of the parser children that
did the work (getrusage of a process whose only children they are), and every file that
appeared under ROOT/CASE, whose work/ folder is the current directory and TMPDIR of the run
and whose outside/ folder is where the traversal names of the ZIP cases point.

A fresh interpreter and one fork per case keep pytest's own memory and earlier cases out of
the numbers; the generators run in the case's own process too.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from parsers.model import Attachment
from pipeline.workers.reader import IsolatedReader, Limits
from tests.support import hostile

# The limits config.toml ships with; the PDFs that never finish get a 3-second CPU budget so
# that the test shows the kill without waiting a minute for it.
DEFAULT = Limits()
QUICK = Limits(memory_mb=512, cpu_seconds=3, wall_seconds=10)
# Where the escaping names point, relative to the work folder (the current directory).
OUTSIDE = "../outside"


def _escaping(name: Callable[[Path], str]) -> Callable[[Path], bytes]:
    return lambda case: hostile.zip_named(name(case))


# case → (generator of the bytes, given the case folder; attachment name; limits)
CASES: dict[str, tuple[Callable[[Path], bytes], str, Limits]] = {
    "zip-nested-bomb": (lambda _: hostile.zip_bomb_nested(), "材料.zip", DEFAULT),
    "zip-of-bombs": (lambda _: hostile.zip_of_bombs(), "材料.zip", DEFAULT),
    "zip-overlap-same-header": (lambda _: hostile.zip_overlap_same_header(), "材料.zip",
                                DEFAULT),
    "zip-overlap-quoted": (lambda _: hostile.zip_overlap_quoted(), "材料.zip", DEFAULT),
    "zip-one-gigabyte-member": (lambda _: hostile.zip_one_gigabyte(), "材料.zip", DEFAULT),
    "zip-100000-members": (lambda _: hostile.zip_many_members(), "材料.zip", DEFAULT),
    "zip-dotdot": (_escaping(lambda _: f"{OUTSIDE}/escaped.txt"), "材料.zip", DEFAULT),
    "zip-dotdot-backslash": (_escaping(lambda _: "..\\outside\\escaped.txt"), "材料.zip",
                             DEFAULT),
    "zip-absolute": (_escaping(lambda case: f"{case}/outside/absolute.txt"), "材料.zip",
                     DEFAULT),
    "zip-drive-letter": (_escaping(lambda _: "C:\\outside\\drive.txt"), "材料.zip", DEFAULT),
    "zip-symlink": (lambda case: hostile.zip_symlink(f"{case}/outside"), "材料.zip", DEFAULT),
    "zip-encrypted": (lambda _: hostile.zip_encrypted(), "材料.zip", DEFAULT),
    "zip-lying-header": (lambda _: hostile.zip_lying_size(), "材料.zip", DEFAULT),
    "docx-gigabytes": (lambda _: hostile.docx_gigabytes(), "申报表.docx", DEFAULT),
    "docx-empty-paragraphs": (lambda _: hostile.docx_empty_paragraphs(), "申报表.docx",
                              DEFAULT),
    "docx-xxe": (lambda _: hostile.docx_xxe(), "申报表.docx", DEFAULT),
    "docx-billion-laughs": (lambda _: hostile.docx_billion_laughs(), "申报表.docx", DEFAULT),
    "docx-deep": (lambda _: hostile.docx_deep(), "申报表.docx", DEFAULT),
    "pdf-endless": (lambda _: hostile.pdf_endless(), "检测报告.pdf", QUICK),
    "pdf-reference-loop": (lambda _: hostile.pdf_reference_loop(), "检测报告.pdf", QUICK),
    "pdf-deep-nesting": (lambda _: hostile.pdf_deep_nesting(), "检测报告.pdf", QUICK),
    "png-10-gigapixels": (lambda _: hostile.png_bomb(), "现场照片.png", DEFAULT),
    "bmp-10-gigapixels": (lambda _: hostile.bmp_bomb(), "现场照片.bmp", DEFAULT),
    "tiff-10-gigapixels": (lambda _: hostile.tiff_bomb(), "现场照片.tif", DEFAULT),
    "jpeg-largest-header": (lambda _: hostile.jpeg_bomb(), "现场照片.jpg", DEFAULT),
    "jpeg-truncated": (lambda _: hostile.jpeg_truncated(), "现场照片.jpg", DEFAULT),
}


def measure(root: Path, case: str) -> dict:
    """Run one case in a forked process; what it reported, and the files it left."""
    folder = root / case
    for sub in ("work/tmp", "outside"):
        (folder / sub).mkdir(parents=True)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code = 0
        try:
            report = _run(folder, case)
            os.write(writer, json.dumps(report, ensure_ascii=False).encode())
        except BaseException:  # the report says what failed; never fall back into the loop
            code = 70
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    report = json.loads(output) if output else {"failed": os.waitstatus_to_exitcode(status)}
    report["written"] = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                               if p.is_file() or p.is_symlink())
    return report


def _run(folder: Path, case: str) -> dict:
    """In the forked process: the worker's part, from the attachment to the read files."""
    make, name, limits = CASES[case]
    data = make(folder)
    os.chdir(folder / "work")
    os.environ["TMPDIR"] = str(folder / "work" / "tmp")
    tempfile.tempdir = None  # TMPDIR is read again on next use
    isolated = IsolatedReader(limits)
    started = time.monotonic()
    files = isolated.read(isolated.expand([Attachment(name, "application/octet-stream", data)]))
    seconds = time.monotonic() - started
    isolated.close()  # the workers are reaped: only then do they count in RUSAGE_CHILDREN
    # ru_maxrss of the children: the largest of the parser processes this case forked.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"case": case, "size": len(data), "seconds": seconds, "rss_mib": peak,
            "errors": [f.content.error for f in files],
            "text": [repr(f.content) for f in files if f.content.error is None]}


def main(root: str, cases: list[str]) -> None:
    for case in cases:
        print(json.dumps(measure(Path(root), case), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
