"""large_attachment_link: the mail carries a provider's download link instead of the file."""
from __future__ import annotations

from datetime import datetime

from rules.profile import Profile
from rules.types import Finding, Submission

ID = "large_attachment_link"
DESCRIPTION = "邮件中为超大附件下载链接，需秘书处及时下载"
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return [Finding(ID, link.name, profile.severity_of(ID, SEVERITY),
                    f"“{link.name}”以超大附件链接发送" + (f"，有效期至{link.expires}" if link.expires
                                                    else "") + "，秘书处将下载后处理")
            for link in submission.large_links]
