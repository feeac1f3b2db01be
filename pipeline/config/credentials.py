"""Passwords and authorization codes (授权码): read from an environment variable or a file when
connecting, never held in config or written anywhere."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import ConfigError, SecretError


def check_secret_source(env: str, file: str, where: str) -> None:
    """Config must name exactly one place for a secret."""
    if bool(env) == bool(file):
        raise ConfigError(f"{where}: give exactly one of password_env (an environment variable) "
                          "or password_file (a file holding the password or 授权码)")


def private_file_problem(file: Path) -> str | None:
    """Why a secret file must not be used: others may read (or change) it. None when it is
    private to its owner, or does not exist yet (reading it later says so)."""
    try:
        mode = file.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"password_file {file} can be read by others (mode {stat.filemode(mode)}): "
                f"run `chmod 600 {file}`")
    return None


def check_secret_file(file: Path | None, where: str) -> None:
    """Config refuses a secret file that others can read."""
    if file is not None and (problem := private_file_problem(file)):
        raise ConfigError(f"{where}: {problem}")


def read_secret(env: str, file: Path | None) -> str:
    """The secret from `env` (when named) or `file`; SecretError names what is missing."""
    if env:
        value = os.environ.get(env, "")
        if not value:
            raise SecretError(f"environment variable {env} is not set")
        return value
    if file is None:
        raise SecretError("no password_env or password_file is configured")
    if problem := private_file_problem(file):
        raise SecretError(problem)
    try:
        return file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretError(f"cannot read password_file {file}: {error.strerror}") from None
