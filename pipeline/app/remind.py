"""补正提醒: who is due a reminder now, and the outbox rows that record them.

outbox/reminders.py decides and composes; this reads the notices and reminders already sent
(pipeline/store/reminders.py) and queues what is due. Every function takes `now`; days are local days in [schedule] timezone.
"""
from __future__ import annotations

from datetime import datetime

from outbox.reminders import (Pending, Reminder, ReminderLetter, ReminderSettings, build_reminder,
                              due_reminders, reminder_due)
from pipeline.app.sending import admit, policy_of, settings_of
from pipeline.config.days import moment
from pipeline.config.settings import Config
from pipeline.store import reminders as queries
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from rules.profile import Profile


def reminder_settings(config: Config) -> ReminderSettings:
    r = config.reminders
    return ReminderSettings(after_days=r.after_days, max=r.max,
                            before_deadline_days=r.before_deadline_days, start=r.start,
                            end=r.end, zone=config.schedule.zone)


def reminder_times(db: Database) -> dict[int, tuple[datetime, ...]]:
    """Every reminder queued, by submission."""
    times: dict[int, list[datetime]] = {}
    for row in queries.reminders_queued(db):
        times.setdefault(row["submission_id"], []).append(moment(row["created_at"]))
    return {k: tuple(v) for k, v in times.items()}


def _pending(notice: dict, profile: Profile, reminded: tuple[datetime, ...]) -> Pending:
    return Pending(notice["submission_id"], notice["verdict"], moment(notice["created_at"]),
                   reminded, profile.deadline_at())


def _letter(db: Database, notice: dict, profile: Profile, kind: str,
            settings: ReminderSettings) -> ReminderLetter:
    return ReminderLetter(
        submission_id=notice["submission_id"], reference=notice["reference"], kind=kind,
        campaign=profile.id, campaign_title=profile.title, unit_name=notice["unit_name"] or "",
        case_name=notice["case_name"] or "", notice_subject=notice["subject"] or "",
        notice_message_id=notice["message_id"], to=notice["to_addr"],
        notice_day=moment(notice["created_at"]).astimezone(settings.zone).date(),
        missing=queries.missing_items(db, notice["submission_id"]), deadline=profile.deadline)


def plan_reminders(db: Database, config: Config, now: datetime,
                   any_hour: bool = False) -> list[Reminder]:
    """The reminders due now, composed but not queued; any_hour: as if within the hours.

    Submissions of campaigns that are not enabled get none: intake no longer serves them.
    """
    settings, profiles, reminded = reminder_settings(config), config.profiles(), reminder_times(db)
    notices = {n["submission_id"]: n for n in queries.last_notices(db) if n["campaign"] in profiles}
    pending = [_pending(n, profiles[n["campaign"]], reminded.get(k, ()))
               for k, n in notices.items()]
    if any_hour:
        due = [(p, kind) for p in pending if (kind := reminder_due(p, settings, now))]
    else:
        due = due_reminders(pending, settings, now)
    mail_settings, reminders = settings_of(config), []
    for p, kind in due:
        notice = notices[p.submission_id]
        letter = _letter(db, notice, profiles[notice["campaign"]], kind, settings)
        reminders.append(build_reminder(mail_settings, letter, now))
    return reminders


def send_reminders(db: Database, config: Config, now: datetime) -> list[Reminder]:
    """Queue the reminders due now as outbox rows (kind "reminder"); what was queued.

    Reading and queueing share one BEGIN IMMEDIATE transaction, so two processes running this
    at once cannot both find a submission not yet reminded today.
    """
    outbox, policy = Outbox(db), policy_of(config)
    with db.transaction():
        reminders = plan_reminders(db, config, now)
        for reminder in reminders:
            status, reason = admit(outbox, policy, reminder.to, "reminder", now)
            outbox.queue({"message_row": None, "submission_id": reminder.submission_id,
                          "kind": "reminder", "to_addr": reminder.to,
                          "subject": reminder.subject, "message_id": reminder.message_id,
                          "raw": reminder.raw, "created_at": now.isoformat()}, status, reason)
    return reminders


