"""Subject grammar: reply and forward prefixes, our own reply prefixes, 补充材料 suffixes."""
from __future__ import annotations

import re
import unicodedata

# Reply and forward prefixes as Chinese and Western clients write them, repeated.
_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|回复|答复|转发|回覆|轉發)\s*[:：]\s*)+", re.I)
_SUFFIX = re.compile(r"\s*[-—_－(（]*\s*(补充材料|补充|更新|修改稿?|修订版?)\s*[)）]*\s*$")
_OURS = re.compile(r"^(【(已受理|需补正|逾期|已更新|补正提醒|不予受理)】\s*)+")
_REFERENCE = re.compile(r"\s*[（(](受理|登记)编号[:：][^）)]*[）)]\s*$")


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
