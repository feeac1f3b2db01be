"""The [reminders] and [digest] sections of config.toml: 补正提醒 and the daily digest."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from pipeline.config.sources import ScheduleConfig
from pipeline.config.values import whole_number
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class RemindersConfig:
    """补正提醒: after how many days, how often, the last one before the deadline, when."""

    after_days: int = 3
    max: int = 2
    before_deadline_days: int = 2
    # Reminders go out only between these local times (the secretariat's time zone).
    start: time = time(8, 30)
    end: time = time(20, 0)


@dataclass(frozen=True)
class DigestConfig:
    # The secretariat's addresses; empty means no digest is queued.
    to: tuple[str, ...] = ()


def _hours(value: object) -> tuple[time, time]:
    match = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*",
                         str(value))
    if not match:
        raise ConfigError(f"[reminders] quiet_hours must be two times such as \"08:30-20:00\", "
                          f"not {value!r}")
    start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
    if start >= end:
        raise ConfigError(f"[reminders] quiet_hours {value!r}: the first time must be earlier")
    return start, end


def parse_reminders(table: dict, schedule: ScheduleConfig) -> RemindersConfig:
    start, end = _hours(table.get("quiet_hours", "08:30-20:00"))
    # A scheduled run outside the hours would silently never remind anyone.
    if schedule.reminders is not None and not start <= schedule.reminders < end:
        raise ConfigError(f"[schedule] reminders = \"{schedule.reminders:%H:%M}\" is outside "
                          f"[reminders] quiet_hours ({start:%H:%M}-{end:%H:%M}): no reminder "
                          "would ever go out")
    where = "[reminders]"
    return RemindersConfig(after_days=whole_number(table, "after_days", 3, 1, where),
                           max=whole_number(table, "max", 2, 0, where),
                           before_deadline_days=whole_number(table, "before_deadline_days", 2, 0, where),
                           start=start, end=end)


def parse_digest(table: dict) -> DigestConfig:
    to = table.get("to", [])
    if isinstance(to, str) or not isinstance(to, list) or not all(
            isinstance(a, str) and re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+", a)
            for a in to):
        raise ConfigError(f"[digest] to must be a list of e-mail addresses, not {to!r}")
    return DigestConfig(to=tuple(to))
