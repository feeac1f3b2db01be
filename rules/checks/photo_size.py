"""What photo_too_small and photo_too_large share: each photo's bytes against the bounds."""
from __future__ import annotations

from rules.model import Finding, Submission
from rules.profile import Profile


def _mb(n: int) -> str:
    return f"{n / 1048576:.2f}MB"


def size_findings(rule: str, submission: Submission, profile: Profile) -> list[Finding]:
    spec = profile.document("photo")
    if spec is None:
        return []
    findings = []
    for doc in submission.of_kind("photo"):
        if rule == "photo_too_small" and spec.min_bytes and doc.size < spec.min_bytes:
            wanted = f"大于{_mb(spec.min_bytes - 1)}"
        elif rule == "photo_too_large" and spec.max_bytes and doc.size > spec.max_bytes:
            wanted = f"不超过{_mb(spec.max_bytes)}"
        else:
            continue
        findings.append(Finding(rule, doc.name, profile.severity_of(rule, "error"),
                                f"照片“{doc.name}”为{_mb(doc.size)}，要求{wanted}"))
    return findings
