"""`intake doctor`: the config, every mailbox, the sender and the converters, checked for real."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from parsers.office import soffice
from pipeline.config.settings import Config
from pipeline.config.sources import SourceConfig
from pipeline.errors import EXPECTED, MailboxError, SendError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def diagnose(config: Config) -> list[Check]:
    """Every check, each with what was found; none raises."""
    checks = [_campaigns(config)]
    checks += [_source(s) for s in config.sources]
    checks += [_sender(config),
               _program("LibreOffice (.doc/.wps/RTF)", soffice(), "libreoffice-writer-nogui"),
               _program("ffprobe (videos)", shutil.which("ffprobe"), "ffmpeg")]
    return checks


def _campaigns(config: Config) -> Check:
    where = str(config.path) if config.path else "built-in defaults"
    try:
        profiles = config.profiles()
    except EXPECTED as error:
        return Check("config", False, f"{where}: {error}")
    return Check("config", True, f"{where}; campaigns: {', '.join(profiles) or 'none'}")


def _source(config: SourceConfig) -> Check:
    name = f"mailbox {config.name}"
    if not config.enabled:
        return Check(name, True, "disabled (enabled = false)")
    if config.imap is None:
        found = config.path is not None and config.path.is_dir()
        return Check(name, found, f"{config.type} {config.path}" + ("" if found else ": not found"))
    from pipeline.sources.imap import diagnose as diagnose_imap  # loads imapclient only when needed

    imap = config.imap
    where = f"{imap.user} at {imap.host}:{imap.port} ({imap.tls})"
    try:
        report = diagnose_imap(config)
    except MailboxError as error:
        return Check(name, False, f"{where}: {error.kind}: {error}")
    folders = "; ".join(f"{f} (UIDVALIDITY {v}, {n} messages)" for f, (v, n) in report.folders.items())
    lines = [where, "capabilities: " + " ".join(report.capabilities),
             "ID: " + ("required by the server (sent)" if report.id_needed else
                       "sent" if "ID" in report.capabilities else "not offered, not needed"),
             f"junk folder: {report.junk or 'none found'}", f"watching: {folders}"]
    if report.missing:
        lines.append("missing folders: " + ", ".join(report.missing))
    return Check(name, not report.missing, "\n".join(lines))


def _sender(config: Config) -> Check:
    if config.replies.sender == "smtp":
        return _smtp(config)
    spool: Path = config.replies.spool
    try:
        spool.mkdir(parents=True, exist_ok=True)
        probe = spool / ".doctor"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        return Check("sender", False, f"spool {spool}: {error.strerror}")
    return Check("sender", True, f"spool {spool} (replies are written as .eml files, not mailed)")


def _smtp(config: Config) -> Check:
    from outbox.smtp import SmtpSender

    sender = SmtpSender(config.replies.smtp, config.replies.from_addr, config.replies.domain)
    try:
        detail = sender.probe()
    except SendError as error:
        return Check("sender", False, f"smtp {error}")
    mode = "replies wait for `intake outbox approve`" if config.replies.mode == "review" \
        else "replies are sent as they are made"
    return Check("sender", True, f"smtp {detail} ({mode})")


def _program(name: str, path: str | None, package: str) -> Check:
    return Check(name, path is not None, path or f"not found: apt-get install {package}")
