"""Every decision people made, newest first: waivers, corrections, acceptances, rejections and
reprocessing (overrides), approvals and discards of outbox rows, and held mails decided."""
from __future__ import annotations

from pipeline.store.database import Database

_AUDIT = """
select o."at" as at, o."by" as who, o.action as what, s.reference as target,
  trim(coalesce(o.rule, '') || ' ' || coalesce(o.field, '')) as detail, o.note as why
  from overrides o join submissions s on s.id = o.submission_id
union all
select approved_at, approved_by, case status when 'discarded' then 'discard' else 'approve' end,
  '发件箱 #' || id, coalesce(subject, ''), '' from outbox where approved_by is not null
union all
select decided_at, decided_by, 'claim_' || decision, '来信 #' || message_row, kind,
  coalesce(reason, '')
  from claims where decision is not null
order by at desc limit ?
"""


def decisions(db: Database, limit: int = 500) -> list[dict]:
    """The latest `limit` decisions: at, who, what (an override's action, approve, discard,
    or claim_ and a held mail's decision), target, detail, why."""
    return db.query(_AUDIT, [limit])
