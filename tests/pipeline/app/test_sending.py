"""The outbox's states and the drain: caps, backoff, claims, people's decisions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from outbox.loops import Ours
from outbox.spool import SpoolSender
from pipeline.app.sending import Drain, ReplyPolicy, admit
from pipeline.errors import SendError
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox, backoff

NOW = datetime(2024, 4, 13, 9, 0, tzinfo=timezone(timedelta(hours=8)))
POLICY = ReplyPolicy(Ours(frozenset({"cases@example.org"}), "example.org"), "send", 5)


@pytest.fixture
def outbox():
    db = Database(None)
    yield Outbox(db)
    db.close()


def queue(outbox: Outbox, n: int, to: str = "wang@example.cn", kind: str = "receipt",
          at: datetime = NOW, status: str = "queued", raw: bytes | None = b"x") -> int:
    return outbox.queue({"kind": kind, "to_addr": to, "subject": f"S{n}",
                         "message_id": f"<m{n}@example.org>", "raw": raw,
                         "created_at": at.isoformat()}, status)


def test_the_sixth_mail_to_one_address_in_a_day_is_suppressed(outbox):
    queue(outbox, 0, at=NOW - timedelta(hours=25))  # older than a day: not counted
    queue(outbox, 1, status="suppressed")  # not sent: not counted
    for n in range(2, 7):
        assert admit(outbox, POLICY, "wang@example.cn", "receipt", NOW) == ("queued", None)
        queue(outbox, n, kind="reminder" if n == 6 else "receipt")
    assert admit(outbox, POLICY, "wang@example.cn", "deficiency", NOW) == ("suppressed", "sender_cap")
    assert admit(outbox, POLICY, "li@example.cn", "receipt", NOW) == ("queued", None)
    review = ReplyPolicy(POLICY.ours, "review", 5)
    assert admit(outbox, review, "li@example.cn", "receipt", NOW) == ("held", None)


def test_digests_do_not_count_against_an_address(outbox):
    for n in range(6):
        queue(outbox, n, to="office@example.org", kind="digest")
    assert admit(outbox, POLICY, "office@example.org", "receipt", NOW) == ("queued", None)


def drain(outbox, folder, hourly=2, clock=lambda: NOW, sender=None):
    return Drain(outbox, sender or SpoolSender(folder), clock, hourly, timedelta(hours=48)).run()


def test_the_hourly_cap_leaves_the_rest_for_the_next_hour(outbox, tmp_path):
    for n in range(3):
        queue(outbox, n)
    queue(outbox, 3, to="office@example.org", kind="digest")
    first = drain(outbox, tmp_path)
    assert (first.sent, first.capped) == (3, 1)  # the digest is never held back
    assert [r["status"] for r in outbox.listing()] == ["sent", "sent", "queued", "sent"]
    assert drain(outbox, tmp_path, clock=lambda: NOW + timedelta(minutes=59)).sent == 0
    assert drain(outbox, tmp_path, clock=lambda: NOW + timedelta(minutes=61)).sent == 1


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == \
        [60, 120, 240, 1920, 3600, 3600]


def test_a_row_is_claimed_once(outbox):
    queue(outbox, 1)
    assert outbox.claim(1, NOW) and not outbox.claim(1, NOW)


class Refusing:
    def __init__(self, error: SendError):
        self.error, self.calls = error, 0

    def send(self, *args) -> None:
        self.calls += 1
        raise self.error

    def close(self) -> None:
        pass


def test_a_refusal_with_a_code_lets_the_others_go_on(outbox, tmp_path):
    for n in range(3):
        queue(outbox, n, to=f"a{n}@example.cn")
    sender = Refusing(SendError("temporary", "450 mailbox busy", 450))
    report = drain(outbox, tmp_path, hourly=10, sender=sender)
    assert (sender.calls, report.retrying) == (3, 3)


def test_no_connection_ends_the_drain(outbox, tmp_path):
    for n in range(3):
        queue(outbox, n, to=f"a{n}@example.cn")
    sender = Refusing(SendError("temporary", "connection refused"))
    assert drain(outbox, tmp_path, hourly=10, sender=sender).retrying == 1 and sender.calls == 1
    assert [r["attempts"] for r in outbox.listing()] == [1, 0, 0]


def test_people_decide_only_what_has_not_gone(outbox):
    queue(outbox, 1, status="held")
    queue(outbox, 2, status="suppressed", raw=None)
    queue(outbox, 3)
    outbox.claim(3, NOW)
    outbox.mark_sent(3, NOW)
    assert outbox.approvable() == [1]
    assert outbox.approve(2, NOW, "王") == "#2 has no address to send to (no reply was built)"
    assert outbox.discard(3, NOW, "王") == "#3 is sent: it cannot be discarded"
    assert outbox.approve(3, NOW, "王").startswith("#3 is sent")
    assert outbox.approve(1, NOW, "王") == "" and outbox.row(1)["status"] == "queued"
    assert outbox.discard(2, NOW, "王") == "" and outbox.row(2)["approved_by"] == "王"
