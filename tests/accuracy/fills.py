"""How each case's form is filled in: the values as written, and what must be read from them.

Every campaign has a base fill (a complete submission), and five variations of it: other
notations, optional fields left empty (or a summary exactly at its limit), a required field
left blank with an over-long summary, and a category marked wrongly (none, or two).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from pipeline.demo.samples.forms import CHOICES, Marks
from pipeline.demo.samples.texts import filler
from tests.accuracy.notations import AMOUNTS, DATE_NOTATIONS, MARKS, PHONES

Finding = tuple[str, "str | None"]

# Summary limits of the notices (字), and where the applicant's own dates fall.
LIMITS = {"ccea-green-2022": 800, "ccea-csr-2022": 500, "mee-lowcarbon-2023": 2000,
          "gpipc-park-2024": 200, "gpipc-enterprise-2024": 200, "cq-ict-enabling": 1000}
FILLED = {"ccea-csr-2022": (2022, 9, 20), "gpipc-park-2024": (2024, 4, 8),
          "gpipc-enterprise-2024": (2024, 4, 9)}
FILLS = ("complete", "notations", "optional", "missing", "choice")
_UNIT_WORDS = ("青山", "绿水", "云岭", "星河", "长风", "明湖", "翠屏", "金沙", "银滩", "玉泉", "松涛",
               "竹韵", "梅岭", "兰亭", "枫林", "桂香", "荷塘", "柳岸", "杏坛", "桃源", "石门", "白鹭",
               "紫荆", "丹霞", "碧波", "清溪", "远山", "晴川", "朝阳", "春晖", "秋实", "冬青", "夏荷",
               "晨曦", "暮雪", "望海", "临江", "凌云", "鸿雁", "骏马")
_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Fill:
    """One way a case's form is filled: what is written, what must be read, what is wrong."""

    name: str
    written: Mapping[str, object]
    # Field key -> the value `intake check --json` must give (text compared without spaces).
    expected: Mapping[str, object]
    findings: frozenset[Finding] = frozenset()
    marks: Marks | None = None
    notes: tuple[str, ...] = field(default=())


def unit_word(n: int) -> str:
    return _UNIT_WORDS[n % len(_UNIT_WORDS)]


def _phase(n: int) -> str:
    """一期 … 九十九期: a case name of its own for every case of a campaign."""
    tens, units = divmod(n + 1, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ORDINALS[tens - 1] + "十")
    return head + (_ORDINALS[units - 1] if units else "") + "期"


def _date(campaign: str, notation: int) -> tuple[str, str]:
    y, m, d = FILLED[campaign]
    return DATE_NOTATIONS[notation % len(DATE_NOTATIONS)](y, m, d), f"{y}-{m:02d}-{d:02d}"


def _person(prefix: str, n: int, phone: int, landline: bool = False) -> tuple[dict, dict]:
    """A person's name, title, phone and e-mail as written and as read."""
    written_phone, read_phone = PHONES[(phone + (7 if landline else 0)) % len(PHONES)]
    name = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄")[n % 8] + ("晓明", "静怡", "建国", "雨桐")[n % 4]
    login = f"user{n}"
    written = {f"{prefix}_name": name, f"{prefix}_title": ("主任", "经理", "科长")[n % 3],
               f"{prefix}_phone": written_phone, f"{prefix}_email": f"{login}@Example.cn"}
    read = dict(written, **{f"{prefix}_phone": read_phone, f"{prefix}_email": f"{login}@example.cn"})
    return written, read


def _base(campaign: str, n: int, notation: int) -> tuple[dict, dict]:
    """The complete form of case `n`, the notations chosen by `notation`."""
    unit = f"示例{unit_word(n)}科技有限公司"
    summary = filler(LIMITS[campaign] * 3 // 4, f"{campaign}-{n}")
    written: dict[str, object] = {"unit_name": unit, "summary": summary,
                                  "category": CHOICES[campaign][n % len(CHOICES[campaign])]}
    contact, contact_read = _person("contact", n, notation)
    written.update(contact)
    read: dict[str, object] = dict(written, **contact_read)
    if campaign in FILLED:
        written["fill_date"], read["fill_date"] = _date(campaign, notation)
    extra, extra_read = _OWN[campaign](n, notation)
    written.update(extra)
    read.update(extra_read)
    case = _CASES[campaign] + _phase(n)
    written["case_name"] = read["case_name"] = case
    for key in ("contact_title", "contact_email"):
        if key not in _SPEC_KEYS[campaign]:
            written.pop(key, None)
            read.pop(key, None)
    return written, read


def _green(n: int, notation: int) -> tuple[dict, dict]:
    leader, leader_read = _person("leader", n + 1, notation + 3, landline=True)
    amount, value = AMOUNTS[notation % len(AMOUNTS)]
    written = {"industry": "信息传输、软件和信息技术服务业", "period": "2020年3月至2022年3月",
               "revenue_wan": amount, "assets_wan": "415200",
               "ownership": CHOICES["ccea-green-2022/ownership"][n % 4], **leader,
               "recommender_opinion": "同意推荐。", "recommender_date": "2022年5月6日",
               "awards": "荣获示例省节能减排优秀项目奖，取得相关实用新型专利两项。"}
    read = dict(written, revenue_wan=value, assets_wan=415200.0, **leader_read)
    read.pop("recommender_date")
    return written, read


def _mee(n: int, notation: int) -> tuple[dict, dict]:
    written = {"address": f"示例省示例市{unit_word(n)}路{n + 1}号", "recommender_opinion": "同意推荐。",
               "recommender_date": "2023年12月18日"}
    read = {k: v for k, v in written.items() if k != "recommender_date"}
    return written, read


def _enterprise(n: int, notation: int) -> tuple[dict, dict]:
    written = {"industry": "计算机、通信和其他电子设备制造业", "recommender": park(n),
               "recommender_contact": "郑浩然"}
    return written, {k: v for k, v in written.items() if k != "recommender_contact"}


def park(n: int) -> str:
    """Each enterprise case its own recommending park: no quota is reached by accident."""
    return f"示例{unit_word(n)}经济技术开发区"


def _none(n: int, notation: int) -> tuple[dict, dict]:
    return {}, {}


_OWN = {"ccea-green-2022": _green, "ccea-csr-2022": _none, "mee-lowcarbon-2023": _mee,
        "gpipc-park-2024": _none, "gpipc-enterprise-2024": _enterprise, "cq-ict-enabling": _none}
_CASES = {"ccea-green-2022": "通信机房液冷改造与余热回收节能实践", "ccea-csr-2022": "通信基站光储一体化节能改造",
          "mee-lowcarbon-2023": "光伏车棚与储能微电网示范", "gpipc-park-2024": "园区分布式光伏与智慧能源管理平台建设",
          "gpipc-enterprise-2024": "智能工厂空压站群控节能改造", "cq-ict-enabling": "工业互联网平台赋能钢铁企业能效提升"}
# Which contact parts each form prints.
_SPEC_KEYS = {
    "ccea-green-2022": {"contact_title", "contact_email"}, "ccea-csr-2022": {"contact_title", "contact_email"},
    "mee-lowcarbon-2023": set(), "gpipc-park-2024": {"contact_email"},
    "gpipc-enterprise-2024": {"contact_email"}, "cq-ict-enabling": {"contact_email"},
}
# A required text field each campaign's "missing" fill leaves blank.
_BLANKED = {"ccea-green-2022": "contact_phone", "ccea-csr-2022": "contact_phone",
            "mee-lowcarbon-2023": "address", "gpipc-park-2024": "contact_email",
            "gpipc-enterprise-2024": "industry", "cq-ict-enabling": "contact_phone"}
# Optional fields a complete submission may leave empty.
_OPTIONAL = {"ccea-green-2022": ("recommender_opinion", "awards")}


def fill(campaign: str, variant: str, n: int, route: int) -> Fill:
    """Case `n` of `campaign`, filled the `variant` way; `route` shifts the notations."""
    notation = n + route
    written, read = _base(campaign, n, notation if variant == "notations" else 0)
    marks = MARKS[notation % len(MARKS)][1] if variant == "notations" else None
    base = Fill(variant, written, read, marks=marks)
    return _VARIANTS[variant](base, campaign, n)


def _complete(base: Fill, campaign: str, n: int) -> Fill:
    return base


def _optional(base: Fill, campaign: str, n: int) -> Fill:
    """Optional fields blank; where a form has none, the summary exactly at its limit."""
    if campaign in _OPTIONAL:
        blank = dict.fromkeys(_OPTIONAL[campaign], "")
        return replace(base, written={**base.written, **blank}, expected={**base.expected, **blank})
    summary = filler(LIMITS[campaign], f"{campaign}-limit-{n}")
    return replace(base, written={**base.written, "summary": summary},
                   expected={**base.expected, "summary": summary})


def _missing(base: Fill, campaign: str, n: int) -> Fill:
    key = _BLANKED[campaign]
    summary = filler(LIMITS[campaign] + 40, f"{campaign}-long-{n}")
    changes = {key: "", "summary": summary}
    findings = {("field_missing", key), ("length_exceeded", "summary")}
    return replace(base, written={**base.written, **changes},
                   expected={**base.expected, **changes}, findings=frozenset(findings))


def _choice(base: Fill, campaign: str, n: int) -> Fill:
    """Every other case marks no category, the others two."""
    options = CHOICES[campaign]
    marked: tuple[str, ...] = () if n % 2 == 0 else (options[0], options[1])
    return replace(base, written={**base.written, "category": marked},
                   expected={**base.expected, "category": marked},
                   findings=frozenset({("choice_invalid", "category")}))


_VARIANTS = {"complete": _complete, "notations": _complete, "optional": _optional,
             "missing": _missing, "choice": _choice}
