"""Which campaign a mail is for: by its prescribed subject, its words, or its form.

Mail no person wrote is told apart in parsers/automatic.py, subject grammar in parsers/subjects.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.subjects import normalise_subject
from rules.profile import Profile


@dataclass(frozen=True)
class SubjectMatch:
    campaign: str | None
    unit: str | None
    # True when the subject follows the campaign's convention (or the campaign has none).
    matched: bool


def match_subject(subject: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign by its prescribed subject (a pattern with the unit in it)."""
    text = normalise_subject(subject)
    for profile in profiles.values():
        if profile.subject.pattern and (found := re.search(profile.subject.pattern, text)):
            return SubjectMatch(profile.id, found.group("unit").strip(), True)
    return SubjectMatch(None, None, False)


def match_keywords(subject: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign without a fixed subject, by its words; weaker than its form's title."""
    text = normalise_subject(subject)
    for profile in profiles.values():
        words = profile.subject.keywords
        if not profile.subject.pattern and words and all(w in text for w in words):
            return SubjectMatch(profile.id, None, True)
    return SubjectMatch(None, None, False)


def by_form(campaign: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign recognised from its form: the subject broke the convention if there is one."""
    return SubjectMatch(campaign, None, profiles[campaign].subject.pattern is None)
