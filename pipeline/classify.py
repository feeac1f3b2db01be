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
_OURS = re.compile(r"^(【(已受理|需补正|逾期|已更新|补正提醒|不予受理)】\s*)+")
_REFERENCE = re.compile(r"\s*[（(](受理|登记)编号[:：][^）)]*[）)]\s*$")
# Outlook in Chinese writes 自动答复, QQ and NetEase 自动回复.
_AUTO_SUBJECT = re.compile(r"^\s*(自动回复|自動回覆|自动答复|自動答覆|自动应答|auto(matic)?\s*reply|"
                           r"out of (the )?office|休假|外出)", re.I)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
# Chinese providers' bounces are often plain mails, and not always from a daemon address.
_BOUNCE_SUBJECT = re.compile(r"^\s*(系统退信|退信(通知)?\s*([:：]|$)|(邮件)?投递失败|投递状态通知|"
                             r"(邮件)?(无法|未能)送达|undeliver(ed|able)|delivery status notification|"
                             r"delivery (has )?failed|returned mail|mail delivery failed|"
                             r"failure notice|non-?delivery)", re.I)
# Read receipts that are not multipart/report: Outlook's 已读:, Foxmail's 已读回执.
_RECEIPT_SUBJECT = re.compile(r"^\s*((已读|已讀|阅读|閱讀)回[执執條]|(已读|已讀|read)\s*[:：]|"
                              r"read receipt|return receipt)", re.I)
# QQ Mail's receipt says only 回执: , which applicants also use for forms (参会回执), so its
# body must say the mail was read.
_QQ_RECEIPT = re.compile(r"^\s*回[执執]\s*[:：]")
_WAS_READ = re.compile(r"已被?(阅读|閱讀|查看|读取)|被(阅读|查看)|was read|has been (read|displayed)",
                       re.I)


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
    """'auto_reply', 'bounce' or 'receipt' for mail no person wrote; None otherwise.

    Bounces and auto-replies both carry Auto-Submitted and often an empty Return-Path, so the
    bounce signs (a report, a daemon sender, a bounce subject) are read first and the empty
    Return-Path last.
    """
    if report := report_kind(mail):
        return report
    if _DAEMON.match(mail.from_addr or ""):
        return "bounce"
    if _is_auto_reply(mail):
        return "auto_reply"
    return "bounce" if mail.return_path == "" else None


def report_kind(mail: ParsedMail) -> str | None:
    """'bounce' or 'receipt' when the mail itself says it reports on another mail: a
    multipart/report, a read-receipt subject (QQ's 回执 with a 'was read' body), a bounce subject.
    Unlike automatic_kind, the envelope (a daemon sender, an empty Return-Path) is not read."""
    if mail.content_type == "multipart/report":
        report = mail.headers.get("content-type", "").lower()
        return "receipt" if "disposition-notification" in report else "bounce"
    if _is_receipt(mail):
        return "receipt"
    return "bounce" if _BOUNCE_SUBJECT.match(mail.subject) else None


def header_word(value: str) -> str:
    """A one-word header value (Auto-Submitted, Precedence) without (comments), ;parameters and
    whitespace, lower-cased: 'Auto-Generated (by the platform)' is 'auto-generated'."""
    return re.sub(r"\([^)]*\)?|\s+", "", value).partition(";")[0].lower()


def _is_receipt(mail: ParsedMail) -> bool:
    if _RECEIPT_SUBJECT.match(mail.subject):
        return True
    return bool(_QQ_RECEIPT.match(mail.subject) and _WAS_READ.search(mail.text))


def _is_auto_reply(mail: ParsedMail) -> bool:
    """An answer a program wrote to a mail: always so when it says it replies; when it only says
    it was generated or sent in bulk, only without attachments. A provincial platform may send a
    real submission as Auto-Submitted: auto-generated, and a submission may reach us through a
    list (Precedence: list): those are analysed, and reply_block keeps them from being answered.
    """
    headers = mail.headers
    auto = header_word(headers.get("auto-submitted", "no"))
    precedence = header_word(headers.get("precedence", ""))
    if auto == "auto-replied" or precedence == "auto_reply" or _AUTO_SUBJECT.match(mail.subject):
        return True
    if any(h in headers for h in ("x-autoreply", "x-autorespond", "x-auto-response")):
        return True
    generated = auto not in ("", "no") or precedence in ("bulk", "junk", "list")
    return generated and not mail.attachments
