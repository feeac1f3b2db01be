"""What photo_count and video_count share: a count of one kind against the profile's bounds."""
from __future__ import annotations

from parsers.model import Document
from rules.model import Finding, Submission
from rules.profile import Profile
from rules.vocabulary import KIND_NAMES

# Perceptual hashes this close are the same picture re-saved or resized (64-bit hashes; two
# different photos differ in about half their bits).
SAME_PICTURE_BITS = 6


def count_finding(rule: str, kind: str, submission: Submission, profile: Profile) -> list[Finding]:
    spec = profile.document(kind)
    if spec is None:
        return []
    documents = submission.of_kind(kind)
    count = len(distinct(documents))
    # None at all of a required kind is attachment_missing's finding, not a count problem.
    too_few = 0 < count < spec.min
    too_many = spec.max is not None and count > spec.max
    if not (too_few or too_many):
        return []
    bounds = f"{spec.min}–{spec.max}" if spec.max is not None else f"至少{spec.min}"
    if spec.min == 0:
        bounds = f"不超过{spec.max}"
    repeated = len(documents) - count
    note = f"（另有{repeated}个为重复的同一张照片）" if repeated else ""
    return [Finding(rule, None, profile.severity_of(rule, "error"),
                    f"{KIND_NAMES[kind]}应为{bounds}个，现收到{count}个{note}")]


def distinct(documents: tuple[Document, ...]) -> list[Document]:
    """Documents without repeats: the same bytes, or a photo whose hash is within a few bits."""
    kept: list[Document] = []
    for doc in documents:
        if not any(_same(doc, other) for other in kept):
            kept.append(doc)
    return kept


def _same(a: Document, b: Document) -> bool:
    if a.sha256 == b.sha256:
        return True
    if not a.phash or not b.phash:
        return False
    return bin(int(a.phash, 16) ^ int(b.phash, 16)).count("1") <= SAME_PICTURE_BITS
