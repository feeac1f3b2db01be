"""The [[sources]] and [schedule] sections of config.toml: mailboxes and the secretariat's day."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.config.credentials import check_secret_file, check_secret_source, read_secret
from pipeline.config.values import choice_of, positive
from pipeline.errors import ConfigError, MailboxError, SecretError
from rules.vocabulary import RULE_VERDICTS

SOURCE_TYPES = ("maildir", "folder", "imap")
TLS_MODES = ("implicit", "starttls", "none")
BACKLOG_MODES = ("record", "reply")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class ImapConfig:
    """How to reach one IMAP mailbox; the secret itself is never held in config."""

    host: str
    port: int
    tls: str = "implicit"
    ca_file: Path | None = None
    user: str = ""
    password_env: str = ""
    password_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX",)
    junk: bool = True
    timeout: float = 60.0
    batch: int = 20
    max_size_mb: float = 50.0
    idle: bool = True
    keyword: str = ""
    move: dict[str, str] = field(default_factory=dict)

    def secret(self) -> str:
        """The password or authorization code (授权码), read when connecting."""
        try:
            return read_secret(self.password_env, self.password_file)
        except SecretError as error:
            raise MailboxError("secret", str(error)) from None


@dataclass(frozen=True)
class SourceConfig:
    name: str
    type: str
    path: Path | None = None
    # Campaign ids this mailbox serves; empty means every enabled campaign.
    campaigns: tuple[str, ...] = ()
    enabled: bool = True
    interval: float = 300.0
    backlog: str = "record"
    imap: ImapConfig | None = None


@dataclass(frozen=True)
class ScheduleConfig:
    """When `intake serve` does the day's work, in the secretariat's time zone."""

    timezone: str = "Asia/Shanghai"
    outbox_interval: float = 60.0
    reminders: time | None = time(9, 0)
    digest: time | None = time(18, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_source(table: dict, base: Path) -> SourceConfig:
    name = table.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[\w.-]+", name):
        raise ConfigError("every [[sources]] entry needs a name of letters, digits, '.', '_', '-'")
    where = f"source {name!r}"
    kind = choice_of(table, "type", SOURCE_TYPES, "maildir", where)
    common = {"name": name, "type": kind, "campaigns": tuple(table.get("campaigns", ())),
              "enabled": bool(table.get("enabled", True)),
              "interval": positive(table, "interval", 300, where),
              "backlog": choice_of(table, "backlog", BACKLOG_MODES, "record", where)}
    if kind == "imap":
        return SourceConfig(**common, imap=_imap(table, base, where))
    if "path" not in table:
        raise ConfigError(f"{where}: a {kind} source needs a path")
    return SourceConfig(**common, path=base / table["path"])


def tls_and_port(table: dict, host: str, ports: tuple[int, int], where: str) -> tuple[str, int]:
    """tls and port of a server; `ports` are the usual ones for implicit TLS and STARTTLS.
    Plain text ("none") only to this machine: a password must never cross a network in clear."""
    tls = choice_of(table, "tls", TLS_MODES, "implicit", where)
    if tls == "none" and host not in LOOPBACK:
        raise ConfigError(f"{where}: tls = \"none\" is only allowed for a loopback host; "
                          f"use implicit (port {ports[0]}) or starttls (port {ports[1]})")
    return tls, int(table.get("port", ports[0] if tls == "implicit" else ports[1]))


def _imap(table: dict, base: Path, where: str) -> ImapConfig:
    host, user = table.get("host"), table.get("user")
    if not host or not user:
        raise ConfigError(f"{where}: an imap source needs host and user")
    tls, port = tls_and_port(table, host, (993, 143), where)
    env, file = table.get("password_env", ""), table.get("password_file", "")
    check_secret_source(env, file, where)
    check_secret_file(base / file if file else None, where)
    folders = tuple(table.get("folders", ("INBOX",)))
    move = dict(table.get("move", {}))
    _check_move(move, folders, where)
    return ImapConfig(
        host=host, port=port, tls=tls,
        ca_file=base / table["ca_file"] if table.get("ca_file") else None, user=user,
        password_env=env, password_file=base / file if file else None, folders=folders,
        junk=bool(table.get("junk", True)), timeout=positive(table, "timeout", 60, where),
        batch=int(positive(table, "batch", 20, where)),
        max_size_mb=positive(table, "max_size_mb", 50, where), idle=bool(table.get("idle", True)),
        keyword=_keyword(table.get("keyword", ""), where), move=move)


def _keyword(value: str, where: str) -> str:
    """An IMAP keyword is an atom: no spaces, brackets, quotes or backslash (so not \\Seen)."""
    if value and not re.fullmatch(r"[!#$&'+\-.0-9:<>=?@A-Z^_`a-z|~]+", value):
        raise ConfigError(f"{where}: keyword {value!r} is not a valid IMAP keyword")
    return value


def _check_move(move: dict[str, str], folders: tuple[str, ...], where: str) -> None:
    unknown = set(move) - set(RULE_VERDICTS)
    if unknown:
        raise ConfigError(f"{where}: move keys must be verdicts {RULE_VERDICTS}, not {sorted(unknown)}")
    watched = set(move.values()) & set(folders)
    if watched:
        raise ConfigError(f"{where}: mail cannot be moved into a watched folder: {sorted(watched)}")


def _clock_time(value: str, key: str) -> time | None:
    if value == "":
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value))
    if not match:
        raise ConfigError(f"[schedule] {key} must be a time such as \"18:00\" or \"\" for never")
    return time(int(match[1]), int(match[2]))


def parse_schedule(table: dict) -> ScheduleConfig:
    zone = table.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[schedule] timezone {zone!r} is not a known time zone") from None
    return ScheduleConfig(timezone=zone,
                          outbox_interval=positive(table, "outbox_interval", 60, "[schedule]"),
                          reminders=_clock_time(table.get("reminders", "09:00"), "reminders"),
                          digest=_clock_time(table.get("digest", "18:00"), "digest"))
