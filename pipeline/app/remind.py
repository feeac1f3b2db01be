"""补正提醒 at the database edge: who is due a reminder now, and the outbox rows that record them.

outbox/reminders.py decides and composes; this reads the notices and reminders already sent
and queues what is due. Every function takes `now`; days are local days in [schedule] timezone.
"""
from __future__ import annotations

from datetime import datetime

from outbox.reminders import (Pending, Reminder, ReminderLetter, ReminderSettings, build_reminder,
                              due_reminders, reminder_due)
from pipeline.app.runner import settings_of
from pipeline.app.sending import admit, policy_of
from pipeline.config.days import moment
from pipeline.config.settings import Config
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from rules.profile import Profile


def reminder_settings(config: Config) -> ReminderSettings:
    r = config.reminders
    return ReminderSettings(after_days=r.after_days, max=r.max,
                            before_deadline_days=r.before_deadline_days, start=r.start,
                            end=r.end, zone=config.schedule.zone)


def last_notices(db: Database) -> list[dict]:
    """Each submission's latest deficiency notice, when it has been sent.

    A notice still queued (or failing) is not "the last notice" yet: the applicant has not
    had it, and the older one it replaces must not set the clock either.
    """
    return db.query(
        "select s.id as submission_id, s.campaign, s.reference, s.unit_name, s.case_name, "
        "s.verdict, o.subject, o.message_id, o.to_addr, o.created_at from submissions s "
        "join outbox o on o.id = (select max(id) from outbox where submission_id = s.id "
        "and kind = 'deficiency') where o.status = 'sent' order by s.id")


def reminder_times(db: Database) -> dict[int, tuple[datetime, ...]]:
    """Every reminder queued, by submission: the outbox rows are the record."""
    times: dict[int, list[datetime]] = {}
    for row in db.query("select submission_id, created_at from outbox where kind = 'reminder' "
                        "order by id"):
        times.setdefault(row["submission_id"], []).append(moment(row["created_at"]))
    return {k: tuple(v) for k, v in times.items()}


def missing_items(db: Database, submission_id: int) -> tuple[str, ...]:
    """The error findings of the submission's current version, as the notice worded them."""
    rows = db.query(
        "select f.message from findings f join versions v on f.version_id = v.id "
        "where v.submission_id = ? and v.number = (select max(number) from versions "
        "where submission_id = ?) and f.severity = 'error' and f.rule != 'deadline_passed' "
        "and f.waived_by is null "
        "order by f.id", [submission_id, submission_id])
    return tuple(r["message"] for r in rows)


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
        missing=missing_items(db, notice["submission_id"]), deadline=profile.deadline)


def plan_reminders(db: Database, config: Config, now: datetime,
                   any_hour: bool = False) -> list[Reminder]:
    """The reminders due now, composed but not queued; any_hour: as if within the hours.

    Submissions of campaigns that are not enabled get none: intake no longer serves them.
    """
    settings, profiles, reminded = reminder_settings(config), config.profiles(), reminder_times(db)
    notices = {n["submission_id"]: n for n in last_notices(db) if n["campaign"] in profiles}
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


