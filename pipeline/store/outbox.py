"""The outbox table: every reply, reminder and digest, and the state each one is in.

held        review mode: waiting for `intake outbox approve`
queued      due at next_attempt_at (a new row, or a retry after a temporary failure)
sending     claimed by a sender; a row found here at the start of a drain was cut off by a
            crash, so the server may or may not have it: it is re-queued and counted ambiguous
sent        the server accepted it; never sent again
failed      refused for good (5xx), or still not accepted after [replies] give_up_hours
suppressed  not sent on purpose (loop safety, a cap, backlog mail); `reason` says why
discarded   a person decided it must not go out
bounced     sent, then a bounce came back for it (the address is in failing_addresses)

Times are stored as UTC ISO strings and compared through SQLite's datetime().
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pipeline.store.database import Database

# What applicants receive; the per-sender cap counts these (the digest goes to the secretariat).
APPLICANT_KINDS = ("receipt", "deficiency", "late", "reminder", "rejection", "change_notice")
STATES = ("held", "queued", "sending", "sent", "failed", "suppressed", "discarded", "bounced")
# States `intake outbox approve` can send from.
APPROVABLE = ("held", "suppressed", "failed")


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    to_addr: str
    message_id: str
    raw: bytes | None
    attempts: int
    created_at: str
    status: str


_COLUMNS = "id, kind, to_addr, message_id, raw, attempts, created_at, status"
_APPLICANT = f"kind in ({', '.join(repr(kind) for kind in APPLICANT_KINDS)})"


class Outbox:
    """Queries and state changes of outbox rows; each change is one short transaction."""

    def __init__(self, db: Database):
        self.db = db

    def queue(self, row: dict[str, object], status: str = "queued", reason: str | None = None) -> int:
        """A new row, due at once when queued; inside the caller's transaction."""
        assert status in STATES, status
        created = row["created_at"]
        return self.db.insert("outbox", {**row, "status": status, "reason": reason, "attempts": 0,
                                         "next_attempt_at": created})

    def recipients_since(self, since: datetime) -> list[str]:
        """The address of every applicant mail created since a moment, suppressed and
        discarded rows not counted: what the per-sender and per-domain caps count."""
        rows = self.db.query(
            f"select to_addr from outbox where {_APPLICANT} and status not in "
            "('suppressed', 'discarded') and datetime(created_at) >= datetime(?)", [stamp(since)])
        return [r["to_addr"] or "" for r in rows]

    def sent_since(self, since: datetime) -> int:
        return int(self.db.query(
            f"select count(*) as n from outbox where {_APPLICANT} and sent_at is not null and "
            "datetime(sent_at) >= datetime(?)", [stamp(since)])[0]["n"])

    def recover(self) -> list[int]:
        """Rows a crash left in `sending`: re-queued, each counted as an ambiguous send."""
        with self.db.transaction():
            ids = [r["id"] for r in self.db.query("select id from outbox where status = 'sending'")]
            self.db.execute("update outbox set status = 'queued', ambiguous = ambiguous + 1, "
                            "error = 'the process stopped while sending: the server may have "
                            "it already' where status = 'sending'")
        return ids

    def due(self, now: datetime, limit: int | None = None) -> list[OutboxRow]:
        rows = self.db.query(
            f"select {_COLUMNS} from outbox where status = 'queued' and "
            "datetime(next_attempt_at) <= datetime(?) order by id limit ?",
            [stamp(now), -1 if limit is None else limit])
        return [OutboxRow(**r) for r in rows]

    def claim(self, outbox_id: int, now: datetime) -> bool:
        """queued -> sending, counting the attempt; False when someone else got it first."""
        with self.db.transaction():
            return self.db.execute(
                "update outbox set status = 'sending', attempts = attempts + 1, "
                "last_attempt_at = ? where id = ? and status = 'queued'",
                [stamp(now), outbox_id]) == 1

    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        self._set(outbox_id, {"status": "sent", "sent_at": stamp(now), "error": None})

    def retry_later(self, outbox_id: int, at: datetime, error: str, code: int | None,
                    ambiguous: bool) -> None:
        with self.db.transaction():
            self.db.execute(
                "update outbox set status = 'queued', next_attempt_at = ?, error = ?, code = ?, "
                "ambiguous = ambiguous + ? where id = ?",
                [stamp(at), error, code, int(ambiguous), outbox_id])

    def mark_failed(self, outbox_id: int, error: str, code: int | None) -> None:
        self._set(outbox_id, {"status": "failed", "error": error, "code": code})

    def _set(self, outbox_id: int, values: dict[str, object]) -> None:
        with self.db.transaction():
            self.db.update("outbox", outbox_id, values)

    # ---- people's decisions ------------------------------------------------------------

    def row(self, outbox_id: int) -> dict | None:
        found = self.db.query("select * from outbox where id = ?", [outbox_id])
        return found[0] if found else None

    def listing(self, status: str | None = None) -> list[dict]:
        return self.db.query(
            "select o.id, o.kind, o.status, o.reason, o.to_addr, o.subject, o.attempts, "
            "o.ambiguous, o.created_at, o.sent_at, o.error, s.reference, s.campaign from outbox o "
            "left join submissions s on o.submission_id = s.id "
            "where (:status is null or o.status = :status) order by o.id", {"status": status})

    def approve(self, outbox_id: int, now: datetime, by: str) -> str:
        """held / suppressed / failed -> queued now; '' when done, else why not."""
        with self.db.transaction():
            row = self.row(outbox_id)
            problem = _approval_problem(row)
            if not problem:
                self.db.update("outbox", outbox_id, {
                    "status": "queued", "next_attempt_at": stamp(now), "approved_at": stamp(now),
                    "approved_by": by})
            return problem

    def approvable(self) -> list[int]:
        return [r["id"] for r in self.db.query(
            "select id from outbox where status = 'held' order by id")]

    def discard(self, outbox_id: int, now: datetime, by: str) -> str:
        """Anything not yet handed to a server -> discarded; '' when done, else why not."""
        with self.db.transaction():
            row = self.row(outbox_id)
            if row is None:
                return f"no outbox row #{outbox_id}"
            if row["status"] in ("sent", "sending", "bounced", "discarded"):
                return f"#{outbox_id} is {row['status']}: it cannot be discarded"
            self.db.update("outbox", outbox_id, {"status": "discarded", "approved_at": stamp(now),
                                                 "approved_by": by})
            return ""

    # ---- bounces -----------------------------------------------------------------------

    def find_sent(self, message_ids: tuple[str, ...]) -> dict | None:
        """The first of our sent rows among these Message-IDs."""
        for message_id in message_ids:
            found = self.db.query("select * from outbox where message_id = ? and status in "
                                  "('sent', 'bounced', 'sending', 'queued')", [message_id])
            if found:
                return found[0]
        return None

    def mark_bounced(self, row: dict, now: datetime, address: str, detail: str,
                     status: str) -> None:
        """Inside the caller's transaction: the row bounced, its address is failing."""
        self.db.update("outbox", row["id"], {"status": "bounced", "bounced_at": stamp(now),
                                             "bounce": detail})
        # A reply has one recipient, the one we chose; only a digest's bounce must say which.
        failing = address if row["kind"] == "digest" and address else row["to_addr"]
        self.db.upsert("failing_addresses", {
            "address": failing, "since": stamp(now), "outbox_id": row["id"],
            "status": status, "diagnostic": detail}, pk="address")

    def is_failing(self, address: str) -> bool:
        return bool(self.db.query("select 1 from failing_addresses where address = ?", [address]))


def _approval_problem(row: dict | None) -> str:
    if row is None:
        return "no such outbox row"
    if row["status"] not in APPROVABLE:
        return f"#{row['id']} is {row['status']}; only {', '.join(APPROVABLE)} rows can be approved"
    if not row["raw"] or not row["to_addr"]:
        return f"#{row['id']} has no address to send to ({row['reason'] or 'no reply was built'})"
    return ""


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1 min, 2, 4, ... at most an hour."""
    return timedelta(seconds=min(3600, 60 * 2 ** max(0, attempts - 1)))
