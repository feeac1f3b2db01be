"""What photo_count and video_count share: a count of one kind against the profile's bounds."""
from __future__ import annotations

from rules.profile import Profile
from rules.types import Finding, Submission
from rules.vocabulary import KIND_NAMES


def count_finding(rule: str, kind: str, submission: Submission, profile: Profile) -> list[Finding]:
    spec = profile.document(kind)
    if spec is None:
        return []
    count = len(submission.of_kind(kind))
    # None at all of a required kind is attachment_missing's finding, not a count problem.
    too_few = 0 < count < spec.min
    too_many = spec.max is not None and count > spec.max
    if not (too_few or too_many):
        return []
    bounds = f"{spec.min}–{spec.max}" if spec.max is not None else f"至少{spec.min}"
    if spec.min == 0:
        bounds = f"不超过{spec.max}"
    return [Finding(rule, None, profile.severity_of(rule, "error"),
                    f"{KIND_NAMES[kind]}应为{bounds}个，现收到{count}个")]
