"""One message's decision: duplicate or version, rules, verdict, reply; saved in one transaction."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import make_msgid

from outbox.compose import REPLY_KINDS, Answer, Reply, ReplySettings, build_reply, reply_subject
from outbox.loops import reply_address, reply_block
from parsers.authresults import Authentication
from parsers.bounces import BounceReport
from parsers.model import Document, ParsedMail
from pipeline import failpoints, stages
from pipeline.analysis.analyse import Analysis
from pipeline.analysis.overrides import Judged, correct, judge
from outbox.changed import Change
from pipeline.app.joining import (changed_by_other, contested_note, joining, rejected_note,
                                  tell_owner, unauthenticated, unauthenticated_note)
from pipeline.app.sending import ReplyPolicy, admit, reason_text
from pipeline.store import claims, submissions
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from pipeline.store.overrides import judged_rows, overrides_of
from pipeline.store.records import document_from_row, document_to_row
from rules.checks import quota_exceeded
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.registry import run_rules

log = logging.getLogger("intake")


@dataclass(frozen=True)
class Outcome:
    """What became of one message: the `intake check --json` object, and what was saved."""

    message_id: str
    campaign: str | None
    verdict: str
    reference: str | None
    unit_name: str
    fields: dict[str, object]
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    reply: Reply | None
    note: str = ""
    # What became of the reply: queued, held (review mode), suppressed, or none.
    reply_status: str = "none"
    # Why it was suppressed (a code of outbox/loops.py or pipeline/app/sending.py).
    reply_reason: str | None = None

    def to_json(self) -> dict[str, object]:
        reply = self.reply
        return {
            "message_id": self.message_id, "campaign": self.campaign, "verdict": self.verdict,
            "reference": self.reference, "unit_name": self.unit_name,
            "fields": {k: _json_value(v) for k, v in self.fields.items()},
            "documents": [d.to_json() for d in self.documents],
            "findings": [f.to_json() for f in self.findings],
            "reply": {"kind": reply.kind if reply else "none", "to": reply.to if reply else None,
                      "subject": reply.subject if reply else None, "status": self.reply_status,
                      "reason": self.reply_reason},
            "note": self.note,
        }


def _json_value(value: object) -> object:
    """Single-choice fields give the option's text; none marked is null, several a list."""
    if isinstance(value, tuple):
        return value[0] if len(value) == 1 else (list(value) or None)
    return value


def merge_documents(old: tuple[Document, ...], new: tuple[Document, ...]) -> tuple[Document, ...]:
    """A newer document of a kind (or of the same name) replaces the older ones."""
    kinds, names = {d.kind for d in new}, {d.name for d in new}
    kept = tuple(d for d in old if d.kind not in kinds and d.name not in names)
    return kept + new


def latest_form(documents: tuple[Document, ...]) -> Document | None:
    """The latest form; a Word form before a PDF copy of it (no guessing layout)."""
    forms = [d for d in documents if d.kind == "form" and d.error is None]
    forms.sort(key=lambda d: d.format != "pdf")  # stable: Word forms last, the latest last
    return forms[-1] if forms else None


def quota_key(profile: Profile, submission: Submission) -> str | None:
    """The quota group the submission is counted in, by its name ("浙江省·社区"), as the rule
    names it; None without a quota or when the group cannot be told (the digest lists those)."""
    return quota_exceeded.group_of(profile, submission)


@dataclass(frozen=True)
class Decision:
    """What the rules and people's decisions made of a submission, before it is saved."""

    submission: Submission
    existing: dict | None
    quota_key: str | None
    judged: Judged
    # The unit's name to record: a person's correction of unit_name wins over the subject's.
    unit_name: str
    # Why no automatic reply goes out although the mail is a submission ("" when one does):
    # "backlog", "not_open" or "rejected".
    silence: str = ""

    @property
    def verdict(self) -> str:
        return self.judged.verdict

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings that count (not waived): what a reply lists."""
        return self.judged.open()


class Processor:
    """Decides and saves one analysed message, in one transaction."""

    def __init__(self, db: Database, profiles: dict[str, Profile], settings: ReplySettings,
                 policy: ReplyPolicy):
        self.db, self.profiles, self.settings, self.policy = db, profiles, settings, policy
        self.outbox = Outbox(db)

    def process(self, message_row: int, sha256: str, analysis: Analysis, now: datetime,
                backlog: bool = False) -> Outcome:
        """Decide and save; backlog mail (there before the mailbox was added) gets no reply."""
        with stages.stage("database"), self.db.transaction():
            outcome = self._decide(message_row, sha256, analysis, now, backlog)
            failpoints.reach("before_commit")
        failpoints.reach("after_commit")
        return outcome

    def _decide(self, message_row: int, sha256: str, analysis: Analysis, now: datetime,
                backlog: bool) -> Outcome:
        mail = analysis.mail
        if analysis.kind != "submission" or mail is None:
            return self._not_submission(message_row, sha256, analysis, now)
        if (earlier := self.db.seen_before(message_row, sha256, mail.message_id)) is not None:
            return self._duplicate(message_row, analysis, self._reference_of(earlier))
        return self._submission(message_row, analysis, now, backlog)

    def _not_submission(self, message_row: int, sha256: str, analysis: Analysis,
                        now: datetime) -> Outcome:
        findings, note = [], analysis.note
        if analysis.kind == "unreadable":
            findings.append(Finding("attachment_unreadable", f"{sha256[:12]}.eml", "error",
                                    f"邮件无法解析：{analysis.error}"))
        if analysis.bounce is not None:
            note += self._bounced(analysis.bounce, now)
        self.db.save_findings(message_row, None, [f.to_json() for f in findings])
        self.db.finish_message(message_row, {"verdict": "not_submission", "note": note})
        mail = analysis.mail
        return Outcome(mail.message_id if mail else "", None, "not_submission", None, "", {},
                       analysis.documents, tuple(findings), None, note)

    def _bounced(self, bounce: BounceReport, now: datetime) -> str:
        """Mark the mail of ours a bounce returns, and its address as failing; what to note."""
        row = self.outbox.find_sent(bounce.message_ids)
        if row is None:
            return ""
        detail = " ".join(filter(None, (bounce.status, bounce.diagnostic))) or "退信"
        self.outbox.mark_bounced(row, now, bounce.recipient, detail, bounce.status)
        log.warning("outbox #%s to %s bounced: %s", row["id"], row["to_addr"], detail)
        return f"；退回的是发往 {row['to_addr']} 的邮件（发件箱 #{row['id']}）：{detail}"

    def _reference_of(self, message_row: int) -> tuple[str | None, int | None]:
        found = submissions.reference_of_message(self.db, message_row)
        return (found["reference"], found["id"]) if found else (None, None)

    def _duplicate(self, message_row: int, analysis: Analysis,
                   original: tuple[str | None, int | None]) -> Outcome:
        campaign = analysis.match.campaign
        note = f"与已处理的邮件内容相同（{original[0] or '无受理编号'}），不再回复"
        self.db.finish_message(message_row, {"verdict": "duplicate", "campaign": campaign,
                                             "submission_id": original[1], "note": note})
        unit = analysis.match.unit or ""
        return Outcome(analysis.mail.message_id, campaign, "duplicate", original[0], unit, {},
                       analysis.documents, (), None, note)

    def _submission(self, message_row: int, analysis: Analysis, now: datetime,
                    backlog: bool) -> Outcome:
        mail, profile = analysis.mail, self.profiles[analysis.match.campaign]
        if (forged := unauthenticated(self.db, message_row, mail, self.policy.authserv_ids)):
            return self._unauthenticated(message_row, analysis, forged, now)
        fresh = submission_of(analysis, (), profile.id)
        join = joining(self.db, message_row, mail, profile.id, fresh.unit_name,
                       str(fresh.fields.get("case_name") or ""))
        if join.contested is not None or join.rejected is not None:
            return self._held(message_row, analysis, join.contested, join.rejected, now)
        existing = join.existing
        old = tuple(document_from_row(r) for r in self.db.version_documents(existing["id"])) \
            if existing else ()
        if existing and _same_files(old, analysis.documents):
            return self._duplicate(message_row, analysis, (existing["reference"], existing["id"]))
        submission = submission_of(analysis, old, profile.id)
        decision = self.judge(profile, submission, existing, now,
                              _silence(profile, submission, backlog))
        return self._save(message_row, analysis, profile, decision, now)

    def _held(self, message_row: int, analysis: Analysis, contested: dict | None,
              rejected: dict | None, now: datetime) -> Outcome:
        """A mail that would change another applicant's submission: recorded as a claim, with
        no reply, for a person; or, once a person rejected it, recorded as not a submission."""
        mail, campaign = analysis.mail, analysis.match.campaign
        if contested is not None:
            claims.open_claim(self.db, message_row, contested["id"], mail.from_addr, now)
            verdict, note = "other_sender", contested_note(contested, message_row)
        else:
            verdict, note = "not_submission", rejected_note(rejected)
        self.db.finish_message(message_row, {"verdict": verdict, "campaign": campaign,
                                             "submission_id": None, "note": note})
        return Outcome(mail.message_id, campaign, verdict, None, analysis.match.unit or "", {},
                       analysis.documents, (), None, note)

    def _unauthenticated(self, message_row: int, analysis: Analysis, found: Authentication,
                         now: datetime) -> Outcome:
        """A submission whose sender its receiving server found forged: recorded for a person
        with no reply and no reference number (pipeline/store/claims.py)."""
        mail, campaign = analysis.mail, analysis.match.campaign
        if claims.claim_of(self.db, message_row) is None:
            claims.open_claim(self.db, message_row, None, mail.from_addr, now, "unauthenticated")
        note = unauthenticated_note(found, message_row)
        self.db.finish_message(message_row, {"verdict": "unauthenticated", "campaign": campaign,
                                             "submission_id": None, "note": note})
        return Outcome(mail.message_id, campaign, "unauthenticated", None,
                       analysis.match.unit or "", {}, analysis.documents, (), None, note)

    def judge(self, profile: Profile, submission: Submission, existing: dict | None,
              now: datetime, silence: str = "") -> Decision:
        """Corrections, the rules, waivers and decisions: what the submission's verdict is."""
        overrides = overrides_of(self.db, existing["id"]) if existing else ()
        fields, corrected = correct(submission.fields, overrides)
        submission = replace(submission, fields=fields)
        key = quota_key(profile, submission)
        count = self.db.quota_count(profile.id, key, existing["id"] if existing else None) if key else 0
        submission = replace(submission, quota_count=count)
        with stages.stage("rules"):
            judged = judge(run_rules(submission, profile, now), overrides)
        unit = str(fields.get("unit_name") or "") if "unit_name" in corrected else \
            submission.unit_name
        if judged.verdict == "rejected" and not silence:
            silence = "rejected"
        return Decision(submission, existing, key, judged, unit, silence)

    def _save(self, message_row: int, analysis: Analysis, profile: Profile, decision: Decision,
              now: datetime) -> Outcome:
        submission, verdict = decision.submission, decision.verdict
        submission_id, reference, previous = self._store(message_row, profile, decision, now)
        answer = Answer(REPLY_KINDS[verdict], reference, decision.findings, previous,
                        decision.judged.note)
        reply, status, reason = self._reply(message_row, submission_id, analysis.mail, profile,
                                            submission, answer, decision.silence, now)
        note = reason_text(reason, profile) if reason else ""
        if changed_by_other(decision.existing, submission.sender):
            self._tell_owner(profile, submission_id, reference, decision, now)
        self.db.finish_message(message_row, {"verdict": verdict, "campaign": profile.id,
                                             "submission_id": submission_id, "note": note})
        return Outcome(analysis.mail.message_id, profile.id, verdict, reference,
                       decision.unit_name, submission.fields, submission.documents,
                       decision.findings, reply, note, status, reason)

    def _tell_owner(self, profile: Profile, submission_id: int, reference: str,
                    decision: Decision, now: datetime) -> None:
        """The submission's own sender told that another address's mail changed it."""
        existing, submission = decision.existing, decision.submission
        change = Change(reference, decision.unit_name,
                        str(submission.fields.get("case_name") or ""), existing["version"] + 1,
                        decision.verdict, submission.sender)
        tell_owner(self.db, self.settings, self.policy, profile, submission_id, change,
                   existing["sender"], now)

    def _reply(self, message_row: int, submission_id: int, mail: ParsedMail, profile: Profile,
               submission: Submission, answer: Answer, silence: str,
               now: datetime) -> tuple[Reply | None, str, str | None]:
        """The reply and its outbox row: queued, held for review, or suppressed with a reason.

        A suppressed reply is still built when there is an address, so that a person can
        look at it and send it anyway (`intake outbox approve`).
        """
        to = reply_address(mail)
        with stages.stage("outbox: compose"):
            reply = build_reply(self.settings, profile, mail, submission, answer, to,
                                now) if to else None
        block = silence or reply_block(mail, self.policy.ours)
        status, reason = ("suppressed", block) if block else \
            admit(self.outbox, self.policy, to, answer.kind, now)
        self.outbox.queue({
            "message_row": message_row, "submission_id": submission_id, "kind": answer.kind,
            "to_addr": to or "", "raw": reply.raw if reply else None,
            "subject": reply.subject if reply else reply_subject(
                answer.kind, profile, submission.unit_name, answer.reference, answer.updated),
            "message_id": reply.message_id if reply else make_msgid(domain=self.settings.domain),
            "created_at": now.isoformat()}, status, reason)
        return reply, status, reason

    def _store(self, message_row: int, profile: Profile, decision: Decision,
               now: datetime) -> tuple[int, str, tuple[Finding, ...] | None]:
        """The submission, its new version, documents, fields and findings: (id, reference,
        the previous version's findings or None for a first version)."""
        submission, existing, stamp = decision.submission, decision.existing, now.isoformat()
        reference = existing["reference"] if existing else \
            self.db.next_reference(profile.id, profile.reference_prefix)
        number = (existing["version"] if existing else 0) + 1
        previous = tuple(Finding(**f) for f in self.db.version_findings(
            existing["id"], existing["version"])) if existing else None
        submission_id = self.db.save_submission({
            "id": existing["id"] if existing else None, "campaign": profile.id,
            "reference": reference, "unit_name": decision.unit_name,
            "case_name": str(submission.fields.get("case_name") or ""),
            "sender": _owner(existing, submission.sender), "verdict": decision.verdict,
            "version": number,
            "quota_key": decision.quota_key,
            "created_at": existing["created_at"] if existing else stamp, "updated_at": stamp})
        version_id = self.db.save_version(
            {"submission_id": submission_id, "number": number, "message_row": message_row,
             "verdict": decision.verdict, "created_at": stamp},
            [document_to_row(d) for d in submission.documents], submission.fields)
        self.db.save_findings(message_row, version_id, judged_rows(decision.judged))
        return submission_id, reference, previous


def _owner(existing: dict | None, sender: str) -> str:
    """A submission keeps the sender who made it: a confirmed colleague's correction, or an
    answer from another address, changes the submission, not whom it belongs to."""
    return existing["sender"] if existing and existing["sender"] else sender


def _silence(profile: Profile, submission: Submission, backlog: bool) -> str:
    """Mail that was waiting before intake or the campaign began is recorded, not answered."""
    if backlog:
        return "backlog"
    opens, arrived = profile.opens_at(), submission.arrived_at
    return "not_open" if opens is not None and arrived is not None and arrived < opens else ""


def _same_files(old: tuple[Document, ...], new: tuple[Document, ...]) -> bool:
    """The same attachments again: a resend, not a correction."""
    return bool(new) and {d.sha256 for d in new} <= {d.sha256 for d in old}


def submission_of(analysis: Analysis, old: tuple[Document, ...], campaign: str) -> Submission:
    mail = analysis.mail
    documents = merge_documents(old, analysis.documents)
    form = latest_form(documents)
    return Submission(
        campaign=campaign, subject=mail.subject, subject_unit=analysis.match.unit,
        subject_matched=analysis.match.matched, body=mail.text,
        sender=mail.from_addr, arrived_at=mail.arrived_at or mail.date, documents=documents,
        fields=dict(form.fields) if form else {}, unreadable=dict(form.unreadable) if form else {},
        large_links=analysis.large_links)
