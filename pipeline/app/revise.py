"""People's overrides and `intake reprocess`: record the decision, run the rules again over the
current version's stored documents, save the result in place, and answer the applicant if asked.

Everything for one command happens in one transaction: the override, the new findings and
verdict, and the updated reply, or none of them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from outbox.compose import REPLY_KINDS, Answer, build_reply
from outbox.loops import reply_address
from parsers.errors import UnreadableMail
from parsers.largelink import find_large_links
from parsers.mail import parse_mail
from parsers.model import ParsedMail
from pipeline.analysis.analyse import Analysis
from pipeline.analysis.classify import by_form, match_subject
from pipeline.app.process import Decision, Processor, submission_of
from pipeline.app.sending import policy_of, settings_of
from pipeline.config.settings import Config
from pipeline.errors import IntakeError
from pipeline.store import submissions
from pipeline.store.database import Database
from pipeline.store.overrides import judged_rows, record_override
from pipeline.store.records import document_from_row
from rules.model import Finding, Submission
from rules.profile import Profile


class OverrideError(IntakeError):
    """An override that cannot be made: no such submission, rule, field or finding."""


@dataclass(frozen=True)
class Current:
    """A submission's current version as the rules saw it: the mail that brought it, and the
    merged documents with the fields as the parser read them (before any correction)."""

    row: dict
    version: dict
    profile: Profile
    mail: ParsedMail
    submission: Submission
    # Every finding of the version as saved (waived ones too), as rows.
    findings: tuple[dict, ...]

    def counting(self) -> tuple[Finding, ...]:
        """The findings that count now: not waived."""
        return tuple(Finding(f["rule"], f["field"], f["severity"], f["message"])
                     for f in self.findings if f["waived_by"] is None)


@dataclass(frozen=True)
class Revision:
    """What an override or a reprocess changed."""

    reference: str
    before: str
    after: str
    # The findings that count now, and those that counted before and no longer do.
    open: tuple[Finding, ...]
    closed: tuple[Finding, ...]
    override_id: int | None = None
    # The updated reply asked for with --notify: its outbox id and status.
    reply_id: int | None = None
    reply_status: str = "none"


# Builds the override row from the submission's current state; raises OverrideError.
RowMaker = Callable[[Current], dict[str, object]]


class Reviser:
    """Applies people's decisions to one submission at a time, with the pipeline's own judge."""

    def __init__(self, db: Database, config: Config):
        self.db, self.profiles = db, config.profiles()
        self.processor = Processor(db, self.profiles, settings_of(config), policy_of(config))

    def apply(self, reference: str, make_row: RowMaker, now: datetime,
              notify: bool = False, by: str = "") -> Revision:
        """Record the override make_row builds, run the rules again, answer if notify."""
        with self.db.transaction():
            current = self.current(reference)
            row = make_row(current)
            before = current.counting()
            override_id = record_override(self.db, {
                "submission_id": current.row["id"], "version": current.row["version"],
                "at": now.isoformat(), "before": json.dumps([f.to_json() for f in before],
                                                            ensure_ascii=False), **row})
            revision, decision = self._rerun(current, before, now)
            reply_id, status = self._notify(current, decision, now, by) if notify \
                else (None, "none")
        return replace(revision, override_id=override_id, reply_id=reply_id, reply_status=status)

    def current(self, reference: str) -> Current:
        row = submissions.by_reference(self.db, reference)
        if row is None:
            raise OverrideError(f"no submission {reference!r} (a reference such as "
                                "GPIPC-2024-P-0001; `intake list` shows them)")
        profile = self.profiles.get(row["campaign"])
        if profile is None:
            raise OverrideError(f"{reference}: campaign {row['campaign']!r} is not enabled in "
                                "the config, so its rules cannot run")
        version = submissions.version_with_mail(self.db, row["id"], row["version"])
        mail = _read_mail(Path(version["raw_path"]), reference)
        documents = tuple(document_from_row(r) for r in self.db.version_documents(row["id"]))
        submission = submission_of(_analysis(mail, profile), documents, profile.id)
        findings = tuple(submissions.findings_of_version(self.db, version["id"]))
        return Current(row, version, profile, mail, submission, findings)

    def _rerun(self, current: Current, before: tuple[Finding, ...],
               now: datetime) -> tuple[Revision, Decision]:
        row = current.row
        decision = self.processor.judge(current.profile, current.submission, row, now)
        self._save(current, decision, now)
        after = decision.findings
        closed = tuple(f for f in before if (f.rule, f.field) not in
                       {(a.rule, a.field) for a in after})
        return Revision(row["reference"], row["verdict"], decision.verdict, after, closed), decision

    def _save(self, current: Current, decision: Decision, now: datetime) -> None:
        submissions.rejudge(self.db, current.version, judged_rows(decision.judged),
                            decision.submission.fields, decision.verdict, {
                                "id": current.row["id"], "unit_name": decision.unit_name,
                                "case_name": str(decision.submission.fields.get("case_name") or ""),
                                "quota_key": decision.quota_key, "updated_at": now.isoformat()})

    def _notify(self, current: Current, decision: Decision, now: datetime,
                by: str) -> tuple[int, str]:
        """The updated reply a person asked for: queued at once (they are its reviewer).

        It lists what still counts and, as resolved, what the applicant was last told and
        no longer counts.
        """
        reference = current.row["reference"]
        answer = Answer(REPLY_KINDS[decision.verdict], reference, decision.findings,
                        told_before(self.db, current.row["id"]), decision.judged.note)
        to = reply_address(current.mail)
        if not to:
            raise OverrideError(f"{reference}: the mail has no address a reply may go to "
                                "(see `intake show`); nothing was changed")
        reply = build_reply(self.processor.settings, current.profile, current.mail,
                            decision.submission, answer, to, now)
        outbox_id = self.processor.outbox.queue({
            "message_row": None, "submission_id": current.row["id"], "kind": reply.kind,
            "to_addr": to, "subject": reply.subject, "message_id": reply.message_id,
            "raw": reply.raw, "created_at": now.isoformat(), "approved_at": now.isoformat(),
            "approved_by": by})
        return outbox_id, "queued"


def told_before(db: Database, submission_id: int) -> tuple[Finding, ...]:
    """The findings that counted when the applicant was last answered: those before the first
    decision made since that answer (this command's decision at the latest)."""
    found = submissions.first_decision_since_answer(db, submission_id, tuple(REPLY_KINDS.values()))
    return tuple(Finding(**f) for f in json.loads(found["before"])) if found else ()


def _analysis(mail: ParsedMail, profile: Profile) -> Analysis:
    """The mail as the campaign's rules read it: its subject convention and large links."""
    profiles = {profile.id: profile}
    match = match_subject(mail.subject, profiles)
    if match.campaign is None:
        match = by_form(profile.id, profiles)
    return Analysis(mail, "submission", match, (), large_links=find_large_links(mail.text, mail.html))


def _read_mail(path: Path, reference: str) -> ParsedMail:
    try:
        return parse_mail(path.read_bytes())
    except (OSError, UnreadableMail) as error:
        raise OverrideError(f"{reference}: its mail {path} cannot be read again: {error}") from error

