"""filename_format: a file name breaks the campaign's naming convention."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.text import nfkc
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "filename_format"
DESCRIPTION = "文件命名不符合通知规定的格式"
SEVERITY = "error"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    findings = []
    for spec in profile.documents:
        if not spec.name_pattern:
            continue
        for doc in submission.of_kind(spec.kind):
            if spec.formats and doc.format not in spec.formats:
                continue
            if not re.search(spec.name_pattern, nfkc(doc.name)):
                findings.append(Finding(ID, doc.name, profile.severity_of(ID, SEVERITY),
                                        f"文件名“{doc.name}”不符合命名要求，示例：“{spec.name_example}”"))
    return findings
