"""The rules, in the order campaigns.md lists them, and the one place a verdict is decided."""
from __future__ import annotations

from datetime import datetime
from types import ModuleType

from rules.checks import (attachment_missing, attachment_unreadable, body_contact_missing,
                          case_name_has_abbrev, case_name_has_unit, choice_invalid, deadline_passed,
                          field_missing, field_unreadable, filename_format, large_attachment_link,
                          length_exceeded, length_out_of_range, photo_count, photo_too_large, photo_too_small,
                          quota_exceeded, seal_missing, subject_format, unit_mismatch, video_count,
                          video_too_long)
from rules.model import Finding, Submission
from rules.profile import Profile

# Every rule runs on every submission; a rule with nothing to check in a profile returns [].
REGISTRY: tuple[ModuleType, ...] = (
    subject_format, attachment_missing, attachment_unreadable, filename_format, field_missing,
    choice_invalid, length_exceeded, length_out_of_range, photo_count, video_count,
    photo_too_small, photo_too_large, video_too_long, body_contact_missing, case_name_has_unit,
    case_name_has_abbrev, seal_missing, unit_mismatch, deadline_passed, quota_exceeded,
    large_attachment_link, field_unreadable,
)


def run_rules(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    """Every finding of every rule, in registry order: collect everything, then decide once."""
    findings: list[Finding] = []
    for rule in REGISTRY:
        findings.extend(rule.check(submission, profile, now))
    return findings


def decide(findings: list[Finding]) -> str:
    """The verdict: late beats deficient beats complete; warnings never make a deficiency."""
    if any(f.rule == deadline_passed.ID for f in findings):
        return "late"
    if any(f.severity == "error" for f in findings):
        return "deficient"
    return "complete"
