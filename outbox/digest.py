"""The daily digest (每日汇总) for the secretariat, composed from plain figures of one day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from outbox.compose import Envelope, ReplySettings, assemble, one_line
from outbox.render import render
from rules.common import chinese_date
from rules.vocabulary import VERDICT_NAMES

# The widest bar of the arrivals chart, in pixels (HTML) and in blocks (plain text).
BAR_PIXELS, BAR_BLOCKS = 240, 30


@dataclass(frozen=True)
class CampaignDay:
    """One campaign's figures: the day's arrivals and the standing totals."""

    campaign: str
    title: str
    # Submissions first received on the day / ever.
    received: int
    total: int
    # Submissions by current verdict.
    complete: int
    deficient: int
    late: int
    # Days the longest-waiting deficient submission has waited since its last notice.
    oldest_wait_days: int | None
    # Existing submissions that got a new version on the day.
    corrected: int
    # Mails of the day recognised as the same content again / ever.
    duplicates: int
    duplicates_total: int
    # Submissions a person rejected (intake reject).
    rejected: int = 0
    # Current submissions by category (案例类别), most frequent first.
    categories: tuple[tuple[str, int], ...] = ()
    # The profile's quota (None: the notice sets none), what it counts by (its description),
    # and every group (province, recommending park…) with its count.
    quota_max: int | None = None
    quota_by: str = ""
    quota_groups: tuple[tuple[str, int], ...] = ()
    # Submissions counted in no group ("reference unit"): no province or park could be told.
    quota_unknown: tuple[str, ...] = ()
    # New submissions per local day over the last two weeks, ending with the digest's day.
    arrivals: tuple[tuple[date, int], ...] = ()

    @property
    def over_quota(self) -> tuple[tuple[str, int], ...]:
        return tuple((k, n) for k, n in self.quota_groups
                     if self.quota_max is not None and n > self.quota_max)

    @property
    def at_quota(self) -> tuple[tuple[str, int], ...]:
        """Groups that have reached the quota: one more would be over it."""
        return tuple((k, n) for k, n in self.quota_groups if n == self.quota_max)


@dataclass(frozen=True)
class NewSubmission:
    campaign: str
    reference: str
    unit_name: str
    case_name: str
    verdict: str
    # What still counts against it: the messages of its open error findings.
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """One thing a person must look at: which case or mail, who, and why."""

    reference: str
    subject: str
    address: str
    detail: str


@dataclass(frozen=True)
class NeedsPerson:
    not_submissions: tuple[Flag, ...] = ()
    parked: tuple[Flag, ...] = ()
    unreadable: tuple[Flag, ...] = ()
    large_links: tuple[Flag, ...] = ()
    failed_replies: tuple[Flag, ...] = ()
    seal_warnings: tuple[Flag, ...] = ()
    # Review mode: replies waiting for `intake outbox approve`.
    held_replies: tuple[Flag, ...] = ()
    # Replies of the day not sent on purpose (loop safety, caps, backlog), with the reason.
    suppressed_replies: tuple[Flag, ...] = ()
    # Sends of the day retried after the connection broke after the final dot.
    ambiguous_replies: tuple[Flag, ...] = ()

    def count(self) -> int:
        return sum(len(group) for group in (
            self.not_submissions, self.parked, self.unreadable, self.large_links,
            self.failed_replies, self.seal_warnings, self.held_replies, self.suppressed_replies,
            self.ambiguous_replies))


@dataclass(frozen=True)
class MailboxEvent:
    at: str
    folder: str
    kind: str
    detail: str


@dataclass(frozen=True)
class MailboxHealth:
    source: str
    # Local 'YYYY-MM-DD HH:MM' of the last successful poll; "" when there never was one.
    last_ok: str
    # Failed polls after the last successful one, and the latest error.
    errors_since: int
    last_error: str
    events: tuple[MailboxEvent, ...] = ()


@dataclass(frozen=True)
class DigestFigures:
    day: date
    campaigns: tuple[CampaignDay, ...]
    new_submissions: tuple[NewSubmission, ...]
    needs: NeedsPerson
    mailboxes: tuple[MailboxHealth, ...]


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    maintype: str
    subtype: str


XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Digest:
    day: date
    to: tuple[str, ...]
    subject: str
    message_id: str
    raw: bytes


def digest_subject(day: date) -> str:
    return f"【每日汇总】{day.isoformat()} 案例征集受理情况"


def _needs_sections(needs: NeedsPerson) -> list[dict[str, object]]:
    """The "needs a person" groups in the order a person works through them, empty ones out."""
    groups = (
        ("咨询及其他非申报邮件", "发件人", needs.not_submissions),
        ("处理失败、已搁置的邮件（请查看原始邮件）", "发件人", needs.parked),
        ("无法打开的附件", "发件人", needs.unreadable),
        ("超大附件下载链接（请在过期前下载）", "发件人", needs.large_links),
        ("待审核的回复（审核模式）", "收件人", needs.held_replies),
        ("发送失败或退信的回复", "收件人", needs.failed_replies),
        ("未自动回复的申报（防循环、限额等）", "发件人", needs.suppressed_replies),
        ("可能重复发送的回复", "收件人", needs.ambiguous_replies),
        ("未发现盖章（请人工确认）", "发件人", needs.seal_warnings),
    )
    return [{"title": title, "who": who, "flags": flags} for title, who, flags in groups if flags]


def arrival_chart(campaigns: tuple[CampaignDay, ...]) -> list[dict[str, object]]:
    """Bars of new submissions per day per campaign, on one scale for every campaign, so a
    webmail client that shows no images still draws them (inline-styled widths). The quiet
    days before the first arrival of the fortnight are left out."""
    most = max((n for c in campaigns for _, n in c.arrivals), default=0)
    # Every chart starts on the first day any campaign had an arrival, so the days line up.
    first = min((d for c in campaigns for d, n in c.arrivals if n), default=None)
    charts = []
    for c in campaigns:
        if not any(n for _, n in c.arrivals):
            continue
        bars = [{"day": d.strftime("%m-%d"), "n": n,
                 "pixels": round(BAR_PIXELS * n / most) if n else 0,
                 "blocks": "█" * max(1, round(BAR_BLOCKS * n / most)) if n else ""}
                for d, n in c.arrivals if d >= first]
        charts.append({"title": c.title, "bars": bars})
    return charts


def _context(settings: ReplySettings, figures: DigestFigures, now: datetime) -> dict[str, object]:
    new = [{"campaign": s.campaign, "reference": s.reference, "unit_name": s.unit_name or "（未识别）",
            "case_name": s.case_name or "（未识别）", "verdict": VERDICT_NAMES.get(s.verdict, s.verdict),
            "errors": len(s.findings), "findings": s.findings} for s in figures.new_submissions]
    return {
        "day": figures.day.isoformat(), "day_cn": chinese_date(figures.day),
        "campaigns": figures.campaigns, "new_submissions": new,
        "charts": arrival_chart(figures.campaigns),
        "needs": _needs_sections(figures.needs), "needs_count": figures.needs.count(),
        "mailboxes": figures.mailboxes,
        "generated": now.strftime("%Y-%m-%d %H:%M"), "secretariat_name": settings.secretariat_name,
    }


def build_digest(settings: ReplySettings, to: tuple[str, ...], figures: DigestFigures,
                 now: datetime, attachments: tuple[Attachment, ...] = ()) -> Digest:
    """The digest mail of `figures.day`, with attachments (the 汇总表); `now` (local time) is
    when it was made."""
    context = _context(settings, figures, now)
    context["attachments"] = [a.name for a in attachments]
    envelope = Envelope(to=", ".join(one_line(a, 320) for a in to),
                        subject=digest_subject(figures.day), auto_submitted="auto-generated")
    text = render("digest.txt.j2", context, settings.templates)
    html = render("digest.html.j2", context, settings.templates)
    files = tuple((a.name, a.data, a.maintype, a.subtype) for a in attachments)
    message_id, raw = assemble(settings, envelope, text, html, now, files)
    return Digest(figures.day, to, envelope.subject, message_id, raw)
