"""config.toml to a Config: paths resolved against the config file, every key checked."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.daily import DigestConfig, RemindersConfig, parse_digest, parse_reminders
from pipeline.config.replies import RepliesConfig, parse_replies
from pipeline.config.sources import ScheduleConfig, SourceConfig, parse_schedule, parse_source
from pipeline.errors import ConfigError
from pipeline.workers.pool import Limits
from rules.profile import BUILTIN_DIR, Profile, load_profiles

# The keys config.toml may hold, section by section (the docs test reads this too).
KEYS: dict[str, set[str]] = {
    "paths": {"database", "raw", "cache"},
    "campaigns": {"dirs", "enabled"},
    "sources": {"name", "type", "enabled", "campaigns", "interval", "backlog", "path", "host",
                "port", "tls", "ca_file", "user", "password_env", "password_file", "folders",
                "junk", "timeout", "batch", "max_size_mb", "idle", "keyword", "move"},
    "replies": {"sender", "spool", "from", "from_name", "domain", "mode", "aliases", "templates",
                "per_sender_daily", "per_domain_daily", "shared_domains", "authserv_ids",
                "global_hourly", "give_up_hours"},
    "smtp": {"host", "port", "tls", "ca_file", "user", "password_env", "password_file", "timeout"},
    "secretariat": {"name", "contact", "operator"},
    "processing": {"max_attempts"},
    "documents": {"memory_mb", "cpu_seconds", "wall_seconds", "message_seconds", "convert_timeout",
                  "workers"},
    "schedule": {"timezone", "outbox_interval", "reminders", "digest"},
    "reminders": {"after_days", "max", "before_deadline_days", "quiet_hours"},
    "digest": {"to"},
}


@dataclass(frozen=True)
class Config:
    database: Path
    raw: Path
    campaign_dirs: tuple[Path, ...]
    enabled: tuple[str, ...] | None
    sources: tuple[SourceConfig, ...]
    replies: RepliesConfig
    secretariat_name: str = "案例征集秘书处"
    secretariat_contact: str = ""
    # Who `intake waive/set/accept/reject` and `intake outbox approve` record without --by.
    secretariat_operator: str = ""
    max_attempts: int = 3
    path: Path | None = None
    cache: Path = Path("var/cache")
    limits: Limits = Limits()
    convert_timeout: float = 60.0
    # Parser processes working on the files of a message side by side.
    workers: int = 2
    schedule: ScheduleConfig = ScheduleConfig()
    reminders: RemindersConfig = RemindersConfig()
    digest: DigestConfig = DigestConfig()

    def profiles(self) -> dict[str, Profile]:
        """The enabled campaign profiles, built-in ones first, later folders overriding."""
        return load_profiles(list(self.campaign_dirs), list(self.enabled) if self.enabled else None)


def find_config(explicit: str | Path | None) -> Path | None:
    """--config, else $INTAKE_CONFIG, else ./config.toml; None means the built-in defaults."""
    if explicit:
        if not Path(explicit).is_file():
            raise ConfigError(f"config file not found: {explicit}")
        return Path(explicit)
    for candidate in (os.environ.get("INTAKE_CONFIG"), "config.toml"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _check_keys(data: dict) -> None:
    for section, value in data.items():
        if section not in KEYS:
            raise ConfigError(f"unknown section [{section}] in config")
        for table in value if isinstance(value, list) else [value]:
            unknown = set(table) - KEYS[section]
            if unknown:
                raise ConfigError(f"unknown key(s) {sorted(unknown)} in [{section}]")


def parse_config(data: dict, base: Path, path: Path | None = None) -> Config:
    _check_keys(data)
    paths, campaigns = data.get("paths", {}), data.get("campaigns", {})
    secretariat, processing = data.get("secretariat", {}), data.get("processing", {})
    enabled = tuple(campaigns.get("enabled", ())) or None
    return Config(
        database=base / paths.get("database", "var/intake.db"),
        raw=base / paths.get("raw", "var/raw"),
        campaign_dirs=(BUILTIN_DIR, *(base / d for d in campaigns.get("dirs", ()))),
        enabled=enabled,
        sources=_sources(data.get("sources", ()), base),
        replies=parse_replies(data.get("replies", {}), data.get("smtp", {}), base),
        secretariat_name=secretariat.get("name", "案例征集秘书处"),
        secretariat_contact=secretariat.get("contact", ""),
        secretariat_operator=str(secretariat.get("operator", "")),
        max_attempts=int(processing.get("max_attempts", 3)),
        path=path,
        cache=base / paths.get("cache", "var/cache"),
        **_documents(data.get("documents", {})),
        schedule=parse_schedule(data.get("schedule", {})),
        reminders=parse_reminders(data.get("reminders", {}),
                                  parse_schedule(data.get("schedule", {}))),
        digest=parse_digest(data.get("digest", {})),
    )


def _sources(tables: list[dict], base: Path) -> tuple[SourceConfig, ...]:
    """Every [[sources]] entry, disabled ones included (doctor lists them); names unique."""
    sources = tuple(parse_source(t, base) for t in tables)
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"[[sources]] names must be unique: {names}")
    return sources


def _documents(table: dict) -> dict[str, object]:
    """The [documents] section: the parsers' limits and LibreOffice's timeout."""
    default = Limits()
    try:
        limits = Limits(memory_mb=int(table.get("memory_mb", default.memory_mb)),
                        cpu_seconds=int(table.get("cpu_seconds", default.cpu_seconds)),
                        wall_seconds=float(table.get("wall_seconds", default.wall_seconds)),
                        message_seconds=float(table.get("message_seconds", default.message_seconds)))
        workers = int(table.get("workers", 2))
    except (TypeError, ValueError) as error:
        raise ConfigError(f"[documents] values must be numbers: {error}") from None
    if not 1 <= workers <= 64:
        raise ConfigError(f"[documents] workers must be between 1 and 64, not {workers}")
    return {"limits": limits, "convert_timeout": float(table.get("convert_timeout", 60)),
            "workers": workers}


def load_config(explicit: str | Path | None = None) -> Config:
    """The config the CLI runs with; built-in defaults relative to the working folder."""
    path = find_config(explicit)
    if path is None:
        return parse_config({}, Path.cwd())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return parse_config(data, path.resolve().parent, path)
