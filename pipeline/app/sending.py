"""What becomes of a new reply (queued, held for review, suppressed) and how the outbox drains.

A drain sends the rows that are due, oldest first, each claimed (queued -> sending) before the
SMTP transaction and settled after it:
- accepted: sent, never again;
- temporary (4xx, no connection, login or TLS trouble): queued again after a backoff, with
  the same Message-ID and bytes, until [replies] give_up_hours have passed: then failed;
- ambiguous (connection lost after the final dot): the same, and counted: the applicant may
  get it twice, and the digest says how often that happened;
- permanent (5xx): failed after this one attempt, and listed in the digest.
A failure without an SMTP code (the server cannot be reached) ends the drain: the other rows
would only wait for the same timeout. At most [replies] global_hourly applicant mails leave
per hour; the rest wait for the next hour.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from outbox.compose import ReplySettings
from outbox.loops import REASONS, Ours
from outbox.sender import Sender
from outbox.spool import SpoolSender
from parsers.addresses import canonical
from pipeline import failpoints
from pipeline.config.settings import Config
from pipeline.errors import SendError
from pipeline.store.outbox import Outbox, OutboxRow, backoff
from rules.profile import Profile

log = logging.getLogger("intake")


# Why a reply was suppressed, beyond loop safety (outbox/loops.py REASONS).
HOLD_REASONS = {
    "backlog": "接入邮箱前已有的邮件：按配置（backlog = \"record\"）只登记，不自动回复",
    "not_open": "早于征集开始日期到达：只登记，不自动回复",
    "sender_cap": "该地址24小时内收到的自动邮件已达上限（[replies] per_sender_daily），本次不自动回复",
    "domain_cap": "该域名24小时内收到的自动邮件已达上限（[replies] per_domain_daily），本次不自动回复",
    "address_failing": "发往该地址的邮件曾被退信，不再自动发送提醒",
    "rejected": "秘书处已决定不予受理（intake reject）：不自动回复；不予受理通知可审核后发出",
}


def reason_text(code: str, profile: Profile | None = None) -> str:
    """One sentence for the secretariat on why no automatic reply went out."""
    if code == "not_open" and profile is not None and profile.opens:
        return f"早于征集开始日期（{profile.opens.isoformat()}）到达：只登记，不自动回复"
    return HOLD_REASONS.get(code) or REASONS.get(code, code)


@dataclass(frozen=True)
class ReplyPolicy:
    """Who we are, whether replies wait for a person, and the per-sender brake."""

    ours: Ours
    mode: str = "send"
    per_sender_daily: int = 5
    per_domain_daily: int = 30
    shared_domains: frozenset[str] = frozenset()
    # Receiving servers whose Authentication-Results are believed (parsers/authresults.py).
    authserv_ids: tuple[str, ...] = ()


def settings_of(config: Config) -> ReplySettings:
    replies = config.replies
    return ReplySettings(from_addr=replies.from_addr, from_name=replies.from_name,
                         domain=replies.domain, secretariat_name=config.secretariat_name,
                         secretariat_contact=config.secretariat_contact,
                         templates=replies.templates)


def policy_of(config: Config) -> ReplyPolicy:
    """Our addresses: [replies] from and aliases, and the login of every IMAP mailbox."""
    replies = config.replies
    users = {s.imap.user.lower() for s in config.sources if s.imap and "@" in s.imap.user}
    return ReplyPolicy(Ours(replies.addresses | users, replies.domain.lower()), replies.mode,
                       replies.per_sender_daily, replies.per_domain_daily,
                       frozenset(replies.shared_domains), replies.authserv_ids)


def admit(outbox: Outbox, policy: ReplyPolicy, to_addr: str, kind: str,
          now: datetime) -> tuple[str, str | None]:
    """The state a new applicant mail starts in, and why when it is not sent as usual."""
    if kind == "reminder" and outbox.is_failing(to_addr):
        return "suppressed", "address_failing"
    recent = outbox.recipients_since(now - timedelta(days=1))
    # Mailboxes, not spellings: alice+6@ and ALICE@ are alice@ (parsers/addresses.py).
    mailbox, domain = canonical(to_addr), _domain(to_addr)
    if sum(canonical(to) == mailbox for to in recent) >= policy.per_sender_daily:
        return "suppressed", "sender_cap"
    if domain not in policy.shared_domains \
            and sum(_domain(to) == domain for to in recent) >= policy.per_domain_daily:
        return "suppressed", "domain_cap"
    return ("held", None) if policy.mode == "review" else ("queued", None)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def open_sender(config: Config) -> Sender:
    replies = config.replies
    if replies.sender == "smtp":
        from outbox.smtp import SmtpSender

        return SmtpSender(replies.smtp, envelope_from=replies.from_addr, helo=replies.domain)
    return SpoolSender(replies.spool)


@dataclass
class DrainReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    ambiguous: int = 0
    # Rows re-queued at the start because a crash left them in `sending`.
    recovered: int = 0
    # Due rows left for later by the hourly cap.
    capped: int = 0
    errors: list[str] = field(default_factory=list)


class Drain:
    """One pass over the due rows of the outbox with one sender."""

    def __init__(self, outbox: Outbox, sender: Sender, clock: Callable[[], datetime],
                 global_hourly: int, give_up: timedelta):
        self.outbox, self.sender, self.clock = outbox, sender, clock
        self.global_hourly, self.give_up = global_hourly, give_up

    def run(self) -> DrainReport:
        report = DrainReport(recovered=len(self.outbox.recover()))
        now = self.clock()
        room = max(0, self.global_hourly - self.outbox.sent_since(now - timedelta(hours=1)))
        due = self.outbox.due(now)
        allowed = [r for r in due if r.kind == "digest"] + \
            [r for r in due if r.kind != "digest"][:room]
        report.capped = len(due) - len(allowed)
        if report.capped:
            log.warning("outbox: %s mail(s) wait for the next hour ([replies] global_hourly = %s)",
                        report.capped, self.global_hourly)
        try:
            for row in sorted(allowed, key=lambda r: r.id):
                if not self._send(row, report):
                    break
        finally:
            self.sender.close()
        return report

    def _send(self, row: OutboxRow, report: DrainReport) -> bool:
        """One row; False when the server cannot be reached and the drain should stop."""
        failpoints.reach("before_send")  # still queued: a crash here sends it once, later
        if not self.outbox.claim(row.id, self.clock()):
            return True
        try:
            self.sender.send(row.id, row.to_addr, row.message_id, row.raw)
        except SendError as error:
            self._settle_failure(row, error, report)
            # No SMTP reply code: the server could not be reached or the connection broke.
            return error.code is not None or error.kind == "permanent"
        failpoints.reach("after_send")
        self.outbox.mark_sent(row.id, self.clock())
        report.sent += 1
        return True

    def _settle_failure(self, row: OutboxRow, error: SendError, report: DrainReport) -> None:
        now, text = self.clock(), str(error)
        report.errors.append(f"#{row.id} {row.to_addr}: {error.kind}: {text}")
        log.warning("outbox #%s to %s: %s: %s", row.id, row.to_addr, error.kind, text)
        report.ambiguous += error.kind == "ambiguous"
        expired = now - datetime.fromisoformat(row.created_at) >= self.give_up
        if error.kind == "permanent" or expired:
            reason = text if error.kind == "permanent" else \
                f"gave up after {row.attempts + 1} attempts: {text}"
            self.outbox.mark_failed(row.id, reason, error.code)
            report.failed += 1
            return
        self.outbox.retry_later(row.id, now + backoff(row.attempts + 1), text, error.code,
                                error.kind == "ambiguous")
        report.retrying += 1


def drain(config: Config, outbox: Outbox, sender: Sender,
          clock: Callable[[], datetime]) -> DrainReport:
    replies = config.replies
    return Drain(outbox, sender, clock, replies.global_hourly,
                 timedelta(hours=replies.give_up_hours)).run()
