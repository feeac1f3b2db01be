"""The benchmark's figures, its targets, and bench/RESULTS.md."""
from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.imapbench import FetchFigures, PollFigures
from bench.officebench import ConversionFigures

LIBRARIES = ("imapclient", "python-docx", "lxml", "pdfplumber", "pdfminer.six", "pypdfium2",
             "pillow", "sqlite-utils", "jinja2")
_TOOLS = {"Dovecot": ["dovecot", "--version"], "LibreOffice": ["soffice", "--version"],
          "ffprobe": ["ffprobe", "-version"]}


@dataclass
class Figures:
    count: int
    mail_bytes: float
    build_seconds: float
    floor_ms: float = 0.0
    pipeline_ms: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    parked: int = 0
    expected_deficient: int = 0
    fetch: FetchFigures | None = None
    # The same mails written durably, nothing else: the ceiling of any fetch that keeps mail.
    disk_per_second: float = 0.0
    disk_cpu_ms: float = 0.0  # the CPU those writes used, per mail
    polls: list[PollFigures] = field(default_factory=list)
    conversion: ConversionFigures | None = None
    rss: dict = field(default_factory=dict)
    cores: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    total_seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return self.pipeline_ms / self.floor_ms

    @property
    def correct(self) -> bool:
        """The pipeline did the real work: every mail answered as the corpus says it must be."""
        deficient = self.expected_deficient
        return self.parked == 0 and self.verdicts == {
            k: v for k, v in {"complete": self.count - deficient, "deficient": deficient}.items() if v}

    @property
    def poll_ratio(self) -> float:
        large, small = self.polls
        return large.poll_ms / small.poll_ms

    @property
    def rss_multiple(self) -> float:
        """The most any one process grew while reading the 60 MB mail, over the .eml's size."""
        rss = self.rss
        grown = max(rss["peak"] - rss["before"], rss["worker_peak"] - rss["before"])
        return grown / rss["eml"]

    def targets(self) -> list[tuple[str, str, str, bool]]:
        """(figure, target, measured, met)."""
        large, small = self.polls
        conversion, fetch = self.conversion, self.fetch
        return [
            ("pipeline ms/message ÷ F", "≤ 1.0", f"{self.ratio:.2f}", self.ratio <= 1.0),
            ("IMAP fetch", "≥ 150 messages/s", f"{fetch.per_second:.0f} messages/s "
             f"({fetch.mb_per_second:.0f} MB/s)", fetch.per_second >= 150),
            (f"idle poll of {large.messages:,} messages", "≤ 15 ms",
             f"{large.poll_ms:.1f} ms", large.poll_ms <= 15),
            (f"idle poll {large.messages:,} ÷ {small.messages:,}", "≤ 1.2",
             f"{self.poll_ratio:.2f}", self.poll_ratio <= 1.2),
            (".doc → .docx in a batch", "≤ 0.1 s/document",
             f"{conversion.batch_seconds:.3f} s/document", conversion.batch_seconds <= 0.1),
            ("peak RSS, 60 MB attachment", "≤ 4 × .eml", f"{self.rss_multiple:.2f} ×",
             self.rss_multiple <= 4),
        ]


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    found = {
        "CPU": _cpu_model(), "CPUs": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable)",
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB",
        "system": platform.platform(), "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
    }
    found.update({name: _version(name) for name in LIBRARIES})
    found.update({name: _tool_version(command) for name, command in _TOOLS.items()})
    return found


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _tool_version(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def write_results(figures: Figures, found: dict[str, str], out: Path, command: str) -> str:
    text = render(figures, found, command)
    out.write_text(text, encoding="utf-8")
    return text


def render(f: Figures, found: dict[str, str], command: str) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results", "",
        f"Measured {when} by `{command}` ({f.total_seconds / 60:.1f} minutes, corpus included).",
        "Every figure is a median over repeated passes in the same run; see bench/ for how.", "",
        "## Targets", "", "| figure | target | measured | met |", "|---|---|---|---|",
        *(f"| {name} | {target} | {value} | {'yes' if met else '**no**'} |"
          for name, target, value, met in f.targets()),
        "", "## Corpus", "",
        f"{f.count} submissions of {f.mail_bytes / 1e6:.2f} MB on average (built in "
        f"{f.build_seconds:.0f} s), and one mail of {f.rss['eml'] / 1e6:.1f} MB with a 60 MB video.",
        f"Verdicts: {_counts(f.verdicts)}; parked: {f.parked} "
        f"({'as the corpus requires' if f.correct else '**not what the corpus requires**'}).",
        "", *_pipeline_section(f), *_other_sections(f), *_gaps(f),
        "", "## Machine", "", "| | |", "|---|---|",
        *(f"| {k} | {v} |" for k, v in found.items()), "",
    ]
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "none"


def _pipeline_section(f: Figures) -> list[str]:
    main = {k: v for k, v in f.stages_ms.items() if not k.startswith(("read ", "expand "))}
    workers = {k: v for k, v in f.stages_ms.items() if k.startswith(("read ", "expand "))}
    return [
        "## Pipeline against the floor", "",
        f"- F (floor): {f.floor_ms:.1f} ms per message",
        f"- pipeline from a Maildir: {f.pipeline_ms:.1f} ms per message, **{f.ratio:.2f} × F**", "",
        "Where the main process's time goes (its own time per stage; they add up to the pass):", "",
        "| stage | ms/message |", "|---|---|",
        *(f"| {k} | {v:.1f} |" for k, v in sorted(main.items(), key=lambda kv: -kv[1])),
        f"| *(outside any stage)* | {f.pipeline_ms - sum(main.values()):.1f} |", "",
        "The parser workers' own time, per message, beside the main process (they work in "
        "parallel; the main process waits only under \"documents: waiting for parsers\"):", "",
        "| parser | ms/message |", "|---|---|",
        *(f"| {k} | {v:.1f} |" for k, v in sorted(workers.items(), key=lambda kv: -kv[1])),
    ]


def _other_sections(f: Figures) -> list[str]:
    large, small = f.polls
    c, rss = f.conversion, f.rss
    return [
        "", "## IMAP", "",
        f"- fetch of the {f.fetch.messages} mails from Dovecot on loopback: "
        f"{f.fetch.per_second:.0f} messages/s, {f.fetch.mb_per_second:.0f} MB/s "
        f"({f.fetch.seconds:.2f} s for {f.fetch.megabytes:.0f} MB), each mail durably "
        "written to the raw store and recorded in the ledger",
        f"- the IMAP transfer alone (the same mails received and dropped): "
        f"{f.fetch.transfer_per_second:.0f} messages/s",
        f"- the same mails written durably as the raw store does (temporary file, fsync, "
        f"rename, fsync of the folder; two threads), nothing else: {f.disk_per_second:.0f} "
        f"messages/s, using {f.disk_cpu_ms:.1f} ms of CPU per mail",
        f"- CPU per mail: {f.fetch.client_cpu_ms:.1f} ms ours (receiving, sha256, writing, the "
        f"ledger), {f.fetch.server_cpu_ms:.1f} ms Dovecot's (reading and sending it), on the same "
        f"{f.cores} cores: at most {f.fetch.ceiling(f.cores):.0f} messages/s even with no time "
        "lost to waiting",
        *(f"- idle poll of {p.messages:,} messages: {p.poll_ms:.2f} ms for a whole poll "
          f"(connect, log in, select, search, record), {p.search_ms:.2f} ms for the search "
          "on an open connection" for p in (large, small)),
        "", "## Legacy Word", "",
        f"- one LibreOffice start per document: {c.single_seconds:.2f} s/document",
        f"- {c.documents} documents in one batch: {c.batch_seconds:.3f} s/document "
        f"({c.failures} failed)",
        "", "## Memory", "",
        f"- the {rss['eml'] / 1e6:.1f} MB mail: main process {rss['before'] / 1e6:.0f} MB before, "
        f"{rss['peak'] / 1e6:.0f} MB at its peak; largest parser worker "
        f"{rss['worker_peak'] / 1e6:.0f} MB at its peak",
        f"- growth over the .eml's size: {f.rss_multiple:.2f} × (the larger of the two)",
    ]


def _gaps(f: Figures) -> list[str]:
    """Why a target is not met, from this run's own figures."""
    unmet = [name for name, _, _, met in f.targets() if not met]
    if not unmet:
        return []
    lines = ["", "## Targets not met", ""]
    if "IMAP fetch" in unmet:
        lines.append(_fetch_gap(f))
    polls = [name for name in unmet if name.startswith("idle poll")]
    if polls:
        lines.append(_poll_gap(f))
    lines += [f"- **{name}**: see its section above." for name in unmet
              if name != "IMAP fetch" and name not in polls]
    return lines


def _fetch_gap(f: Figures) -> str:
    fetch = f.fetch
    return (f"- **IMAP fetch**: each part alone is above the target (the transfer "
            f"{fetch.transfer_per_second:.0f} messages/s, the durable writes "
            f"{f.disk_per_second:.0f}), but together they are bound by the CPU. The fetch "
            f"spends {fetch.client_cpu_ms:.1f} ms per mail (receiving, sha256, writing, the "
            f"ledger), of which the durable write alone took {f.disk_cpu_ms:.1f} ms with "
            f"nothing else running; Dovecot, on the same {f.cores} cores, spends "
            f"{fetch.server_cpu_ms:.1f} ms. That allows at most "
            f"{fetch.ceiling(f.cores):.0f} messages/s with no time lost to waiting, and the "
            f"fetch reaches {fetch.per_second / fetch.ceiling(f.cores):.0%} of it. Dovecot sends "
            f"one connection's mail from one process, so it alone allows at most "
            f"{1000 / fetch.server_cpu_ms:.0f} messages/s. A mail server on a machine of its "
            "own, as in production, leaves the cores to the fetch.")


def _poll_gap(f: Figures) -> str:
    large, small = f.polls
    return (f"- **idle poll**: the search itself, on an open connection, takes "
            f"{large.search_ms:.2f} ms at {large.messages:,} messages and {small.search_ms:.2f} ms "
            f"at {small.messages:,}. The rest of each poll ({large.poll_ms - large.search_ms:.1f} "
            f"and {small.poll_ms - small.search_ms:.1f} ms) is connecting, logging in, selecting "
            "the folders and logging out: Dovecot starts a login process and an IMAP process for "
            "every connection, whatever the mailbox's size, and their cost moves with how busy "
            "the shared machine is.")
