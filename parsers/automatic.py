"""Mail no person wrote: auto-replies, bounces and read receipts, told by headers and subject."""
from __future__ import annotations

import re

from parsers.model import ParsedMail

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
