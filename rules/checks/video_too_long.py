"""video_too_long: a video is over the duration limit."""
from __future__ import annotations

from datetime import datetime

from rules.model import Finding, Submission
from rules.profile import Profile

ID = "video_too_long"
DESCRIPTION = "视频时长超过上限"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    spec = profile.document("video")
    if spec is None or spec.max_seconds is None:
        return []
    return [Finding(ID, doc.name, profile.severity_of(ID, SEVERITY),
                    f"视频“{doc.name}”时长{doc.duration:.0f}秒，超过{spec.max_seconds:.0f}秒的要求")
            for doc in submission.of_kind("video")
            if doc.duration is not None and doc.duration > spec.max_seconds]
