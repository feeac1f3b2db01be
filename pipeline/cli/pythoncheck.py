"""Whether the Python in use carries the standard-library fixes for mail and zip input.

intake does not rely on the fixed behaviour (its own strict From reading in
parsers/addresses.py, its own zip limits, outgoing mail only through EmailMessage with
policy.default), but an operator should still know when the interpreter lacks them.
"""
from __future__ import annotations

CVES = ("CVE-2023-27043", "CVE-2024-0450", "CVE-2024-6923")
# The first release of each line carrying all three fixes (the 3.13 line has them from 3.13.0).
FIXED = {(3, 8): (3, 8, 20), (3, 9): (3, 9, 20), (3, 10): (3, 10, 15), (3, 11): (3, 11, 10),
         (3, 12): (3, 12, 6)}


def python_warning(version: tuple[int, ...]) -> str | None:
    """A warning for `version` (sys.version_info) when it predates the fixes; None when not."""
    release = tuple(version[:3])
    fixed = FIXED.get(release[:2])
    if release[:2] >= (3, 13) or (fixed is not None and release >= fixed):
        return None
    wanted = ".".join(map(str, fixed)) if fixed else "3.12.6"
    return (f"Python {'.'.join(map(str, release))} predates the fixes for {', '.join(CVES)} "
            f"(mail address parsing, zip overlap bombs, header serialisation): upgrade to "
            f"{wanted} or later; intake does not rely on them, but other code in the process may")
