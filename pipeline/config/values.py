"""How a config value is checked: one function per kind of value, naming section and key when it
refuses one."""
from __future__ import annotations

from pipeline.errors import ConfigError


def choice_of(table: dict, key: str, choices: tuple[str, ...], default: str, where: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {choices}, not {value!r}")
    return value


def positive(table: dict, key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number, not {value!r}")
    return float(value)


def whole_number(table: dict, key: str, default: int, least: int, where: str) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{where}: {key} must be a whole number of at least {least}, not {value!r}")
    return value
