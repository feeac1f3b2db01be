"""The daily digest: its figures read for one local day, composed, and queued.

outbox/digest.py composes the mail from the plain figures made here from the queries of
pipeline/store/digest.py. Days are local calendar days in [schedule] timezone; every function
takes `now` or the day.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

from outbox.compose import one_line
from outbox.digest import (XLSX, Attachment, CampaignDay, Digest, DigestFigures, MailboxEvent, MailboxHealth,
                           NewSubmission, build_digest, digest_subject)
from pipeline.app.needs import needs_person
from pipeline.app.sending import settings_of
from pipeline.config.days import day_bounds, local_text, moment
from pipeline.config.settings import Config
from pipeline.store import digest as queries
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from rules.profile import Profile


def _category(value: str | None) -> str:
    chosen = json.loads(value) if value else None
    if isinstance(chosen, list):
        return chosen[0] if len(chosen) == 1 else ("（多选）" if chosen else "（未选）")
    return chosen if isinstance(chosen, str) and chosen else "（未填）"


def category_counts(db: Database) -> dict[str, tuple[tuple[str, int], ...]]:
    """Submissions by the category of their current version, most frequent first."""
    counters: dict[str, Counter] = {}
    for row in queries.current_categories(db):
        counters.setdefault(row["campaign"], Counter())[_category(row["value"])] += 1
    return {c: tuple(sorted(n.items(), key=lambda kv: (-kv[1], kv[0])))
            for c, n in counters.items()}


def quota_counts(db: Database) -> dict[str, list[tuple[str, int]]]:
    """Submissions per quota group, counted as rules/checks/quota_exceeded.py counts them."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for row in queries.quota_counts(db):
        groups.setdefault(row["campaign"], []).append((row["quota_key"], row["n"]))
    return groups


def quota_unknown(db: Database) -> dict[str, list[str]]:
    """Submissions counted in no quota group, as "reference unit": nothing told their province
    or park (or a part of the group, such as the category, is not marked yet)."""
    unknown: dict[str, list[str]] = {}
    for row in queries.quota_unknown(db):
        unknown.setdefault(row["campaign"], []).append(
            " ".join(filter(None, (row["reference"], row["unit_name"]))))
    return unknown


def arrival_counts(db: Database, day: date, zone: tzinfo,
                   days: int = 14) -> dict[str, tuple[tuple[date, int], ...]]:
    """New submissions per local day over the `days` days ending with `day`, by campaign."""
    first = day - timedelta(days=days - 1)
    start, end = day_bounds(first, zone)[0], day_bounds(day, zone)[1]
    counts: dict[str, Counter] = {}
    for row in queries.arrivals(db, start, end):
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
    counts = {r["campaign"]: r for r in queries.submission_counts(db, bounds)}
    corrected = {r["campaign"]: r["n"] for r in queries.corrected_counts(db, bounds)}
    duplicates = {r["campaign"]: (r["day"] or 0, r["total"])
                  for r in queries.duplicate_counts(db, bounds)}
    oldest = {r["campaign"]: r["at"] for r in queries.oldest_notices(db)}
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
    rows = queries.new_submissions(db, day_bounds(day, zone))
    return tuple(NewSubmission(r["campaign"], r["reference"], r["unit_name"] or "",
                               r["case_name"] or "", r["verdict"],
                               tuple(f["message"] for f in db.version_findings(r["id"], r["version"])
                                     if f["severity"] == "error" and f["rule"] != "deadline_passed"))
                 for r in rows)


def mailbox_health(db: Database, config: Config, day: date,
                   zone: tzinfo) -> tuple[MailboxHealth, ...]:
    """Each mailbox up to the end of the day: last good poll, failures since, the day's warnings."""
    names = [s.name for s in config.sources if s.enabled]
    names += [name for name in queries.polled_sources(db) if name not in names]
    return tuple(_health(db, name, day_bounds(day, zone), zone) for name in names)


def _health(db: Database, source: str, bounds: tuple[str, str], zone: tzinfo) -> MailboxHealth:
    last_ok = queries.last_good_poll(db, source, bounds[1])
    failures = queries.failed_polls(db, source, bounds[1], last_ok)
    events = queries.mailbox_events(db, source, bounds)
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

    if not queries.has_submissions(db):
        return ()
    return (Attachment(f"汇总表-{day.isoformat()}.xlsx", summary_workbook(db, config), *XLSX),)


def digest_in_outbox(db: Database, day: date) -> dict | None:
    """The digest of a day already queued (or sent), if any: its subject names the day."""
    return queries.digest_in_outbox(db, digest_subject(day))


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
