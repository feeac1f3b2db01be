"""What of an applicant's mail a reply may repeat.

A reply goes to whatever address the mail gave, so a forged From: makes our mailbox write to a
third party: it must not carry the forger's words ("您的账户异常 请登录 http://… 核验") under
the secretariat's name. A reply names the unit and the case only as the grammar read them, and
only when they read as names; the subject is built from those and the notice, never from the
mail's subject; anything else of the mail it quotes (a file's name, what a form says) loses
its links and addresses.
"""
from __future__ import annotations

import re
import unicodedata

UNIT_LIMIT, CASE_LIMIT = 60, 100
LINK_GONE = "（链接已隐去）"

_TLDS = ("com|cn|net|org|gov|edu|info|top|xyz|io|cc|me|vip|shop|site|online|club|link|app|co|"
         "biz|ru|tk|ml|ga|cf|gq|pw|ws|tv|in|jp|hk|tw|us|uk|de|fr|ly|to|gl|gd|im|sh|la|mobi|asia|"
         "wang|ltd|work|tech|store|live|fun|icu|cyou|buzz|space|website|host|press|click|download")
_LINK = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]{1,15}://|www\.)[^\s，。；）)“”\"'<>]*"
    r"|[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    rf"|(?<![a-z0-9.-])(?:[a-z0-9-]+\.)+(?:{_TLDS})(?![a-z0-9-])(?:[/:?#][^\s，。；）)“”\"'<>]*)?")
# What a name is made of: letters of any script, digits, spaces between Latin words, and the
# punctuation of Chinese organisation and project names ("Co., Ltd." too); a case name may
# have a Chinese comma and a colon.
_UNIT_CHARS = re.compile(r"[\w（）()·・\-—–&＆、.．,“”‘’《》〈〉/+ ]+")
_CASE_CHARS = re.compile(r"[\w（）()·・\-—–&＆、.．“”‘’《》〈〉/+%％，,：: ]+")
# Words of a message to a reader, not of a name: what phishing asks people to do.
_IMPERATIVE = re.compile(r"登录|登陆|密码|账号|账户|帐户|帐号|验证|核验|认证|点击|链接|网址|扫码|"
                         r"二维码|转账|汇款|退款|中奖|冻结|异常|过期|升级|下载|请|您")
# Chinese names do not break between two Chinese characters.
_SPACED = re.compile(r"[\u3400-\u9fff]\s+[\u3400-\u9fff]")


def unit_name(text: str) -> str:
    """The unit's name as the grammar read it when it reads as a name, else ""."""
    return _name(text, _UNIT_CHARS, UNIT_LIMIT)


def case_name(text: str) -> str:
    """The case's name as the form gave it when it reads as a name, else ""."""
    return _name(text, _CASE_CHARS, CASE_LIMIT)


def _name(text: str, characters: re.Pattern[str], limit: int) -> str:
    name = " ".join((text or "").split())
    folded = unicodedata.normalize("NFKC", name)
    if not name or len(name) > limit or not characters.fullmatch(name) or _LINK.search(folded) \
            or _IMPERATIVE.search(folded) or _SPACED.search(folded):
        return ""
    return name


QUOTE_GONE = "（内容已略）"
_QUOTED = re.compile(r"“([^“”]*)”")


def defanged(text: str) -> str:
    """`text` (a finding, a file's name) with every URL, web address, domain and e-mail address
    replaced by LINK_GONE, and a quotation that asks the reader to do something (“请登录…核验”)
    by QUOTE_GONE: what a finding quotes of the mail, a forger wrote."""
    folded = unicodedata.normalize("NFKC", text or "")
    if folded != text and _LINK.search(folded):  # ｈｔｔｐ：／／ and the like, as they read
        text = folded
    text = _QUOTED.sub(lambda m: f"“{QUOTE_GONE}”" if _IMPERATIVE.search(
        unicodedata.normalize("NFKC", m[1])) else m[0], text)
    return _LINK.sub(LINK_GONE, text)
