"""Mails held for a person, of two kinds, then decided by a person.

other_sender: a mail joins an existing submission when it answers one of our replies for it,
or comes from the submission's own sender or a sender the secretariat confirmed for it. Any
other mail that names the same unit and case is recorded here as a claim, with no reply, until
a person decides (`intake resolve`): merge it into that submission (its sender is then
confirmed), make it a new submission, or reject it.

unauthenticated: a submission whose receiving server found its sender forged (SPF, DKIM or
DMARC failed, parsers/authresults.py) is recorded with no reply and no reference number, until
a person accepts it (it is then processed as any other mail) or rejects it.

A decision puts the mail back in the queue, and the next run processes it by that decision.
"""
from __future__ import annotations

from datetime import datetime

from parsers.addresses import canonical
from pipeline.store.database import Database

KINDS = ("other_sender", "unauthenticated")
# The decisions a person may take on a claim of each kind.
DECISIONS_OF = {"other_sender": ("merge", "new", "reject"), "unauthenticated": ("accept", "reject")}
DECISIONS = ("merge", "new", "accept", "reject")
DECISION_NAMES = {"merge": "并入原申报", "new": "作为新申报", "accept": "核实无误，照常处理",
                  "reject": "不予受理"}


def open_claim(db: Database, message_row: int, submission_id: int | None, sender: str,
               now: datetime, kind: str = "other_sender") -> int:
    assert kind in KINDS, kind
    return db.insert("claims", {"message_row": message_row, "submission_id": submission_id,
                                "sender": sender, "found_at": now.isoformat(), "kind": kind})


def claim_of(db: Database, message_row: int) -> dict | None:
    """The message's claim (the latest), decided or not."""
    rows = db.query("select * from claims where message_row = ? order by id desc limit 1",
                    [message_row])
    return rows[0] if rows else None


def open_claims(db: Database) -> list[dict]:
    """Claims waiting for a person, with the submission they name (if any) and the mail."""
    return db.query(
        "select c.*, s.reference, s.sender as owner, m.subject, m.note from claims c "
        "left join submissions s on s.id = c.submission_id "
        "join messages m on m.id = c.message_row where c.decision is null order by c.id")


def confirmed_senders(db: Database, submission_id: int) -> set[str]:
    """The senders a person merged into the submission, as canonical addresses."""
    rows = db.query("select sender from claims where submission_id = ? and decision = 'merge'",
                    [submission_id])
    return {canonical(r["sender"]) for r in rows if r["sender"]}


def may_change(submission: dict, sender: str, confirmed: set[str]) -> bool:
    """True when `sender` is the submission's own sender or one confirmed for it; a mail
    credited to no one (no plain From) may change nothing."""
    if not sender:
        return False
    return canonical(sender) in {canonical(submission["sender"] or ""), *confirmed} - {""}


def decide(db: Database, message_row: int, decision: str, by: str, reason: str,
           now: datetime) -> dict:
    """Record a person's decision on an open claim and queue its mail again; the claim.
    LookupError: no open claim; ValueError: a decision its kind does not take."""
    claim = claim_of(db, message_row)
    if claim is None or claim["decision"] is not None:
        raise LookupError(message_row)
    if decision not in DECISIONS_OF[claim["kind"]]:
        raise ValueError(f"a mail held as {claim['kind']} takes "
                         f"{'|'.join(DECISIONS_OF[claim['kind']])}, not {decision}")
    db.update("claims", claim["id"], {"decision": decision, "decided_by": by,
                                      "decided_at": now.isoformat(), "reason": reason})
    db.requeue(message_row)
    return {**claim, "decision": decision}
