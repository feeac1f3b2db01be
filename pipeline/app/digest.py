"""The daily digest at the database edge: one named query per figure group, and queueing it.

outbox/digest.py composes the mail from the plain figures read here. Days are local calendar
days in [schedule] timezone; every function takes `now` or the day.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

from outbox.compose import one_line
from outbox.digest import (XLSX, Attachment, CampaignDay, Digest, DigestFigures, MailboxEvent, MailboxHealth,
                           NewSubmission, build_digest, digest_subject)
from pipeline.app.needs import needs_person
from pipeline.app.runner import settings_of
from pipeline.config.days import day_bounds, local_text, moment, on_day
from pipeline.config.settings import Config
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from rules.profile import Profile


def submission_counts(db: Database, bounds: tuple[str, str]) -> dict[str, dict]:
    rows = db.query(
        "select campaign, count(*) as total, sum(verdict = 'complete') as complete, "
        "sum(verdict = 'deficient') as deficient, sum(verdict = 'late') as late, "
        "sum(verdict = 'rejected') as rejected, "
        f"sum({on_day('created_at')}) as received from submissions group by campaign",
        {"start": bounds[0], "end": bounds[1]})
    return {r["campaign"]: r for r in rows}


def corrected_counts(db: Database, bounds: tuple[str, str]) -> dict[str, int]:
    """Existing submissions that got a new version on the day."""
    rows = db.query(
        "select s.campaign, count(distinct v.submission_id) as n from versions v join "
        f"submissions s on v.submission_id = s.id where v.number > 1 and {on_day('v.created_at')} "
        "group by s.campaign", {"start": bounds[0], "end": bounds[1]})
    return {r["campaign"]: r["n"] for r in rows}


def duplicate_counts(db: Database, bounds: tuple[str, str]) -> dict[str, tuple[int, int]]:
    """Mails recognised as the same content again: (on the day, ever), by campaign."""
    rows = db.query(
        f"select campaign, sum({on_day('fetched_at')}) as day, count(*) as total from messages "
        "where verdict = 'duplicate' and campaign is not null group by campaign",
        {"start": bounds[0], "end": bounds[1]})
    return {r["campaign"]: (r["day"] or 0, r["total"]) for r in rows}


def oldest_notices(db: Database) -> dict[str, str]:
    """The earliest last-notice time among each campaign's deficient submissions (UTC)."""
    rows = db.query(
        "select s.campaign, min(datetime(o.created_at)) as at from submissions s join outbox o "
        "on o.id = (select max(id) from outbox where submission_id = s.id and kind = 'deficiency') "
        "where s.verdict = 'deficient' group by s.campaign")
    return {r["campaign"]: r["at"] for r in rows}


def _category(value: str | None) -> str:
    chosen = json.loads(value) if value else None
    if isinstance(chosen, list):
        return chosen[0] if len(chosen) == 1 else ("（多选）" if chosen else "（未选）")
    return chosen if isinstance(chosen, str) and chosen else "（未填）"


def category_counts(db: Database) -> dict[str, tuple[tuple[str, int], ...]]:
    """Submissions by the category of their current version, most frequent first."""
    rows = db.query(
        "select s.campaign, f.value from submissions s join versions v on v.submission_id = s.id "
        "and v.number = s.version left join fields f on f.version_id = v.id and f.key = 'category'")
    counters: dict[str, Counter] = {}
    for row in rows:
        counters.setdefault(row["campaign"], Counter())[_category(row["value"])] += 1
    return {c: tuple(sorted(n.items(), key=lambda kv: (-kv[1], kv[0])))
            for c, n in counters.items()}


def quota_counts(db: Database) -> dict[str, list[tuple[str, int]]]:
    """Submissions per quota group, counted as rules/quota_exceeded counts them."""
    rows = db.query(
        "select campaign, quota_key, count(*) as n from submissions where quota_key is not null "
        "and verdict in ('complete', 'deficient') group by campaign, quota_key order by quota_key")
    groups: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        groups.setdefault(row["campaign"], []).append((row["quota_key"], row["n"]))
    return groups


def quota_unknown(db: Database) -> dict[str, list[str]]:
    """Submissions counted in no quota group, as "reference unit": nothing told their province
    or park (or a part of the group, such as the category, is not marked yet)."""
    rows = db.query(
        "select campaign, reference, unit_name from submissions where quota_key is null "
        "and verdict in ('complete', 'deficient') order by id")
    unknown: dict[str, list[str]] = {}
    for row in rows:
        unknown.setdefault(row["campaign"], []).append(
            " ".join(filter(None, (row["reference"], row["unit_name"]))))
    return unknown


def arrival_counts(db: Database, day: date, zone: tzinfo,
                   days: int = 14) -> dict[str, tuple[tuple[date, int], ...]]:
    """New submissions per local day over the `days` days ending with `day`, by campaign."""
    first = day - timedelta(days=days - 1)
    start, end = day_bounds(first, zone)[0], day_bounds(day, zone)[1]
    rows = db.query("select campaign, created_at from submissions where "
                    "datetime(created_at) >= ? and datetime(created_at) < ?", [start, end])
    counts: dict[str, Counter] = {}
    for row in rows:
        local = moment(row["created_at"]).astimezone(zone).date()
        counts.setdefault(row["campaign"], Counter())[local] += 1
    span = [first + timedelta(days=n) for n in range(days)]
    return {c: tuple((d, n[d]) for d in span) for c, n in counts.items()}


def _waited(oldest: str | None, day: date, zone: tzinfo) -> int | None:
    """Whole local days from a notice to the day (0 for a notice after it: a past digest)."""
    return None if oldest is None else max(0, (day - moment(oldest).astimezone(zone).date()).days)


def campaign_days(db: Database, profiles: dict[str, Profile], day: date,
                  zone: tzinfo) -> tuple[CampaignDay, ...]:
    """Every campaign that has had a submission or a duplicate, enabled ones first."""
    bounds = day_bounds(day, zone)
    counts, corrected = submission_counts(db, bounds), corrected_counts(db, bounds)
    duplicates, oldest = duplicate_counts(db, bounds), oldest_notices(db)
    categories, quotas, unknown = category_counts(db), quota_counts(db), quota_unknown(db)
    arrivals = arrival_counts(db, day, zone)
    ids = [c for c in profiles if c in counts or c in duplicates]
    ids += sorted((set(counts) | set(duplicates)) - set(ids))
    result = []
    for campaign in ids:
        row, profile = counts.get(campaign, {}), profiles.get(campaign)
        quota = profile.quota if profile else None
        day_duplicates, all_duplicates = duplicates.get(campaign, (0, 0))
        result.append(CampaignDay(
            campaign=campaign, title=profile.title if profile else campaign,
            received=row.get("received") or 0, total=row.get("total") or 0,
            complete=row.get("complete") or 0, deficient=row.get("deficient") or 0,
            late=row.get("late") or 0, rejected=row.get("rejected") or 0,
            oldest_wait_days=_waited(oldest.get(campaign), day, zone),
            corrected=corrected.get(campaign, 0), duplicates=day_duplicates,
            duplicates_total=all_duplicates, categories=categories.get(campaign, ()),
            quota_max=quota.max if quota else None,
            quota_by=quota.description if quota else "",
            quota_groups=tuple(quotas.get(campaign, ())) if quota else (),
            quota_unknown=tuple(unknown.get(campaign, ())) if quota else (),
            arrivals=arrivals.get(campaign, ())))
    return tuple(result)


def new_submissions(db: Database, day: date, zone: tzinfo) -> tuple[NewSubmission, ...]:
    """Submissions first received on the day, with their current verdict and what still counts
    against them (error findings of the current version, not waived)."""
    start, end = day_bounds(day, zone)
    rows = db.query(
        "select s.id, s.campaign, s.reference, s.unit_name, s.case_name, s.verdict, s.version "
        f"from submissions s where {on_day('s.created_at')} order by s.id",
        {"start": start, "end": end})
    return tuple(NewSubmission(r["campaign"], r["reference"], r["unit_name"] or "",
                               r["case_name"] or "", r["verdict"],
                               tuple(f["message"] for f in db.version_findings(r["id"], r["version"])
                                     if f["severity"] == "error" and f["rule"] != "deadline_passed"))
                 for r in rows)


def mailbox_health(db: Database, config: Config, day: date,
                   zone: tzinfo) -> tuple[MailboxHealth, ...]:
    """Each mailbox up to the end of the day: last good poll, failures since, the day's warnings."""
    start, end = day_bounds(day, zone)
    names = [s.name for s in config.sources if s.enabled]
    for row in db.query("select distinct source from polls union select distinct source from "
                        "events where source is not null order by 1"):
        if row["source"] not in names:
            names.append(row["source"])
    return tuple(_health(db, name, start, end, zone) for name in names)


def _health(db: Database, source: str, start: str, end: str, zone: tzinfo) -> MailboxHealth:
    last_ok = db.query("select max(datetime(finished_at)) as at from polls where source = ? "
                       "and ok = 1 and datetime(started_at) < ?", [source, end])[0]["at"]
    failures = db.query(
        "select error_kind, error from polls where source = ? and ok = 0 and datetime(started_at)"
        " < ? and (? is null or datetime(started_at) > ?) order by id desc",
        [source, end, last_ok, last_ok])
    events = db.query(f"select at, folder, kind, detail from events where source = :source "
                      f"and {on_day('at')} order by id",
                      {"source": source, "start": start, "end": end})
    last_error = f"{failures[0]['error_kind'] or ''} {failures[0]['error'] or ''}".strip() \
        if failures else ""
    return MailboxHealth(source, local_text(last_ok, zone), len(failures), one_line(last_error, 300),
                         tuple(MailboxEvent(local_text(e["at"], zone), e["folder"] or "", e["kind"],
                                            one_line(e["detail"] or "", 300)) for e in events))


def digest_figures(db: Database, config: Config, day: date) -> DigestFigures:
    zone = config.schedule.zone
    return DigestFigures(day, campaign_days(db, config.profiles(), day, zone),
                         new_submissions(db, day, zone), needs_person(db, day, zone),
                         mailbox_health(db, config, day, zone))


def local_today(config: Config, now: datetime) -> date:
    return now.astimezone(config.schedule.zone).date()


def render_digest(db: Database, config: Config, now: datetime, day: date | None = None) -> Digest:
    """The digest mail of `day` (default: today, locally), addressed to [digest] to."""
    day = day or local_today(config, now)
    figures = digest_figures(db, config, day)
    return build_digest(settings_of(config), config.digest.to, figures,
                        now.astimezone(config.schedule.zone), summary_attachment(db, config, day))


def summary_attachment(db: Database, config: Config, day: date) -> tuple[Attachment, ...]:
    """The 汇总表 as it stands when the digest is made, once there is a submission."""
    from pipeline.exports.summary import summary_workbook  # openpyxl is loaded only when needed

    if not db.query("select 1 from submissions limit 1"):
        return ()
    return (Attachment(f"汇总表-{day.isoformat()}.xlsx", summary_workbook(db, config), *XLSX),)


def digest_in_outbox(db: Database, day: date) -> dict | None:
    """The digest of a day already queued (or sent), if any: its subject names the day."""
    found = db.query("select id, status from outbox where kind = 'digest' and subject = ? "
                     "order by id limit 1", [digest_subject(day)])
    return found[0] if found else None


def queue_digest(db: Database, config: Config, now: datetime,
                 day: date | None = None) -> int | None:
    """Queue the digest of `day` to the secretariat; the outbox id, or None when nothing was
    queued: no [digest] to, or the day's digest is already in the outbox (a restart)."""
    if not config.digest.to:
        return None
    day = day or local_today(config, now)
    with db.transaction():
        if digest_in_outbox(db, day):
            return None
        digest = render_digest(db, config, now, day)
        # The secretariat's own mail: never held for review nor capped.
        return Outbox(db).queue({"message_row": None, "submission_id": None, "kind": "digest",
                                 "to_addr": ", ".join(digest.to), "subject": digest.subject,
                                 "message_id": digest.message_id, "raw": digest.raw,
                                 "created_at": now.isoformat()})
