"""Password hashes for console accounts: argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile); the only importer of argon2."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Hashed once so that a login for a name without an account costs what a real one costs.
_NOBODY = _HASHER.hash("no such account")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` is the one `stored` was made from; a missing account is checked
    against a hash of its own, so that timing does not tell which names exist."""
    try:
        return _HASHER.verify(stored or _NOBODY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
