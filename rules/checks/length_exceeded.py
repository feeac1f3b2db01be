"""length_exceeded: a field or section is over its hard (以内/不超过) limit."""
from __future__ import annotations

from datetime import datetime

from parsers.specs import Limit
from parsers.text import count_chars
from rules.common import text_of
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import field_name

ID = "length_exceeded"
DESCRIPTION = "字数超过通知规定的上限"
SEVERITY = "error"


def measured(submission: Submission, profile: Profile) -> list[tuple[str, int, Limit]]:
    """(field key, 字数, limit) for every limited form field and write-up section received."""
    result = []
    for spec in profile.form.fields:
        value = text_of(submission.fields.get(spec.key))
        if spec.limit and value:
            result.append((spec.key, count_chars(value), spec.limit))
    writeups = submission.of_kind("writeup")
    if profile.writeup and writeups:
        chars = {s.name: s.chars for s in writeups[-1].sections}
        for section in profile.writeup.sections:
            if section.limit and section.name in chars:
                result.append((f"section:{section.name}", chars[section.name], section.limit))
    return result


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return [Finding(ID, key, profile.severity_of(ID, SEVERITY),
                    f"{field_name(key)}为{chars}字，超过“{limit.describe()}”的要求")
            for key, chars, limit in measured(submission, profile)
            if limit.hard and limit.max is not None and chars > limit.max]
