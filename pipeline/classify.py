"""What a mail is: an auto-reply, a bounce, an inquiry, or a submission to which campaign."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parsers.types import ParsedMail
from rules.profile import Profile

# Reply and forward prefixes as Chinese and Western clients write them, repeated.
_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|回复|答复|转发|回覆|轉發)\s*[:：]\s*)+", re.I)
_SUFFIX = re.compile(r"\s*[-—_－(（]*\s*(补充材料|补充|更新|修改稿?|修订版?)\s*[)）]*\s*$")
_OURS = re.compile(r"^(【(已受理|需补正|逾期|已更新)】\s*)+")
_REFERENCE = re.compile(r"\s*[（(](受理|登记)编号[:：][^）)]*[）)]\s*$")
_AUTO_SUBJECT = re.compile(r"^\s*(自动回复|自動回覆|auto(matic)?\s*reply|out of (the )?office|"
                           r"休假|外出)", re.I)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)


@dataclass(frozen=True)
class SubjectMatch:
    campaign: str | None
    unit: str | None
    # True when the subject follows the campaign's convention (or the campaign has none).
    matched: bool


def strip_prefixes(subject: str) -> str:
    """The subject without reply/forward prefixes and without our own 【需补正】-style prefixes."""
    text = _PREFIX.sub("", subject.strip())
    # A reply to our own reply carries our prefix (【需补正】…) in front of the original subject.
    return _REFERENCE.sub("", _OURS.sub("", text)).strip()


def normalise_subject(subject: str) -> str:
    """NFKC, without reply/forward prefixes and trailing 补充材料, with [ ] read as 【 】."""
    text = strip_prefixes(unicodedata.normalize("NFKC", subject))
    text = re.sub(r"\s*\[\s*", "【", text)
    text = re.sub(r"\s*\]\s*", "】", text)
    text = re.sub(r"【\s+|\s+】", lambda m: m.group().strip(), text)
    return _SUFFIX.sub("", text).strip()


def match_subject(subject: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign by its prescribed subject (a pattern with the unit in it)."""
    text = normalise_subject(subject)
    for profile in profiles.values():
        if profile.subject.pattern and (found := re.search(profile.subject.pattern, text)):
            return SubjectMatch(profile.id, found.group("unit").strip(), True)
    return SubjectMatch(None, None, False)


def match_keywords(subject: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign without a fixed subject, by its words; weaker than its form's title."""
    text = normalise_subject(subject)
    for profile in profiles.values():
        words = profile.subject.keywords
        if not profile.subject.pattern and words and all(w in text for w in words):
            return SubjectMatch(profile.id, None, True)
    return SubjectMatch(None, None, False)


def by_form(campaign: str, profiles: dict[str, Profile]) -> SubjectMatch:
    """A campaign recognised from its form: the subject broke the convention if there is one."""
    return SubjectMatch(campaign, None, profiles[campaign].subject.pattern is None)


def automatic_kind(mail: ParsedMail) -> str | None:
    """'auto_reply', 'bounce' or 'receipt' for mail no person wrote; None otherwise."""
    headers = mail.headers
    report = headers.get("content-type", "").lower()
    if mail.content_type == "multipart/report":
        return "receipt" if "disposition-notification" in report else "bounce"
    if _DAEMON.match(mail.from_addr or "") or mail.return_path == "":
        return "bounce"
    auto = headers.get("auto-submitted", "no").split("(")[0].strip().lower()
    if auto and auto != "no":
        return "auto_reply"
    if any(h in headers for h in ("x-autoreply", "x-autorespond", "x-auto-response")):
        return "auto_reply"
    if headers.get("precedence", "").strip().lower() in ("auto_reply", "bulk", "junk", "list"):
        return "auto_reply"
    return "auto_reply" if _AUTO_SUBJECT.match(mail.subject) else None
