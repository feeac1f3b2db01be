"""Who may change a submission (the merge policy), and the owner told of every change.

A mail becomes the next version of an existing submission only when it answers one of our
replies for that submission (In-Reply-To / References name our Message-ID), or when it comes
from the submission's own sender or a sender the secretariat confirmed for it. Another mail
naming the same unit and case is held as a claim for a person (pipeline/store/claims.py),
answered by no one, until `intake resolve` decides: merge, new submission, or reject.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outbox.changed import KIND, Change, build_change_notice
from outbox.compose import ReplySettings
from parsers.addresses import canonical
from parsers.authresults import Authentication, trusted_result
from parsers.model import ParsedMail
from pipeline.app.sending import ReplyPolicy, admit
from pipeline.store import claims
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox
from rules.profile import Profile


@dataclass(frozen=True)
class Joining:
    """Where a submission mail goes: `existing` (None: a new submission), or held because it
    would change `contested` without the right to; `rejected` when a person said so."""

    existing: dict | None = None
    contested: dict | None = None
    rejected: dict | None = None


def joining(db: Database, message_row: int, mail: ParsedMail, campaign: str, unit: str,
            case_name: str) -> Joining:
    """The merge policy applied to one mail of `campaign` naming `unit` and `case_name`."""
    replied = db.submission_by_reply([mail.in_reply_to, *mail.references])
    if replied is not None:
        return Joining(replied if replied["campaign"] == campaign else None)
    claim = claims.claim_of(db, message_row)
    if claim is not None and claim["decision"] == "reject":
        return Joining(rejected=claim)
    if claim is not None and claim["kind"] == "other_sender" and claim["decision"] is not None:
        return _decided(db, claim)
    same = db.submissions_by_case(campaign, unit, case_name)
    allowed = [s for s in same
               if claims.may_change(s, mail.from_addr, claims.confirmed_senders(db, s["id"]))]
    if allowed or not same:
        return Joining(allowed[0] if allowed else None)
    return Joining(contested=same[0])


def _decided(db: Database, claim: dict) -> Joining:
    if claim["decision"] == "merge":
        return Joining(db.submission(claim["submission_id"]))
    return Joining()


def contested_note(submission: dict, message_row: int) -> str:
    return (f"单位名称和案例名称与已有申报 {submission['reference']} 相同，但发件人既不是该申报的"
            "发件人，也不是在答复本系统的回复，未自动并入、未回复；请秘书处决定："
            f"intake resolve {message_row} merge|new|reject")


def unauthenticated_note(found: Authentication, message_row: int) -> str:
    return (f"收件服务器验证发件人未通过（{found.summary()}），发件地址可能被冒用：未自动回复、"
            f"未编号；请秘书处核实后决定：intake resolve {message_row} accept|reject")


def unauthenticated(db: Database, message_row: int, mail: ParsedMail,
                    authserv_ids: tuple[str, ...]) -> Authentication | None:
    """What the receiving server found when it says the sender is forged, else None: also
    when no server of `authserv_ids` said anything, and once a person decided on the mail."""
    if not authserv_ids:
        return None
    claim = claims.claim_of(db, message_row)
    if claim is not None and claim["decision"] is not None:
        return None
    found = trusted_result(mail.authentication, authserv_ids)
    return found if found is not None and found.unauthenticated else None


def rejected_note(claim: dict) -> str:
    reason = f"：{claim['reason']}" if claim.get("reason") else ""
    return f"秘书处决定不予受理（{claim['decided_by'] or '未署名'}）{reason}"


def changed_by_other(existing: dict | None, sender: str) -> bool:
    """True when a new version comes from an address that is not the submission's own."""
    owner = (existing or {}).get("sender") or ""
    return bool(owner) and canonical(sender) != canonical(owner)


def tell_owner(db: Database, settings: ReplySettings, policy: ReplyPolicy, profile: Profile,
               submission_id: int, change: Change, owner: str, now: datetime) -> None:
    """Queue the 申报变更通知 to the submission's own sender, under the usual reply policy."""
    outbox = Outbox(db)
    notice = build_change_notice(settings, profile, change, owner, now)
    status, reason = admit(outbox, policy, owner, KIND, now)
    outbox.queue({"message_row": None, "submission_id": submission_id, "kind": KIND,
                  "to_addr": owner, "raw": notice.raw, "subject": notice.subject,
                  "message_id": notice.message_id, "created_at": now.isoformat()}, status, reason)
