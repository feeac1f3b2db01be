"""People's decisions over the automatic ones, and what they leave in force. Pure.

A secretariat can:
- waive a finding (`intake waive`): a rule, or a rule on one field, no longer counts against
  the submission, in this version and in every later one (a seal checked on paper stays checked);
- correct a field (`intake set`): the value the parser read is replaced by the person's. The
  correction holds for as long as the parser reads the value it corrected, so a later version
  with the same mis-read form keeps it, and an applicant's changed form wins over it;
- accept or reject the submission (`intake accept` / `intake reject`): the latest decision
  replaces the rules' verdict, whatever later versions bring.
Every decision is kept (pipeline/app/revise.py records them); the rules run again afterwards and
these functions say what of it stands.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from rules.model import Finding
from rules.registry import decide

# The verdict a decision leaves.
DECISIONS = {"accept": "complete", "reject": "rejected"}
# How `intake show` and the digest name each action.
ACTION_NAMES = {"waive": "豁免", "set": "更正字段", "accept": "人工受理", "reject": "不予受理",
                "reprocess": "重新检查"}


@dataclass(frozen=True)
class Override:
    id: int
    action: str
    # The version of the submission it was made on.
    version: int
    note: str
    by: str
    at: str
    rule: str | None = None
    field: str | None = None
    # set: the value put in force, and the value the parser had read.
    value: object = None
    previous: object = None

    @classmethod
    def from_row(cls, row: dict) -> Override:
        return cls(row["id"], row["action"], row["version"] or 0, row["note"], row["by"],
                   row["at"], row.get("rule"), row.get("field"), _loads(row.get("value")),
                   _loads(row.get("previous")))


def dumps(value: object) -> str:
    """A field value as stored: JSON, a choice (tuple) as a list."""
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def _loads(text: str | None) -> object:
    value = json.loads(text) if text else None
    return tuple(value) if isinstance(value, list) else value


def correct(fields: dict[str, object],
            overrides: tuple[Override, ...]) -> tuple[dict[str, object], frozenset[str]]:
    """The fields with the corrections that still hold, and the keys corrected."""
    result, corrected = dict(fields), set()
    for o in overrides:
        if o.action == "set" and dumps(fields.get(o.field)) == dumps(o.previous):
            result[o.field] = o.value
            corrected.add(o.field)
    return result, frozenset(corrected)


def waiver(finding: Finding, overrides: tuple[Override, ...]) -> Override | None:
    """The latest waiver covering a finding: its rule, on any field or on the finding's."""
    for o in reversed(overrides):
        if o.action == "waive" and o.rule == finding.rule and o.field in (None, finding.field):
            return o
    return None


def decision(overrides: tuple[Override, ...]) -> Override | None:
    """The latest accept or reject: it stands until another replaces it."""
    return next((o for o in reversed(overrides) if o.action in DECISIONS), None)


@dataclass(frozen=True)
class Judged:
    """The rules' findings with the waiver (override id) of each, and the verdict left."""

    findings: tuple[Finding, ...]
    waived_by: tuple[int | None, ...]
    verdict: str
    # A rejection's reason (the person's note), for the letter that says so.
    note: str = ""

    def open(self) -> tuple[Finding, ...]:
        """The findings that still count: not waived."""
        return tuple(f for f, w in zip(self.findings, self.waived_by) if w is None)


def judge(findings: list[Finding], overrides: tuple[Override, ...]) -> Judged:
    """Waivers set findings aside; the verdict is the rules' on the rest, unless decided."""
    waived = tuple(w.id if (w := waiver(f, overrides)) else None for f in findings)
    verdict = decide([f for f, w in zip(findings, waived) if w is None])
    made = decision(overrides)
    if made is not None:
        verdict = DECISIONS[made.action]
    note = made.note if made is not None and made.action == "reject" else ""
    return Judged(tuple(findings), waived, verdict, note)
