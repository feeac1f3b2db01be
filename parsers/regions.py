"""Provinces and parks as recommenders: the province a text names, a park's name normalised."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from parsers.text import loose_pattern, squash

# The 34 provincial-level divisions by their full names, each with the short forms people
# write ("浙江", "广西自治区"); and the 新疆生产建设兵团, which 002-type notices list beside them.
PROVINCES: dict[str, tuple[str, ...]] = {
    "北京市": ("北京",), "天津市": ("天津",), "上海市": ("上海",), "重庆市": ("重庆",),
    "河北省": ("河北",), "山西省": ("山西",), "辽宁省": ("辽宁",), "吉林省": ("吉林",),
    "黑龙江省": ("黑龙江",), "江苏省": ("江苏",), "浙江省": ("浙江",), "安徽省": ("安徽",),
    "福建省": ("福建",), "江西省": ("江西",), "山东省": ("山东",), "河南省": ("河南",),
    "湖北省": ("湖北",), "湖南省": ("湖南",), "广东省": ("广东",), "海南省": ("海南",),
    "四川省": ("四川",), "贵州省": ("贵州",), "云南省": ("云南",), "陕西省": ("陕西",),
    "甘肃省": ("甘肃",), "青海省": ("青海",), "台湾省": ("台湾",),
    "内蒙古自治区": ("内蒙古",), "广西壮族自治区": ("广西自治区", "广西"),
    "西藏自治区": ("西藏",), "宁夏回族自治区": ("宁夏自治区", "宁夏"),
    "新疆维吾尔自治区": ("新疆自治区", "新疆"),
    "香港特别行政区": ("香港",), "澳门特别行政区": ("澳门",),
    "新疆生产建设兵团": ("新疆兵团", "兵团"),
}

# Names that are a province's own wherever they stand: the full names and the longer short
# forms (广西自治区, 新疆兵团). A bare short form (浙江, 山东, 兵团) is often part of a longer
# word: 中山东路 is a street, not 山东; 淮河南岸 is not 河南. It counts at the start of the
# text, after a non-ideograph (space, punctuation, a digit), or after one of these
# one-character words: 中国浙江, 由浙江, 位于浙江, 来自浙江, 与江苏.
_SUFFIXES = ("省", "市", "自治区", "特别行政区", "新疆兵团", "新疆生产建设兵团")
_BEFORE_SHORT = set("国由经在于自与和及暨向对给")
# …and not when a street, or a place of another province, follows: 北京路, 江西中路 (streets of
# many cities), 海南藏族自治州 and 河南蒙古族自治县 (both in 青海).
_AFTER_SHORT = re.compile(r"\s*(?:[东西南北中]?(?:路|街|大街|大道|道|巷|弄|里)|藏族|蒙古族)")

_NAMES = {name: province for province, shorts in PROVINCES.items()
          for name in (province, *shorts)}
# Longest first, so that at one place 黑龙江省 wins over 黑龙江 and 新疆生产建设兵团 over 新疆.
_NAME = re.compile("|".join(f"(?:{loose_pattern(n)})"
                            for n in sorted(_NAMES, key=len, reverse=True)))
# A department for the environment after the province, perhaps through one of its cities:
# "浙江省生态环境厅", "浙江生态环境宣传教育中心", "浙江省杭州市生态环境局", "环境保护厅".
_DEPARTMENT = re.compile(r"\s*(?:[^\s,.;:，。；：、]{1,6}?市)?\s*(?:生态环境|环境保护|环保)")


def _stands_alone(text: str, start: int, end: int, name: str) -> bool:
    """A full name always counts; a bare short form only as a word of its own."""
    if name.endswith(_SUFFIXES):
        return True
    before = text[start - 1] if start else ""
    if before and unicodedata.category(before) == "Lo" and before not in _BEFORE_SHORT:
        return False
    return not _AFTER_SHORT.match(text, end)


def _named(normal: str) -> Iterator[tuple[int, str]]:
    """(where the name ends, its full name) for every province named in NFKC text, in order."""
    pos = 0
    while (found := _NAME.search(normal, pos)) is not None:
        name = squash(found.group())
        if _stands_alone(normal, found.start(), found.end(), name):
            yield found.end(), _NAMES[name]
            pos = found.end()
        else:
            # Look again one character on: a name may start inside the rejected one.
            pos = found.start() + 1


def province_of(text: str) -> str | None:
    """The full name of the first provincial-level division `text` names, or None.

    "浙江省杭州市…", "浙江" and "（浙江）" give 浙江省; "广西" gives 广西壮族自治区; "兵团" gives
    新疆生产建设兵团; "南京市中山东路" gives None (its 山东 is part of a street's name).
    """
    return next((province for _, province in _named(unicodedata.normalize("NFKC", text))), None)


def department_province(text: str) -> str | None:
    """The province whose environment department `text` names, or None: in a mail's signature
    "浙江省生态环境厅应对气候变化处" gives 浙江省, while a province merely mentioned does not count."""
    normal = unicodedata.normalize("NFKC", text)
    return next((province for end, province in _named(normal) if _DEPARTMENT.match(normal, end)),
                None)


# ---- parks ------------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")",
                           "[": "(", "]": ")"})
# The park's administration is the park, as a recommender: "示例经开区管委会" = "示例经开区".
_ADMINISTRATION = re.compile(r"(?:管理委员会|管委会)$")


def park_name(text: str) -> str:
    """A park's name as one group: NFKC, no spaces, brackets as (), no trailing 管委会.

    "示例经济技术开发区 " and "示例经济技术开发区管理委员会" are both "示例经济技术开发区"; "" for
    a blank.
    """
    name = squash(text).translate(_BRACKETS)
    return _ADMINISTRATION.sub("", name) or name
