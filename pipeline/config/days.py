"""Local calendar days in [schedule] timezone, as bounds on the UTC times the database holds."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo


def moment(stamp: str) -> datetime:
    """A stored isoformat time; one written without an offset is UTC."""
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def day_bounds(day: date, zone: tzinfo) -> tuple[str, str]:
    """The local day as UTC 'YYYY-MM-DD HH:MM:SS' bounds, as SQLite's datetime() writes them."""
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return tuple(m.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") for m in (start, end))


def local_text(utc_text: str | None, zone: tzinfo) -> str:
    if not utc_text:
        return ""
    return moment(utc_text).astimezone(zone).strftime("%Y-%m-%d %H:%M")
