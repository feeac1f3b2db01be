"""Who may use the console, and a login's answer: two roles, argon2id hashes, a rate limit.

查看 (viewer) reads every page; 处理 (handler) may also act (approve, discard, …). A name with
LIMIT failed logins in the last WINDOW, or an address with ADDRESS_LIMIT (many names tried from
one machine), is refused without its password being checked; every attempt is recorded (name,
address, time, outcome; never the password). The address alone does not lock a name: behind
a reverse proxy every colleague has the proxy's address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.console.passwords import hash_password, verify_password
from pipeline.store import accounts as store
from pipeline.store.database import Database

ROLES = {"viewer": "查看", "handler": "处理"}
LIMIT, ADDRESS_LIMIT, WINDOW = 5, 50, timedelta(minutes=15)
MIN_PASSWORD = 10
_NAME = re.compile(r"[\w.@-]{1,64}")


@dataclass(frozen=True)
class Account:
    name: str
    role: str

    @property
    def may_act(self) -> bool:
        return self.role == "handler"


def role_of(text: str) -> str:
    """"handler", "处理", "viewer" or "查看" as the role's key; ValueError for anything else."""
    for key, word in ROLES.items():
        if text in (key, word):
            return key
    raise ValueError(f"a role is one of {', '.join(f'{k} ({w})' for k, w in ROLES.items())}")


def set_account(db: Database, name: str, password: str, role: str, now: datetime) -> None:
    """Create the account, or give it a new password and role. ValueError for a name or a
    password that cannot be used."""
    if not _NAME.fullmatch(name):
        raise ValueError("a name is 1–64 letters, digits, '.', '@', '-' or '_'")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    store.save_account(db, name, role_of(role), hash_password(password), now)


def authenticate(db: Database, name: str, password: str, remote: str,
                 now: datetime) -> tuple[Account | None, str]:
    """The account and "", or None and why not (said to the person logging in)."""
    by_name, by_address = store.failed_logins(db, name, remote, now - WINDOW)
    if by_name >= LIMIT or by_address >= ADDRESS_LIMIT:
        store.record_login(db, name, remote, False, now)
        return None, f"登录失败次数过多，请{WINDOW.seconds // 60}分钟后再试"
    found = store.account(db, name)
    ok = verify_password(found["hash"] if found else None, password)
    store.record_login(db, name, remote, ok, now)
    if not ok:
        return None, "用户名或密码错误"
    return Account(found["name"], found["role"]), ""


def current(db: Database, name: str) -> Account | None:
    """The account a session names, as it is now (removed: None; its role as changed)."""
    found = store.account(db, name)
    return Account(found["name"], found["role"]) if found else None
