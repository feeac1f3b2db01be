"""The web console's accounts and login attempts: the SQL of pipeline/console/accounts.py."""
from __future__ import annotations

from datetime import datetime

from pipeline.store.database import Database


def account(db: Database, name: str) -> dict | None:
    rows = db.query("select name, role, hash from console_users where name = ?", [name])
    return rows[0] if rows else None


def accounts(db: Database) -> list[dict]:
    return db.query("select name, role, created_at, changed_at from console_users order by name")


def save_account(db: Database, name: str, role: str, hash_: str, now: datetime) -> None:
    """A new account, or a new password and role for an existing one."""
    stamp = now.isoformat()
    with db.transaction():
        if account(db, name) is None:
            db.insert("console_users", {"name": name, "role": role, "hash": hash_,
                                        "created_at": stamp, "changed_at": stamp})
        else:
            db.execute("update console_users set role = ?, hash = ?, changed_at = ? "
                       "where name = ?", [role, hash_, stamp, name])


def remove_account(db: Database, name: str) -> bool:
    with db.transaction():
        return db.execute("delete from console_users where name = ?", [name]) > 0


def record_login(db: Database, name: str, remote: str, ok: bool, now: datetime) -> None:
    with db.transaction():
        db.insert("console_logins", {"name": name[:200], "remote": remote[:200],
                                     "at": now.isoformat(), "ok": int(ok)})


def failed_logins(db: Database, name: str, remote: str, since: datetime) -> tuple[int, int]:
    """Failed attempts since a moment: for this name, and from this address."""
    row = db.query(
        "select coalesce(sum(name = ?), 0) as by_name, coalesce(sum(remote = ?), 0) as by_remote "
        "from console_logins where ok = 0 and at >= ?", [name[:200], remote[:200],
                                                        since.isoformat()])[0]
    return int(row["by_name"]), int(row["by_remote"])
