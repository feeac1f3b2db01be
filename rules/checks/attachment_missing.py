"""attachment_missing: a document kind the notice requires is absent."""
from __future__ import annotations

from datetime import datetime

from rules.model import Document, Finding, Submission
from rules.profile import DocumentSpec, Profile
from rules.vocabulary import KIND_NAMES

ID = "attachment_missing"
DESCRIPTION = "缺少通知要求的材料"
SEVERITY = "error"


def _in_format(doc: Document, spec: DocumentSpec) -> bool:
    """The format asked for, by its bytes; or a file named so that Word opens it as one (a web
    page saved as "推荐表.doc" is a .doc to its sender and to Word), once it could be read."""
    if not spec.formats or doc.format in spec.formats:
        return True
    extension = doc.name.rpartition(".")[2].lower()
    return doc.converted and extension in spec.formats


def _present(submission: Submission, spec: DocumentSpec) -> bool:
    """Any file of the kind counts, even an unreadable one: that one has its own finding."""
    for doc in submission.documents:
        if doc.kind == spec.kind and (doc.error or _in_format(doc, spec)):
            return True
        # A single Word file may hold both the form and the report.
        if spec.kind == "writeup" and doc.kind == "form" and doc.sections:
            return True
    return False


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    findings = []
    for spec in profile.documents:
        if spec.min > 0 and not _present(submission, spec):
            what = KIND_NAMES[spec.kind]
            if spec.formats:
                what += f"（{'/'.join(spec.formats)}格式）"
            ask = "请补充发送" if spec.severity == "error" else "通知要求提供，如已另行报送请忽略"
            findings.append(Finding(ID, spec.kind, spec.severity, f"未收到{what}，{ask}"))
    return findings
