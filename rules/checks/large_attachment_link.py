"""large_attachment_link: the mail carries a provider's download link instead of the file."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.model import LargeLink
from rules.common import byte_size
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "large_attachment_link"
DESCRIPTION = "邮件中为超大附件下载链接，需秘书处及时下载"
SEVERITY = "warning"


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    return [Finding(ID, link.name or link.url, profile.severity_of(ID, SEVERITY),
                    f"{_what(link)}{_code(link)}{_expiry(link)}，秘书处将下载后处理")
            for link in submission.large_links]


def _what(link: LargeLink) -> str:
    """The file by its name; a share link that names no file by its address, so the notice and
    the digest (which show this message) still say which link it is."""
    if link.name:
        return f"“{link.name}”{_size(link)}以超大附件链接发送"
    return f"已收到超大附件链接 {link.url}{_size(link)}"


def _size(link: LargeLink) -> str:
    if not link.size:
        return ""
    return f"（{byte_size(link.size)}）"


def _code(link: LargeLink) -> str:
    return f"（提取码：{link.code}）" if link.code else ""


def _expiry(link: LargeLink) -> str:
    """A date reads 有效期至…; a provider's relative wording ("30天后过期") is quoted as is."""
    if not link.expires:
        return ""
    dated = re.match(r"\d{4}-\d{2}-\d{2}", link.expires)
    return f"，有效期至{link.expires}" if dated else f"（{link.expires}）"
