"""申报变更通知: the original applicant told that their submission was changed by a mail from
another address (a sender the secretariat confirmed, or one answering our reply), so that no
change goes unseen by the one who made the submission."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outbox import echo
from outbox.compose import Envelope, Reply, ReplySettings, assemble
from outbox.render import render
from rules.profile import Profile
from rules.vocabulary import VERDICT_NAMES

KIND = "change_notice"
PREFIX = "【申报变更通知】"


@dataclass(frozen=True)
class Change:
    """What changed: the submission, its new version, and the address whose mail made it."""

    reference: str
    unit_name: str
    case_name: str
    version: int
    verdict: str
    changed_by: str


def change_subject(profile: Profile, change: Change) -> str:
    return f"{PREFIX}{profile.title}（受理编号：{change.reference}）"


def build_change_notice(settings: ReplySettings, profile: Profile, change: Change, to: str,
                        now: datetime) -> Reply:
    """The notice to the submission's own sender `to` (a checked address)."""
    context = {
        "unit_name": echo.unit_name(change.unit_name) or "贵单位",
        "campaign_title": profile.title, "reference": change.reference,
        "case_name": echo.case_name(change.case_name),
        "version": change.version, "verdict": VERDICT_NAMES.get(change.verdict, change.verdict),
        "changed_by": change.changed_by,
        "secretariat_name": settings.secretariat_name,
        "secretariat_contact": settings.secretariat_contact,
    }
    envelope = Envelope(to=to, subject=change_subject(profile, change),
                        auto_submitted="auto-generated")
    text = render(f"{KIND}.txt.j2", context, settings.templates, profile.id)
    html = render(f"{KIND}.html.j2", context, settings.templates, profile.id)
    message_id, raw = assemble(settings, envelope, text, html, now)
    return Reply(KIND, to, envelope.subject, message_id, raw)
