"""Forwarded mail: the original sender, subject and date from a forward's header block."""
from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

# Dates written without a zone (every Chinese client's block) are Beijing time.
_BEIJING = ZoneInfo("Asia/Shanghai")

# The labels of a quoted header block, as QQ, NetEase, Foxmail, Outlook, Gmail, Thunderbird and
# Apple Mail write them, in simplified and traditional Chinese and in English.
_LABELS = {
    "from": ("发件人", "發件人", "寄件者", "寄件人", "From"),
    "date": ("发送时间", "發送時間", "发送日期", "發送日期", "寄件日期", "日期", "时间", "時間",
             "Date", "Sent"),
    "to": ("收件人", "收件者", "抄送", "副本", "To", "Cc"),
    "subject": ("主题", "主題", "主旨", "标题", "標題", "Subject"),
}
_KIND = {label.lower(): kind for kind, labels in _LABELS.items() for label in labels}
# A label counts only at the start of a line or after a space, quote mark or semicolon, so that
# "本次主题：" in an applicant's text is not read as a header.
_LABEL = re.compile(r"(?<![^\s>;；])(?P<label>" + "|".join(sorted(_KIND, key=len, reverse=True))
                    + r")\s*[:：]", re.I)
# Between two fields of one block there is only space, a quote mark or a semicolon.
_GAP = re.compile(r"[\s>;；]*")
# What the forwarding client writes above the block: kept for readers of the synthesised text.
SEPARATOR = "-------- 转发邮件信息 --------"


@dataclass(frozen=True)
class Forwarded:
    """The header block of the mail a forward carries: who originally wrote it, and what."""

    from_name: str
    from_addr: str
    subject: str
    date_text: str

    @property
    def date(self) -> datetime | None:
        """`date_text` read in any client's format; a date without a zone is Beijing time."""
        return parse_date(self.date_text)


def find_forward(text: str) -> Forwarded | None:
    """The first quoted header block with a sender and a subject or date, else None.

    Forwards and Outlook-style replies quote the same block; the first block is the mail this
    one forwards (an older forward inside it comes later in the text).
    """
    for fields in _blocks(text):
        sender = fields.get("from", "")
        if sender and ("subject" in fields or "date" in fields):
            name, addr = split_sender(sender)
            return Forwarded(name, addr, fields.get("subject", ""), fields.get("date", ""))
    return None


def forwarded_mail(subject: str, text: str) -> Forwarded | None:
    """The forwarded mail's block when the mail is a forward, else None.

    A forward says so in its subject (转发:, Fwd:) or above the block (转发邮件信息, Forwarded
    message); a reply quoting the same block (Outlook, QQ's 原始邮件) gives None.
    """
    if _FORWARD_SUBJECT.match(subject) or _FORWARD_MARK.search(text):
        return find_forward(text)
    return None


# The client's own words for a forward, in the subject and above the quoted block.
_FORWARD_SUBJECT = re.compile(r"^\s*(fw|fwd|转发|轉發|转寄|轉寄)\s*[:：]", re.I)
_FORWARD_MARK = re.compile(r"转发邮件信息|轉發郵件信息|已转发的?邮件|转发的邮件|forwarded message|"
                           r"begin forwarded message", re.I)


def render(forwarded: Forwarded) -> str:
    """The block as NetEase writes it: how a message/rfc822 forward is shown in the body text."""
    sender = (f"{forwarded.from_name} <{forwarded.from_addr}>" if forwarded.from_name
              and forwarded.from_addr else forwarded.from_name or forwarded.from_addr)
    return (f"{SEPARATOR}\n发件人：{sender}\n发送日期：{forwarded.date_text}\n"
            f"主题：{forwarded.subject}\n")


def _blocks(text: str) -> list[dict[str, str]]:
    """Runs of adjacent labelled fields, each as kind -> value (the first value of a kind)."""
    blocks: list[dict[str, str]] = []
    matches = list(_LABEL.finditer(text))
    previous_end = -1
    for index, match in enumerate(matches):
        following = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        end = min(following, _line_end(text, match.end()))
        if previous_end < 0 or _GAP.fullmatch(text, previous_end, match.start()) is None:
            blocks.append({})
        blocks[-1].setdefault(_KIND[match["label"].lower()], _clean(text[match.end():end]))
        previous_end = end
    return blocks


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _clean(value: str) -> str:
    return value.replace("\u00a0", " ").strip().rstrip(";；").strip()


def split_sender(value: str) -> tuple[str, str]:
    """Name and lower-cased address from '"王晓明"<a@example.cn>', '王晓明 [mailto:a@…]', 'a@…'."""
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value).replace("＜", "<").replace("＞", ">")
    if "@" not in value:
        return value.strip().strip('"'), ""
    name, addr = email.utils.parseaddr(value)
    if "@" not in addr:  # parseaddr gives up on some Chinese quoting: take the address itself.
        found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)
        addr = found.group() if found else ""
        name = value.replace(addr, "").strip(' "<>')
    return name.strip().strip('"'), addr.lower()


# "2024年3月5日(星期二) 上午10:21", "2024年3月5日周二 下午3:09", "2024-03-05 10:21:33", "2024/3/5 10:21".
_DATE = re.compile(r"(?P<y>\d{4})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*日?"
                   r"(?:\s*[(（]?(?:星期|周|週|礼拜)[一二三四五六日天][)）]?)?\s*"
                   r"(?P<half>上午|下午|中午|晚上|凌晨|早上|AM|PM)?\s*"
                   r"(?:(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?)?", re.I)


def parse_date(text: str) -> datetime | None:
    """A date as a forward block writes it: Chinese formats, ISO-like, or RFC 2822."""
    if not text:
        return None
    if found := _DATE.search(text):
        return _from_parts(found)
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_BEIJING)


def _from_parts(found: re.Match[str]) -> datetime | None:
    hour = int(found["H"] or 0)
    if (found["half"] or "").upper() in ("下午", "晚上", "PM") and hour < 12:
        hour += 12
    try:
        return datetime(int(found["y"]), int(found["m"]), int(found["d"]), hour,
                        int(found["M"] or 0), int(found["S"] or 0), tzinfo=_BEIJING)
    except ValueError:
        return None
