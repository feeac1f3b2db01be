"""The accuracy corpus: every campaign's form, made every way applicants make it, mailed the way
their clients mail it, each case with the fields, findings and verdict it must get.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterator

from parsers import sniff
from parsers.reading import legacy_word
from pipeline.demo.samples.gpipc import big_photos
from pipeline.demo.samples.media import photo, proof_pdf, scan_pdf, zip_bytes
from pipeline.demo.samples.mime import at, mail
from pipeline.demo.samples.texts import filler
from pipeline.demo.samples.word import build_writeup
from tests.accuracy.fills import FILLS, Fill, fill, unit_word
from tests.accuracy.notations import MOBILES, PHONES
from tests.accuracy.routes import ROUTES, Made, Request, make_forms

CAMPAIGNS = ("ccea-green-2022", "ccea-csr-2022", "mee-lowcarbon-2023", "gpipc-park-2024",
             "gpipc-enterprise-2024", "cq-ict-enabling")
# The provinces recommending notice 002's cases: one province and category for few cases.
PROVINCES = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
             "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
             "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
             "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区")
# The mail clients, by the MIME they write: charsets, attachment names, HTML part, headers.
CLIENTS: dict[str, dict[str, object]] = {
    "foxmail": {"subject_charset": "gb18030", "filename_style": "rfc2047", "html": True,
                "headers": {"X-Mailer": "Foxmail 7.2.25.228[cn]"}},
    "qqmail": {"subject_charset": "gb18030", "filename_style": "rfc2047", "html": True,
               "headers": {"X-QQ-mid": "xmsza12t1700000000tq0example", "X-QQ-SSF": "0000000000000010"}},
    "outlook": {"subject_charset": "utf-8", "filename_style": "rfc2231", "html": True,
                "headers": {"X-Mailer": "Microsoft Outlook 16.0",
                            "Thread-Index": "AdoAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}},
    "163": {"subject_charset": "gbk", "filename_style": "rfc2047", "html": False,
            "headers": {"X-Mailer": "Coremail Webmail Server Version XT5.0.14 build 20230109"}},
}
_ARRIVALS = {"ccea-green-2022": (2022, 5, 9), "ccea-csr-2022": (2022, 9, 21),
             "mee-lowcarbon-2023": (2023, 12, 20), "gpipc-park-2024": (2024, 4, 10),
             "gpipc-enterprise-2024": (2024, 4, 11), "cq-ict-enabling": (2026, 6, 10)}


@dataclass(frozen=True)
class Case:
    key: str
    campaign: str
    route: str
    fill: Fill
    client: str
    eml: bytes
    form: Made

    @property
    def verdict(self) -> str:
        return "deficient" if self.fill.findings else "complete"


@dataclass(frozen=True)
class _Plan:
    key: str
    campaign: str
    route: str
    n: int
    fill: Fill
    client: str


def _plans(routes: tuple[str, ...]) -> Iterator[_Plan]:
    clients = tuple(CLIENTS)
    for campaign in CAMPAIGNS:
        n = 0
        for r, route in enumerate(routes):
            for variant in FILLS:
                case_fill = _provincial(campaign, fill(campaign, variant, n, r), n)
                key = f"{campaign}.{route}.{variant}"
                yield _Plan(key, campaign, route, n, case_fill, clients[n % len(clients)])
                n += 1


def build_corpus(routes: tuple[str, ...] = ROUTES) -> list[Case]:
    """Every campaign × route × fill, as mails; the LibreOffice work done in a few batches."""
    plans = list(_plans(routes))
    # The variant shifts with the campaign too, so each campaign's route meets other spellings.
    requests = [Request(p.campaign, p.route, _form_values(p), p.fill.marks,
                        p.n + CAMPAIGNS.index(p.campaign)) for p in plans]
    forms = make_forms(requests)
    return [Case(p.key, p.campaign, p.route, p.fill, p.client, _mail(p, made), made)
            for p, made in zip(plans, forms)]


def _provincial(campaign: str, case_fill: Fill, n: int) -> Fill:
    """Notice 002's units carry their province, as the provinces' recommendations do."""
    if campaign != "mee-lowcarbon-2023":
        return case_fill
    unit = PROVINCES[n % len(PROVINCES)] + str(case_fill.written["unit_name"])
    return replace(case_fill, written={**case_fill.written, "unit_name": unit},
                   expected={**case_fill.expected, "unit_name": unit})


def _form_values(plan: _Plan) -> dict:
    return dict(plan.fill.written)


def _province(plan: _Plan) -> str:
    return PROVINCES[plan.n % len(PROVINCES)]


# ---- the mails ------------------------------------------------------------------------

def _mail(plan: _Plan, form: Made) -> bytes:
    unit = str(_form_values(plan)["unit_name"])
    files, subject, body = _MATERIALS[plan.campaign](plan, form, unit)
    y, m, d = _ARRIVALS[plan.campaign]
    client = CLIENTS[plan.client]
    sender = f"{plan.fill.written.get('contact_name', '联系人')} <sender{plan.n}@example.com>"
    return mail(subject, sender, body, files, date=at(y, m, d, 9 + plan.n % 8, plan.n % 60),
                message_id=f"accuracy-{plan.key}@example.com", **client)  # type: ignore[arg-type]


def _body(unit: str, plan: _Plan) -> str:
    name = plan.fill.written.get("contact_name", "")
    return f"您好！\n\n　　{unit}报送案例申报材料，详见附件，请查收。\n\n{name}\n{unit}"


def _green(plan: _Plan, form: Made, unit: str) -> tuple[list, str, str]:
    case = str(plan.fill.written["case_name"])
    sections = {"企业概况": filler(500, f"{plan.key}-1"), "主要措施": filler(3400, f"{plan.key}-2"),
                "实施效果": filler(800, f"{plan.key}-3")}
    files = [(f"2022绿色低碳发展优秀实践案例申报表{form.suffix}", form.data),
             (f"案例报告-{case}.docx", build_writeup("ccea-green-2022", case, unit, sections)),
             *_proofs()]
    return files, f"2022信息通信行业绿色低碳发展优秀实践案例申报材料（{unit}）", _body(unit, plan)


@lru_cache(maxsize=1)
def _proofs() -> tuple[tuple[str, bytes], ...]:
    return tuple((f"{title}.pdf", proof_pdf(title)) for title in ("营业执照", "节能检测报告", "用户使用报告"))


@lru_cache(maxsize=4)
def _photos(campaign: str) -> tuple[tuple[str, bytes], ...]:
    if campaign.startswith("gpipc-"):
        return tuple(big_photos(("屋顶分布式光伏.jpg", "智慧能源管理中心.jpg", "污水处理提标改造.jpg"), campaign))
    return tuple((f"现场照片{i + 1}.jpg", photo(150_000 + 20_000 * i, f"{campaign}-{i}")) for i in range(3))


def _csr(plan: _Plan, form: Made, unit: str) -> tuple[list, str, str]:
    files = [(f"履责实践案例申报表{form.suffix}", form.data), *_photos(plan.campaign)[:2]]
    return files, f"典型履责实践案例申报—{unit}", _body(unit, plan)


def _mee(plan: _Plan, form: Made, unit: str) -> tuple[list, str, str]:
    province = _province(plan)
    prefix = f"{province}示例{unit_word(plan.n)}"
    suffix = ".doc" if form.suffix == ".wps" else form.suffix
    folder = f"{prefix}推荐材料/"
    members = {f"{folder}{prefix}推荐表{suffix}": form.data,
               f"{folder}{prefix}推荐表盖章扫描件.pdf": _scan()}
    members.update({f"{folder}{prefix}照片（{caption}）.jpg": data for caption, (_, data)
                    in zip(("光伏车棚", "储能电站", "能源管理平台"), _photos(plan.campaign))})
    files = [(f"{prefix}推荐材料.zip", zip_bytes(members))]
    return files, f"{province}低碳发展典型案例申报材料", _mee_body(plan, province)


@lru_cache(maxsize=1)
def _scan() -> bytes:
    return scan_pdf(seal=True, seed="accuracy")


def _mee_body(plan: _Plan, province: str) -> str:
    """The contact the notice asks for in the body, its phone in one of the notations."""
    written, _ = MOBILES[plan.n % len(MOBILES)] if plan.n % 3 else PHONES[plan.n % len(PHONES)]
    name = ("周建国", "马文静", "黄海涛")[plan.n % 3]
    label = ("工作负责人：", "联系人：", "负责人 ")[plan.n % 3]
    return (f"生态环境部宣传教育中心：\n\n　　现报送我省2023年绿色低碳典型案例推荐材料，详见附件压缩包。\n\n"
            f"{label}{name}\n联系电话：{written}\n邮箱：contact{plan.n}@example.cn\n\n"
            f"{province}生态环境厅应对气候变化处")


def _gpipc(plan: _Plan, form: Made, unit: str) -> tuple[list, str, str]:
    park = plan.campaign == "gpipc-park-2024"
    case = str(plan.fill.written["case_name"])
    first = 400 if park else 250
    sections = {"背景情况": filler(first, f"{plan.key}-1"), "特色经验": filler(900, f"{plan.key}-2"),
                "未来展望": filler(400, f"{plan.key}-3")}
    subtitle = (f"示例{unit_word(plan.n)}开发区绿色发展创新案例" if park
                else f"示例{unit_word(plan.n)}科技企业绿色发展创新案例")
    writeup = build_writeup(plan.campaign, case, subtitle, sections)
    names = ("附件1-案例征集申报表", "附件2-案例编辑模板") if park else ("案例申报信息表", "案例编写模板")
    files = [(f"{names[0]}{form.suffix}", form.data), (f"{names[1]}.docx", writeup),
             *_photos(plan.campaign)]
    subject = f"【{unit}】绿盟案例征集" if park else f"【{unit}】绿盟企业案例征集"
    return files, subject, _body(unit, plan)


def _cq(plan: _Plan, form: Made, unit: str) -> tuple[list, str, str]:
    files = [(f"赋能降碳典型应用案例申报表{form.suffix}", form.data), *_photos(plan.campaign)[:2]]
    return files, f"【{unit}】赋能降碳典型案例", _body(unit, plan)


_MATERIALS = {"ccea-green-2022": _green, "ccea-csr-2022": _csr, "mee-lowcarbon-2023": _mee,
              "gpipc-park-2024": _gpipc, "gpipc-enterprise-2024": _gpipc, "cq-ict-enabling": _cq}


def legacy_forms(cases: list[Case]) -> list[tuple[bytes, str]]:
    """(bytes, format) of every form the product hands to LibreOffice, to convert in one batch."""
    formats = [(c.form.data, sniff.sniff(c.form.data), c.form.suffix) for c in cases]
    return [(data, fmt) for data, fmt, suffix in formats if legacy_word(fmt, f"form{suffix}")]
