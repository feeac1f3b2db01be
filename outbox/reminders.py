"""补正提醒: which deficient submissions are due a reminder at `now`, and the reminder itself.

The schedule (from the project's issue):
- a reminder follows the last deficiency notice of a submission (its first notice, or the
  【已更新】 notice that answered a correction that was still deficient: a new notice restarts
  the count, because the applicant has been told afresh what is missing);
- regular reminders: `after_days` local calendar days after the notice, then `after_days` after
  the previous reminder, at most `max` of them per notice;
- one last reminder from `before_deadline_days` days before the deadline (counted back from the
  first instant after the deadline day), in addition to the regular ones;
- never when the submission is no longer deficient, never at or after the deadline, never twice
  on one local day, never on the local day of the notice, and only within the sending hours.
Days are counted in local calendar days of the secretariat's time zone, so a notice sent at
17:00 is reminded on the third day's morning run, not at 17:00 three days later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from outbox import echo
from outbox.compose import Envelope, ReplySettings, assemble, message_ids, one_line
from outbox.render import render
from parsers.subjects import strip_prefixes
from rules.common import chinese_date

PREFIX = "【补正提醒】"
REGULAR, LAST = "regular", "last"


@dataclass(frozen=True)
class ReminderSettings:
    """The schedule's numbers, and the secretariat's day (sending hours in `zone`)."""

    after_days: int = 3
    max: int = 2
    before_deadline_days: int = 2
    start: time = time(8, 30)
    end: time = time(20, 0)
    zone: tzinfo = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Pending:
    """A submission that has had a deficiency notice, as the schedule sees it."""

    submission_id: int
    # The submission's current verdict: only "deficient" is reminded.
    verdict: str
    # When its last deficiency notice (first or 【已更新】) was queued.
    notice_at: datetime
    # Every reminder queued for the submission, before or after that notice.
    reminded_at: tuple[datetime, ...]
    # The first instant after the deadline day (Profile.deadline_at()); None: no deadline.
    deadline: datetime | None


def local_day(moment: datetime, settings: ReminderSettings) -> date:
    return moment.astimezone(settings.zone).date()


def within_hours(settings: ReminderSettings, now: datetime) -> bool:
    """Reminders go out only between `start` and `end`, local time."""
    return settings.start <= now.astimezone(settings.zone).time() < settings.end


def last_window_start(pending: Pending, settings: ReminderSettings) -> datetime | None:
    """From when the last reminder before the deadline is due; None when there is none."""
    if pending.deadline is None or settings.before_deadline_days <= 0:
        return None
    return pending.deadline - timedelta(days=settings.before_deadline_days)


def reminder_due(pending: Pending, settings: ReminderSettings, now: datetime) -> str | None:
    """REGULAR, LAST, or None; the sending hours are not looked at here (see due_reminders)."""
    if pending.verdict != "deficient":
        return None
    if pending.deadline is not None and now >= pending.deadline:
        return None
    today = local_day(now, settings)
    if local_day(pending.notice_at, settings) == today:
        return None
    if any(local_day(r, settings) == today for r in pending.reminded_at):
        return None
    since_notice = sorted(r for r in pending.reminded_at if r > pending.notice_at)
    last_from = last_window_start(pending, settings)
    if last_from is not None and now >= last_from:
        # Inside the last window only the last reminder goes, once per notice.
        return None if any(r >= last_from for r in since_notice) else LAST
    if len(since_notice) >= settings.max:
        return None
    previous = since_notice[-1] if since_notice else pending.notice_at
    waited = (today - local_day(previous, settings)).days
    return REGULAR if waited >= settings.after_days else None


def due_reminders(pending: list[Pending], settings: ReminderSettings,
                  now: datetime) -> list[tuple[Pending, str]]:
    """The submissions due a reminder now, with REGULAR or LAST; none outside the hours."""
    if not within_hours(settings, now):
        return []
    return [(p, kind) for p in pending if (kind := reminder_due(p, settings, now)) is not None]


# ---- the message --------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderLetter:
    """What one reminder says, read from the submission and its last notice."""

    submission_id: int
    reference: str
    kind: str
    # The campaign's id (its template overrides) and title.
    campaign: str
    campaign_title: str
    unit_name: str
    case_name: str
    # The last notice: its subject (the original subject is recovered from it), where it went,
    # its Message-ID (the reminder answers it, so a reply to the reminder finds the submission).
    notice_subject: str
    notice_message_id: str
    notice_day: date
    to: str
    # The error findings of the submission's current version, as the notice worded them.
    missing: tuple[str, ...]
    deadline: date | None


@dataclass(frozen=True)
class Reminder:
    submission_id: int
    reference: str
    kind: str
    to: str
    subject: str
    message_id: str
    raw: bytes


def reminder_subject(notice_subject: str, case_name: str, reference: str) -> str:
    """【补正提醒】<the original subject>（受理编号：REF）."""
    base = one_line(strip_prefixes(one_line(notice_subject, 400)), 120) or \
        echo.case_name(case_name) or "案例申报材料"
    return f"{PREFIX}{base}（受理编号：{one_line(reference, 60)}）"


def _context(settings: ReplySettings, letter: ReminderLetter) -> dict[str, object]:
    return {
        "unit_name": echo.unit_name(letter.unit_name) or "（未识别）",
        "campaign_title": letter.campaign_title, "case_name": echo.case_name(letter.case_name),
        "reference": letter.reference, "notice_day": chinese_date(letter.notice_day),
        "missing": [echo.defanged(m) for m in letter.missing],
        "deadline": chinese_date(letter.deadline) if letter.deadline else "",
        "last": letter.kind == LAST, "secretariat_name": settings.secretariat_name,
        "secretariat_contact": settings.secretariat_contact,
    }


def build_reminder(settings: ReplySettings, letter: ReminderLetter, now: datetime) -> Reminder:
    """The reminder as a mail answering the last notice, with a fresh Message-ID."""
    context = _context(settings, letter)
    notice = message_ids(letter.notice_message_id, 1)
    # Not an answer to the applicant's mail but a message of our own making (RFC 3834).
    envelope = Envelope(to=one_line(letter.to, 320),
                        subject=reminder_subject(letter.notice_subject, letter.case_name,
                                                 letter.reference),
                        auto_submitted="auto-generated", in_reply_to=notice[0] if notice else "",
                        references=tuple(notice))
    text = render("reminder.txt.j2", context, settings.templates, letter.campaign)
    html = render("reminder.html.j2", context, settings.templates, letter.campaign)
    message_id, raw = assemble(settings, envelope, text, html, now)
    return Reminder(letter.submission_id, letter.reference, letter.kind, letter.to,
                    envelope.subject, message_id, raw)
