"""Providers' 超大附件 and cloud-drive links in a mail body: file name, size, expiry, code, URL.

Mail providers (QQ Mail and Foxmail through QQ's 文件中转站, Tencent Exmail, NetEase 163/126/yeah
and its enterprise mail, China Mobile 139, Coremail-hosted mailboxes) send a file too large to
attach as a link that expires; applicants also paste share links of OneDrive/SharePoint, 百度网盘,
阿里云盘 and 腾讯微云, often with an access code (提取码). The secretariat must download them in
time. Only the providers' download and share addresses count, so an ordinary link, a drive's home
page or the word 附件 in a body is never taken for one.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from parsers.mail import html_to_text
from parsers.model import LargeLink

_URL_CHAR = r"[^\s\"'<>\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
# An address up to its query: one pass over it, however many "?" a hostile body writes.
_PATH_CHAR = _URL_CHAR.replace("<>", "<>?")
_SHARE_KEY = r"[0-9A-Za-z_-]"
# (provider, download address, whether the body must also say 超大附件, whether the link may
# carry an access code): 139 and 网易邮箱大师 use general hosts that also appear in signatures,
# so they need the word as well; a mail provider's own 超大附件 link never has a code, and its
# `code=` parameter is no access code.
_PROVIDERS = (
    ("exmail", rf"https?://exmail\.qq\.com/cgi-bin/ftnExs_download\?{_URL_CHAR}+", False, False),
    # Foxmail's 超大附件 are QQ 文件中转站 files: the same ftnExs_download page, on a qq.com or
    # foxmail.com host.
    ("qq", rf"https?://(?:[a-z0-9-]+\.)*(?:qq|foxmail)\.com/cgi-bin/ftnExs_download\?{_URL_CHAR}+",
     False, False),
    ("qq", rf"https?://i?wx\.mail\.qq\.com/(?:ftn/download|s)\?{_URL_CHAR}+", False, False),
    # The file server a download page leads to, pasted as is.
    ("qq", rf"https?://[a-z0-9-]+\.ftn\.qq\.com/ftn_handler/{_URL_CHAR}+", False, False),
    ("163", rf"https?://mail\.163\.com/large-attachment-download/{_URL_CHAR}+", False, False),
    ("126", rf"https?://mail\.126\.com/large-attachment-download/{_URL_CHAR}+", False, False),
    ("yeah", rf"https?://mail\.yeah\.net/large-attachment-download/{_URL_CHAR}+", False, False),
    ("163", rf"https?://fs\.163\.com/fs/display/\?{_URL_CHAR}+", False, False),
    ("126", rf"https?://fs\.126\.com/fs/display/\?{_URL_CHAR}+", False, False),
    ("qiye163", rf"https?://fs\.qiye\.163\.com/fs/display/\?{_URL_CHAR}+", False, False),
    ("qiye163", rf"https?://edisk\.qiye\.163\.com/api/biz/attachment/download\?{_URL_CHAR}+",
     False, False),
    ("163", rf"https?://dashi\.163\.com/{_URL_CHAR}+", True, False),
    ("139", rf"https?://(?:caiyun|yun)\.139\.com/(?:m/i\?|(?:link/|shareweb/#/)?w/i/)"
            rf"{_SHARE_KEY}{{8,}}{_URL_CHAR}*", False, True),
    ("139", rf"https?://(?:caiyun|yun|www|mail|html5\.mail)\.139\.com/{_URL_CHAR}*\?{_URL_CHAR}+",
     True, True),
    # Coremail, on each organisation's own host: the 超大附件 download and the 网盘 share pages.
    ("coremail", rf"https?://[a-z0-9.-]+(?::\d+)?/coremail/(?:downloadFile\.jsp|common/nfFile\.jsp"
                 rf"|XT\d*/jsp/download\.jsp)\?{_URL_CHAR}+", False, True),
    ("onedrive", rf"https?://1drv\.ms/[a-z]/{_URL_CHAR}+", False, True),
    # onedrive.live.com is also the site's home page: only a link to one item counts.
    ("onedrive", rf"https?://onedrive\.live\.com/{_PATH_CHAR}*\?(?:{_URL_CHAR}*?&)?"
                 rf"(?:authkey|resid|redeem)={_URL_CHAR}*", False, True),
    # Sharing links (/:v:/g/personal/…, /:f:/s/…), not a tenant's site pages.
    ("sharepoint", rf"https?://[a-z0-9-]+\.sharepoint\.(?:com|cn)/:[a-z]:/[a-z]/{_URL_CHAR}+",
     False, True),
    ("baidu", rf"https?://(?:pan|yun)\.baidu\.com/(?:s/{_SHARE_KEY}{{6,}}|share/init\?surl="
              rf"{_SHARE_KEY}{{5,}}){_URL_CHAR}*", False, True),
    ("aliyun", rf"https?://(?:www\.)?(?:aliyundrive|alipan)\.com/[st]/{_SHARE_KEY}{{8,}}"
               rf"{_URL_CHAR}*", False, True),
    ("weiyun", rf"https?://share\.weiyun\.com/{_SHARE_KEY}{{7,}}{_URL_CHAR}*", False, True),
)
_PATTERNS = tuple((provider, re.compile(url, re.I), needs, coded)
                  for provider, url, needs, coded in _PROVIDERS)
# How far around a link its name, size and expiry are looked for, and how many of its
# occurrences are looked around.
_REACH, _KEPT_SPANS = 1000, 5
_CONTEXT = re.compile(r"超大附件|大附件|云附件|中转站|超大文件")
_ANY_URL = re.compile(rf"https?://{_URL_CHAR}+")
# Cloud drives quote a name in corner brackets: 「申报视频.mp4」.
_NAME = re.compile(r"(?<![^\s:：\"'“”>|「『【《])(?P<name>[^\s:：\"'“”<>|*?/\\,，;；「」『』【】《》]+?"
                   r"\.(?!(?:com|cn|net|org|html?|php|aspx?|jsp|cgi)(?![A-Za-z0-9]))"
                   r"(?:7z|[A-Za-z][A-Za-z0-9]{0,4}))(?![A-Za-z0-9.])")
# "125.30M", "(35.20 MB)", "1.2G", "800K"; not the "5G" of a file named 5G应用案例.mp4.
_SIZE = re.compile(r"(?<![A-Za-z0-9.])(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[KMGT])(?:i?B)?"
                   r"(?![A-Za-z\u4e00-\u9fff])", re.I)
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_DAY = (r"(?P<y>\d{4})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日|[-/.]\s*(?P<m2>\d{1,2})"
        r"\s*[-/.]\s*(?P<d2>\d{1,2}))(?:\s*(?P<time>\d{1,2}[:：]\d{2}))?")
# A date counts as the expiry only when labelled so, before or after it.
_EXPIRY = re.compile(rf"(?:(?:到期|过期|失效|截止)(?:时间|日期)?|有效期(?:至|到)?|expires?)\s*[:：]?\s*"
                     rf"{_DAY}|{_DAY.replace('?P<', '?P<a_')}\s*(?:到期|过期|失效|前有效)", re.I)
# 提取码: abcd, 密码：yq6E, Extraction code: M6PZ; never a 解压密码, which opens the archive.
_CODE = re.compile(r"(?:提取码|提取碼|访问码|訪問碼|(?<!解压)(?<!解壓)密[码碼]|extraction code|access code"
                   r"|password)\s*(?:[:：]|为|是)?\s*(?P<code>[0-9A-Za-z]{4,8})(?![0-9A-Za-z])", re.I)
_URL_CODE = re.compile(r"[?&#]pwd=(?P<code>[0-9A-Za-z]{4,8})(?![0-9A-Za-z])", re.I)
_RELATIVE = re.compile(r"\d+\s*(?:天|日|小时|個?月)\s*(?:后|後|内|內)?\s*(?:过期|到期|失效|有效)"
                       r"|有效期\s*[:：]?\s*\d+\s*(?:天|日|小时)")


@dataclass(frozen=True)
class _Seen:
    """One provider address and where it occurs in one body."""

    provider: str
    url: str
    spans: tuple[tuple[int, int], ...]
    # Whether the provider's links may need an access code.
    coded: bool = False


def find_large_links(text: str, html_body: str) -> tuple[LargeLink, ...]:
    """Every provider download link in the text and HTML bodies, once each, in order."""
    if not text and not html_body:
        return ()
    context = bool(_CONTEXT.search(text) or _CONTEXT.search(html_body))
    found: dict[str, LargeLink] = {}
    for body in (text, linked_text(html_body)):
        for link in _links(body, context):
            key = _key(link.url)
            found[key] = _merge(found[key], link) if key in found else link
    return tuple(found.values())


def _key(url: str) -> str:
    """The same link in both parts: the text may write http:// or the code in the address
    (?pwd=) where the HTML does not."""
    host, _, rest = re.sub(r"(?i)^https?://", "", url).partition("/")
    rest = re.sub(r"(?i)([?&#])pwd=[0-9A-Za-z]*&?", r"\1", rest).rstrip("?&#/")
    return f"{host.lower()}/{rest}"


def linked_text(markup: str) -> str:
    """HTML reduced to text with each link's address written in front of its label.

    Only the opening tag is rewritten, never a tag pair, so unclosed <a> tags cost nothing.
    """
    markup = re.sub(r"(?i)<a\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)[^>]*>", r" \1 ", markup)
    return html_to_text(markup).replace("\u00a0", " ")


def _links(body: str, context: bool) -> list[LargeLink]:
    seen = _occurrences(body, context)
    blanked = _ANY_URL.sub(lambda m: " " * len(m.group()), body)
    # A code such as 8k2m7q is no size (8K) nor part of a name.
    uncoded = _CODE.sub(lambda m: m.group()[:m.start("code") - m.start()] + " " * len(m["code"]),
                        blanked)
    newlines = tuple(m.start() for m in re.finditer("\n", body))
    bounds = _bounds(seen, len(body))
    return [_link(own, window, (uncoded, blanked), newlines) for own, window in zip(seen, bounds)]


def _occurrences(body: str, context: bool) -> list[_Seen]:
    """Provider addresses in order of first appearance, each with all its spans."""
    spans: dict[str, set[tuple[int, int]]] = {}
    providers: dict[str, tuple[str, bool]] = {}
    for provider, pattern, needs_context, coded in _PATTERNS:
        if needs_context and not context:
            continue
        for match in pattern.finditer(body):
            url = match.group().rstrip(".,;)")
            # A set: a QQ address matches both the Exmail and the general QQ pattern.
            spans.setdefault(url, set()).add((match.start(), match.start() + len(url)))
            providers.setdefault(url, (provider, coded))
    ordered = sorted(spans, key=lambda url: min(spans[url]))
    # A provider's block repeats its link two or three times; more are quotes further down.
    return [_Seen(providers[url][0], url, tuple(sorted(spans[url])[:_KEPT_SPANS]),
                  coded=providers[url][1]) for url in ordered]


def _bounds(seen: list[_Seen], length: int) -> list[tuple[int, int]]:
    """For each link, the stretch of body from the other link before it to the one after it."""
    spans = sorted((start, end, index) for index, own in enumerate(seen)
                   for start, end in own.spans)
    bounds = []
    for index, own in enumerate(seen):
        at = bisect.bisect_left(spans, (own.spans[0][0], 0, 0))
        low = next((e for _, e, i in reversed(spans[:at]) if i != index), 0)
        after = bisect.bisect_left(spans, (own.spans[-1][0], 0, 0))
        high = next((s for s, _, i in spans[after:] if i != index), length)
        bounds.append((max(low, own.spans[0][0] - _REACH), min(high, own.spans[-1][1] + _REACH)))
    return bounds


def _link(own: _Seen, window: tuple[int, int], bodies: tuple[str, str],
          newlines: tuple[int, ...]) -> LargeLink:
    """One link, its fields taken from its window: nearest to it wins. `bodies` is the body
    with its addresses blanked, once with its access codes blanked too."""
    plain, with_codes = bodies
    near = _Nearest(newlines, own.spans, *window)
    name = near.find(_NAME, plain)
    size = near.find(_SIZE, plain)
    expiry = near.find(_EXPIRY, plain)
    relative = near.find(_RELATIVE, plain)
    return LargeLink(name=name["name"] if name else "", url=own.url,
                     expires=_expiry(expiry) if expiry else relative.group() if relative else "",
                     size=_bytes(size) if size else None, provider=own.provider,
                     code=_code(own, near, with_codes) if own.coded else "")


def _code(own: _Seen, near: _Nearest, blanked: str) -> str:
    """The link's access code: in its address (?pwd=), else the first labelled one after it,
    else one before it on its own line. Not simply the nearest: a share text puts each code
    below its link, so the code above a second link belongs to the first."""
    if in_url := _URL_CODE.search(own.url):
        return in_url["code"]
    matches = list(_CODE.finditer(blanked, near.low, near.high))
    after = [(m.start() - end, m) for m in matches for _, end in own.spans if m.start() >= end]
    if after:
        return min(after, key=lambda pair: pair[0])[1]["code"]
    same_line = [m for m in matches for start, _ in own.spans
                 if m.end() <= start and "\n" not in blanked[m.end():start]]
    return same_line[-1]["code"] if same_line else ""


@dataclass(frozen=True)
class _Nearest:
    """Picks, among a pattern's matches in a window, the one closest to a link's occurrences."""

    # Where the body's line breaks are, to count lines by bisection.
    newlines: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    low: int
    high: int

    def find(self, pattern: re.Pattern[str], blanked: str) -> re.Match[str] | None:
        matches = list(pattern.finditer(blanked, self.low, self.high))
        return min(matches, key=self._distance) if matches else None

    def _distance(self, match: re.Match[str]) -> tuple[int, int, int]:
        """Lines away, then after-the-link worse than before, then characters away."""
        return min(self._from_span(match, span) for span in self.spans)

    def _from_span(self, match: re.Match[str], span: tuple[int, int]) -> tuple[int, int, int]:
        line = bisect.bisect_left(self.newlines, match.start())
        first, last = (bisect.bisect_left(self.newlines, span[0]),
                       bisect.bisect_left(self.newlines, span[1]))
        after = int(line > last)
        lines = first - line if line < first else line - last if after else 0
        chars = span[0] - match.end() if match.end() <= span[0] else max(0, match.start() - span[1])
        return lines, after, chars


def _bytes(found: re.Match[str]) -> int:
    return round(float(found["number"]) * _UNITS[found["unit"].upper()])


def _expiry(found: re.Match[str]) -> str:
    """An absolute expiry as '2026-12-20' or '2026-12-20 10:00'."""
    values = {k.removeprefix("a_"): v for k, v in found.groupdict().items() if v}
    month, day = values.get("m1") or values["m2"], values.get("d1") or values["d2"]
    stamp = f"{values['y']}-{int(month):02d}-{int(day):02d}"
    if time := values.get("time"):
        hour, minute = re.split("[:：]", time)
        stamp += f" {int(hour):02d}:{minute}"
    return stamp


def _merge(first: LargeLink, second: LargeLink) -> LargeLink:
    """The same link seen in the text and the HTML: each field from whichever has it."""
    return LargeLink(name=first.name or second.name, url=first.url,
                     expires=first.expires or second.expires,
                     size=first.size if first.size is not None else second.size,
                     provider=first.provider or second.provider, code=first.code or second.code)
