"""One message's decision: duplicate or version, rules, verdict, reply; saved in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from outbox.compose import Reply, ReplySettings, build_reply
from parsers.text import squash
from parsers.types import Document
from pipeline import failpoints
from pipeline.analyse import Analysis
from pipeline.db import Database
from pipeline.records import document_from_row, document_to_row
from rules import decide, run_rules
from rules.profile import Profile
from rules.types import Finding, Submission

REPLY_KINDS = {"complete": "receipt", "deficient": "deficiency", "late": "late"}


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

    def to_json(self) -> dict[str, object]:
        reply = self.reply
        return {
            "message_id": self.message_id, "campaign": self.campaign, "verdict": self.verdict,
            "reference": self.reference, "unit_name": self.unit_name,
            "fields": {k: _json_value(v) for k, v in self.fields.items()},
            "documents": [d.to_json() for d in self.documents],
            "findings": [f.to_json() for f in self.findings],
            "reply": {"kind": reply.kind if reply else "none", "to": reply.to if reply else None,
                      "subject": reply.subject if reply else None},
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


def form_fields(documents: tuple[Document, ...]) -> dict[str, object]:
    """The latest form's fields; a Word form's before a PDF copy of it (no guessing layout)."""
    forms = [d for d in documents if d.kind == "form" and d.error is None]
    forms.sort(key=lambda d: d.format != "pdf")  # stable: Word forms last, the latest last
    return dict(forms[-1].fields) if forms else {}


def quota_key(profile: Profile, submission: Submission) -> str | None:
    if profile.quota is None:
        return None
    values = [submission.unit_name if key == "unit_name" else _json_value(submission.fields.get(key))
              for key in profile.quota.by]
    if any(not isinstance(v, str) or not v for v in values):
        return None
    return "|".join(squash(v) for v in values)


@dataclass(frozen=True)
class Decision:
    """What the rules made of a submission, before it is saved."""

    submission: Submission
    existing: dict | None
    quota_key: str | None
    findings: list[Finding]
    verdict: str
    # Why no automatic reply goes out although the mail is a submission ("" when one does).
    silence: str = ""


class Processor:
    """Decides and saves one analysed message, in one transaction."""

    def __init__(self, db: Database, profiles: dict[str, Profile], settings: ReplySettings):
        self.db, self.profiles, self.settings = db, profiles, settings

    def process(self, message_row: int, sha256: str, analysis: Analysis, now: datetime,
                backlog: bool = False) -> Outcome:
        """Decide and save; backlog mail (there before the mailbox was added) gets no reply."""
        with self.db.transaction():
            outcome = self._decide(message_row, sha256, analysis, now, backlog)
            failpoints.reach("before_commit")
        failpoints.reach("after_commit")
        return outcome

    def _decide(self, message_row: int, sha256: str, analysis: Analysis, now: datetime,
                backlog: bool) -> Outcome:
        mail = analysis.mail
        if analysis.kind != "submission" or mail is None:
            return self._not_submission(message_row, sha256, analysis)
        if (earlier := self.db.seen_before(message_row, sha256, mail.message_id)) is not None:
            return self._duplicate(message_row, analysis, self._reference_of(earlier))
        return self._submission(message_row, analysis, now, backlog)

    def _not_submission(self, message_row: int, sha256: str, analysis: Analysis) -> Outcome:
        findings = []
        if analysis.kind == "unreadable":
            findings.append(Finding("attachment_unreadable", f"{sha256[:12]}.eml", "error",
                                    f"邮件无法解析：{analysis.error}"))
        self.db.save_findings(message_row, None, [f.to_json() for f in findings])
        self.db.finish_message(message_row, {"verdict": "not_submission", "note": analysis.note})
        mail = analysis.mail
        return Outcome(mail.message_id if mail else "", None, "not_submission", None, "", {},
                       analysis.documents, tuple(findings), None, analysis.note)

    def _reference_of(self, message_row: int) -> tuple[str | None, int | None]:
        found = self.db.query("select s.reference, s.id from messages m join submissions s "
                              "on m.submission_id = s.id where m.id = ?", [message_row])
        return (found[0]["reference"], found[0]["id"]) if found else (None, None)

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
        fresh = _submission_of(analysis, (), profile.id)
        existing = self.db.submission_by_reply([mail.in_reply_to, *mail.references]) or \
            self.db.submission_by_case(profile.id, fresh.unit_name,
                                       str(fresh.fields.get("case_name") or ""))
        if existing and existing["campaign"] != profile.id:
            existing = None
        old = tuple(document_from_row(r) for r in self.db.version_documents(existing["id"])) \
            if existing else ()
        if existing and _same_files(old, analysis.documents):
            return self._duplicate(message_row, analysis, (existing["reference"], existing["id"]))
        submission = _submission_of(analysis, old, profile.id)
        key = quota_key(profile, submission)
        count = self.db.quota_count(profile.id, key, existing["id"] if existing else None) if key else 0
        submission = replace(submission, quota_count=count)
        findings = run_rules(submission, profile, now)
        decision = Decision(submission, existing, key, findings, decide(findings),
                            _silence(profile, submission, backlog))
        return self._save(message_row, analysis, profile, decision, now)

    def _save(self, message_row: int, analysis: Analysis, profile: Profile, decision: Decision,
              now: datetime) -> Outcome:
        submission, verdict = decision.submission, decision.verdict
        submission_id, reference, number = self._store(message_row, profile, decision, now)
        reply = None if decision.silence else build_reply(
            self.settings, profile, analysis.mail, submission, decision.findings,
            REPLY_KINDS[verdict], reference, number > 1, now)
        if reply is not None:
            self.db.queue_reply({"message_row": message_row, "submission_id": submission_id,
                                 "kind": reply.kind, "to_addr": reply.to, "subject": reply.subject,
                                 "message_id": reply.message_id, "raw": reply.raw,
                                 "created_at": now.isoformat()})
        self.db.finish_message(message_row, {"verdict": verdict, "campaign": profile.id,
                                             "submission_id": submission_id,
                                             "note": decision.silence})
        return Outcome(analysis.mail.message_id, profile.id, verdict, reference,
                       submission.unit_name, submission.fields, submission.documents,
                       tuple(decision.findings), reply, decision.silence)

    def _store(self, message_row: int, profile: Profile, decision: Decision,
               now: datetime) -> tuple[int, str, int]:
        """The submission, its new version, documents, fields and findings: (id, reference, version)."""
        submission, existing, stamp = decision.submission, decision.existing, now.isoformat()
        reference = existing["reference"] if existing else \
            self.db.next_reference(profile.id, profile.reference_prefix)
        number = (existing["version"] if existing else 0) + 1
        submission_id = self.db.save_submission({
            "id": existing["id"] if existing else None, "campaign": profile.id,
            "reference": reference, "unit_name": submission.unit_name,
            "case_name": str(submission.fields.get("case_name") or ""),
            "sender": submission.sender, "verdict": decision.verdict, "version": number,
            "quota_key": decision.quota_key,
            "created_at": existing["created_at"] if existing else stamp, "updated_at": stamp})
        version_id = self.db.save_version(
            {"submission_id": submission_id, "number": number, "message_row": message_row,
             "verdict": decision.verdict, "created_at": stamp},
            [document_to_row(d) for d in submission.documents], submission.fields)
        self.db.save_findings(message_row, version_id, [f.to_json() for f in decision.findings])
        return submission_id, reference, number


def _silence(profile: Profile, submission: Submission, backlog: bool) -> str:
    """Mail that was waiting before intake or the campaign began is recorded, not answered."""
    if backlog:
        return "接入邮箱前已有的邮件：按配置（backlog = \"record\"）只登记，不自动回复"
    opens, arrived = profile.opens_at(), submission.arrived_at
    if opens is not None and arrived is not None and arrived < opens:
        return f"早于征集开始日期（{profile.opens.isoformat()}）到达：只登记，不自动回复"
    return ""


def _same_files(old: tuple[Document, ...], new: tuple[Document, ...]) -> bool:
    """The same attachments again: a resend, not a correction."""
    return bool(new) and {d.sha256 for d in new} <= {d.sha256 for d in old}


def _submission_of(analysis: Analysis, old: tuple[Document, ...], campaign: str) -> Submission:
    mail = analysis.mail
    documents = merge_documents(old, analysis.documents)
    return Submission(
        campaign=campaign, subject=mail.subject, subject_unit=analysis.match.unit,
        subject_matched=analysis.match.matched, body=mail.text,
        sender=mail.from_addr, arrived_at=mail.arrived_at or mail.date, documents=documents,
        fields=form_fields(documents), large_links=analysis.large_links)
