"""body_contact_missing: the mail body lacks the contact the notice requires."""
from __future__ import annotations

from datetime import datetime

from parsers.contacts import read_body_contact
from parsers.forward import forwarded_mail
from rules.model import Finding, Submission
from rules.profile import Profile

ID = "body_contact_missing"
DESCRIPTION = "邮件正文未注明工作负责人姓名、联系电话或邮箱"
SEVERITY = "error"

# The profile's [body] contact lists parts (name, phone, email); a finding names the field key
# of campaigns.md, as every other rule does.
FIELDS = {"name": "body_contact_name", "phone": "body_contact_phone", "email": "body_contact_email"}
_WHAT = {"name": "工作负责人姓名", "phone": "联系电话", "email": "邮箱"}


def check(submission: Submission, profile: Profile, now: datetime) -> list[Finding]:
    if not profile.body_contact:
        return []
    # A forward's quoted mail is the material itself; a reply's quoted text is not the sender's.
    forwarded = forwarded_mail(submission.subject, submission.body) is not None
    contact = read_body_contact(submission.body, forwarded=forwarded)
    return [Finding(ID, FIELDS[part], profile.severity_of(ID, SEVERITY),
                    f"邮件正文未注明{_WHAT[part]}（通知要求在邮件内容中注明工作负责人姓名、联系电话和邮箱）")
            for part in profile.body_contact if part in FIELDS and not getattr(contact, part)]
