"""Named points where a test can kill the process, to prove that a crash loses nothing.

INTAKE_FAILPOINTS="after_store:2,before_commit:1" kills the process with SIGKILL the 2nd time
it reaches after_store, or the 1st time it reaches before_commit. Unset, reach() does nothing.

The points, in the order a mail meets them: after_fetch (an IMAP batch in memory, none of it
stored), after_store (the raw file on disk, before the ledger row), before_extract /
after_extract (around the isolated parse), before_commit / after_commit (the verdict's
transaction), before_send (the reply still queued), smtp_before_dot / smtp_after_dot (in the
SMTP transaction, around the final dot), after_send (accepted, not yet marked sent).
"""
from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def _plan() -> dict[str, int]:
    spec = os.environ.get("INTAKE_FAILPOINTS", "")
    plan = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, count = item.partition(":")
        plan[name] = int(count or 1)
    return plan


def reach(name: str) -> None:
    plan = _plan()
    if name not in plan:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == plan[name]:
        os.kill(os.getpid(), signal.SIGKILL)
