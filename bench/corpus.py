"""The benchmark's mailbox: N submissions of about 5 MB as applicants send them on a last day.

Each mail carries a .docx form (a .doc, one mail in ten), a .docx write-up, a two-page PDF
exported from Word by LibreOffice, and three photos of about 1.2 MB; the subject is GB18030 or
UTF-8, and the file names are RFC 2231 in half the mails, RFC 2047 inside quotes in the other
half. One more mail carries a 60 MB video. Everything derives from the seed: the same seed
gives the same bytes. Built on the sample generator (pipeline/demo/samples).
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.demo.samples import at, build_form, build_writeup, filler, mail, photo, write_maildir
from pipeline.demo.samples.catalogue import Sample
from pipeline.demo.samples.texts import paragraphs
from pipeline.demo.samples.word import new_document, save

CAMPAIGN = "gpipc-park-2024"
PHOTO_BYTES = 1_200_000
# Photos are drawn from a pool: making a noisy 1.2 MB JPEG costs about 0.1 s.
PHOTO_POOL = 24
PDF_POOL = 8
LEGACY_EVERY = 10
BIG_VIDEO_BYTES = 60 * 1024 * 1024
_CATEGORIES = ("绿色基础设施创新", "绿色产业发展创新", "绿色投资环境创新", "绿色国际合作创新")


@dataclass(frozen=True)
class Corpus:
    maildir: Path
    # The 60 MB mail, in a Maildir of its own (measured alone, for its peak memory).
    big_maildir: Path
    big_eml: Path
    # The legacy forms as LibreOffice wrote them, for the conversion measurement.
    legacy: tuple[Path, ...]
    count: int

    @property
    def emls(self) -> list[Path]:
        return sorted((self.maildir / "new").iterdir())

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.emls)


def soffice_convert(sources: list[Path], target: str, outdir: Path, profile: Path) -> list[Path]:
    """Every source converted in one LibreOffice call; the outputs in the same order."""
    binary = shutil.which("soffice")
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is needed: `make bench` installs it")
    subprocess.run([binary, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)
    return [outdir / f"{s.stem}.{target.split(':')[0]}" for s in sources]


def _unit(i: int) -> str:
    return f"示例第{i + 1:03d}号经济技术开发区管理委员会"


def _over_long(i: int) -> bool:
    """One summary in eight runs over the form's 200 字: a 补正 notice, as in real life."""
    return i % 8 == 3


def expected_deficient(count: int) -> int:
    """How many of the corpus's submissions must come out deficient (the rest complete)."""
    return sum(_over_long(i) for i in range(count))


def _form(i: int) -> bytes:
    unit = _unit(i)
    values = {"unit_name": unit, "contact_name": "张示例", "contact_title": "科长",
              "contact_phone": f"138000{i:05d}", "contact_email": f"applicant{i:03d}@example.cn",
              "case_name": f"园区第{i + 1}号分布式光伏与智慧能源管理平台建设",
              "summary": filler(260 if _over_long(i) else 150 + i % 40, f"bench-summary-{i}"),
              "category": _CATEGORIES[i % len(_CATEGORIES)], "fill_date": "2024年4月8日"}
    return build_form(CAMPAIGN, values)


def _writeup(i: int) -> bytes:
    """附件2, its three sections in their ranges."""
    sections = {"背景情况": filler(400, f"bench-{i}-1"), "特色经验": filler(900, f"bench-{i}-2"),
                "未来展望": filler(400, f"bench-{i}-3")}
    return build_writeup(CAMPAIGN, f"向阳而行：第{i + 1}号零碳园区", f"示例第{i + 1:03d}号经济技术开发区绿色发展创新案例", sections)


def _report(n: int) -> bytes:
    """A two-page test report (检测报告), the kind of proof parks attach as a PDF."""
    doc = new_document("园区能源审计与节能量第三方检测报告")
    for paragraph in paragraphs(filler(1600, f"bench-report-{n}")):
        doc.add_paragraph(paragraph)
    return save(doc)


class _Office:
    """LibreOffice batches in a private profile: the report PDFs and the legacy .doc forms."""

    def __init__(self, work: Path):
        self.work, self.profile = work, work / "profile"

    def pdfs(self, count: int) -> list[bytes]:
        folder = self.work / "reports"
        folder.mkdir()
        sources = []
        for i in range(count):
            (path := folder / f"report{i}.docx").write_bytes(_report(i))
            sources.append(path)
        return [p.read_bytes() for p in soffice_convert(sources, "pdf", folder, self.profile)]

    def docs(self, indices: list[int], keep: Path) -> dict[int, bytes]:
        """Forms saved as Word 97 .doc, through .odt as in tests/support/office.py (LibreOffice drops
        python-docx's tables on a direct .docx to .doc)."""
        folder = self.work / "legacy"
        folder.mkdir()
        sources = []
        for i in indices:
            (path := folder / f"form{i:03d}.docx").write_bytes(_form(i))
            sources.append(path)
        odts = soffice_convert(sources, "odt", folder, self.profile)
        docs = soffice_convert(odts, "doc", keep, self.profile)
        return {i: p.read_bytes() for i, p in zip(indices, docs)}


def _video(path: Path, size: int) -> None:
    """A noisy MPEG-4 video of about `size` bytes (noise keeps the encoder from shrinking it)."""
    seconds = 1.0
    for _ in range(4):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25",
                        "-vf", "noise=alls=60:allf=t", "-t", f"{seconds:.2f}", "-c:v", "mpeg4",
                        "-q:v", "2", "-pix_fmt", "yuv420p", str(path)], check=True, timeout=300)
        got = path.stat().st_size
        if abs(got - size) <= size * 0.05:
            return
        seconds *= size / got


def _submission(i: int, files: list[tuple[str, bytes]]) -> bytes:
    unit = _unit(i)
    body = (f"绿盟秘书处：\n\n　　您好！现报送{unit}绿色发展创新案例申报材料，包括申报表、案例编辑模板、"
            f"检测报告PDF及照片3张，请查收。\n\n张示例\n电话：138000{i:05d}")
    return mail(f"【{unit}】绿盟案例征集", f"张示例 <applicant{i:03d}@example.cn>", body, files,
                date=at(2024, 4, 1 + i % 14, 9 + i % 9, i % 60), message_id=f"bench-{i:04d}@example.cn",
                subject_charset="gb18030" if i % 2 else "utf-8",
                filename_style="rfc2231" if i % 4 < 2 else "rfc2047")


def build(root: Path, count: int = 200, seed: int = 8) -> Corpus:
    """Write the corpus under `root` (emptied first)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    photos = [photo(PHOTO_BYTES, f"bench-{seed}-{n}") for n in range(PHOTO_POOL)]
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as work:
        office = _Office(Path(work))
        pdfs = office.pdfs(PDF_POOL)
        legacy_dir = root / "legacy"
        legacy_dir.mkdir()
        docs = office.docs([i for i in range(count) if i % LEGACY_EVERY == 0], legacy_dir)
    samples = []
    for i in range(count):
        form = ("附件1-案例征集申报表.doc", docs[i]) if i in docs else ("附件1-案例征集申报表.docx", _form(i))
        chosen = rng.sample(photos, 3)
        files = [form, ("附件2-案例编辑模板.docx", _writeup(i)), ("检测报告.pdf", pdfs[i % PDF_POOL]),
                 *((f"现场照片{k + 1}.jpg", data) for k, data in enumerate(chosen))]
        samples.append(Sample(f"bench-{i:04d}", CAMPAIGN, "", frozenset(), "",
                              lambda i=i, files=files: _submission(i, files)))
    write_maildir(root / "maildir", samples)
    return Corpus(root / "maildir", *_big(root, count), tuple(sorted(legacy_dir.iterdir())), count)


def _big(root: Path, count: int) -> tuple[Path, Path]:
    """The 60 MB-video mail, alone in its own Maildir."""
    video = root / "video.mp4"
    _video(video, BIG_VIDEO_BYTES)
    files = [("附件1-案例征集申报表.docx", _form(count)), ("案例宣传视频.mp4", video.read_bytes())]
    video.unlink()
    sample = Sample("bench-big", CAMPAIGN, "", frozenset(), "", lambda: _submission(count, files))
    [path] = write_maildir(root / "big", [sample])
    return root / "big", path


if __name__ == "__main__":
    import sys
    corpus = build(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    print(corpus.count, corpus.total_bytes / corpus.count / 1e6, "MB/mail", os.fspath(corpus.big_eml))
