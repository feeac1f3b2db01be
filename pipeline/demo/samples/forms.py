"""The notices' blank forms (申报表/推荐表/申报信息表), rebuilt in Word and filled in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from pipeline.demo.samples.texts import paragraphs
from pipeline.demo.samples.word import UP, Box, add_grid, add_title, box, new_document, save

Values = Mapping[str, "str | Sequence[str]"]
# (checked, unchecked) glyphs written before each option, or a function of (option, chosen)
# giving the option as written: "园区√", "（√）企业", "" for an option the applicant deleted.
Marks = "tuple[str, str] | Callable[[str, bool], str]"

# The options as the forms print them (a test holds them equal to the profiles' choices).
CHOICES = {
    "ccea-green-2022": ("节能降耗增效", "绿色低碳技术的创新与推广应用", "资源循环利用", "双碳达标服务体系建设"),
    "ccea-green-2022/ownership": ("国有或国有控股企业", "民营企业", "中外合资企业", "其他"),
    "ccea-csr-2022": ("助力乡村振兴", "消除数字鸿沟", "绿色低碳发展"),
    "mee-lowcarbon-2023": ("园区", "企业", "社区", "个人"),
    "gpipc-park-2024": ("绿色基础设施创新", "绿色产业发展创新", "绿色投资环境创新", "绿色国际合作创新"),
    "gpipc-enterprise-2024": ("绿色供应链建设", "工厂节能降碳", "无废工厂建设", "零碳工厂建设"),
    "cq-ict-enabling": ("产业绿色低碳转型", "居民低碳环保生活", "城乡绿色智慧发展"),
}

# The forms' own instructions, in full-width forms whose NFKC is the profiles' `prompts`.
PROMPTS = {
    "ccea-green-2022": "（简要概述企业案例实施的时间和基本内容，突出采取的措施、方式、特点及取得的成效。"
                       "字数在800字以内。）",
    "ccea-green-2022/awards": "（申报企业可提供与案例相关的获奖证书、专利证书、鉴定证书及其他证明材料的复印件，"
                              "复印件可作为附件附在案例报告后面。）",
    "ccea-csr-2022": "（500字以内，包括事件背景、发生时间、地点、具体参与人员、所做具体事迹、案例效果等）",
    "mee-lowcarbon-2023": "（2000字以内。请简要介绍案例背景和案例目标，执行情况、实施过程、取得的成果、意义和评价"
                          "等内容应简洁、明确，层次不宜过多，突出亮点特色，组织活动应有相关数据说明。证明材料可另附页）",
    "gpipc-park-2024": "（200字以内，简述突出亮点成效。）",
    "gpipc-enterprise-2024": "（200字以内，简述突出亮点成效。）",
    "cq-ict-enabling": "（1000字以内）",
}

_PLEDGE = ("所申报案例文字材料及图片均真实有效，所有案例参与人员均为本单位人员，申报案例同意由中国通信企业协会"
           "社会责任工作委员会作为素材进行宣传和报道使用。")


@dataclass(frozen=True)
class Layout:
    """A filled form as the notice prints it, before any word processor writes it down."""

    # Plain paragraphs above the title ("附件1"), the centred bold titles, the table, notes below.
    lead: tuple[str, ...]
    titles: tuple[str, ...]
    rows: tuple[tuple[Box, ...], ...]
    cols: int
    notes: tuple[str, ...] = ()


def _layout(titles: tuple[str, ...], rows: list[list[Box]], cols: int,
            lead: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> Layout:
    return Layout(lead, titles, tuple(tuple(row) for row in rows), cols, notes)


class _Form:
    """One form being filled: the values, the check-mark glyphs and whether it is sealed."""

    def __init__(self, values: Values, marks: Marks, seal: bool):
        self.values, self.marks, self.seal = values, marks, seal

    def text(self, key: str, default: str = "") -> str:
        value = self.values.get(key, default)
        return value if isinstance(value, str) else "、".join(value)

    def ticks(self, options: Sequence[str], key: str = "category") -> list[str]:
        """Each option behind its mark; the value is one option, several, or none."""
        value = self.values.get(key, ())
        chosen = {value} if isinstance(value, str) else set(value)
        if callable(self.marks):
            return [self.marks(o, o in chosen) for o in options]
        return [f"{self.marks[0] if o in chosen else self.marks[1]}{o}" for o in options]

    def long(self, prompt: str, key: str) -> tuple[str, ...]:
        """A long-text cell: the form's prompt, then the applicant's paragraphs."""
        return (prompt, *paragraphs(self.text(key)))

    def people(self, role: str) -> list[Box]:
        return [box(self.text(f"{role}_{part}")) for part in ("name", "title", "phone", "email")]


def _ccea_green(f: _Form) -> Layout:
    sealed = f.seal and bool(f.text("recommender_opinion"))
    return _layout(("2022 信息通信行业绿色低碳发展优秀实践案例", "申 报 表"), [
        [box("申报企业全称"), box(f.text("unit_name"), span=4)],
        [box("所属行业"), box(f.text("industry"), span=4)],
        [box("案例名称"), box(f.text("case_name"), span=4)],
        [box("案例类别"), box(*f.ticks(CHOICES["ccea-green-2022"]), span=4)],
        [box("案例实施周期"), box(f.text("period"), span=4)],
        [box("企业规模"), box(f"2021 年企业营业收入 {f.text('revenue_wan')} 万元", span=4)],
        [UP, box(f"2021 年企业总资产 {f.text('assets_wan')} 万元", span=4)],
        [box("企业属性"),
         box(" ".join(f.ticks(CHOICES["ccea-green-2022/ownership"], "ownership")), span=4)],
        [box(""), box("姓名"), box("职务"), box("电话"), box("电子邮箱")],
        [box("企业负责人"), *f.people("leader")],
        [box("工作联系人"), *f.people("contact")],
        [box("推荐单位意见"), box("（如有）", f.text("recommender_opinion"), span=2),
         box("推荐单位盖章", f.text("recommender_date", "年  月  日"), span=2, seal=sealed)],
        [box("推荐单位地址"), box(f.text("recommender_address"), span=4)],
        [box("推荐单位联系人"), box("姓名"), box("职务"), box("电话"), box("电子邮箱")],
        [UP, *f.people("recommender_contact")],
        [box("案例简介"), box(*f.long(PROMPTS["ccea-green-2022"], "summary"), span=4)],
        [box("案例所获奖项或相关证书、证明"),
         box(*f.long(PROMPTS["ccea-green-2022/awards"], "awards"), span=4)],
    ], cols=5)


def _ccea_csr(f: _Form) -> Layout:
    return _layout(("履责实践案例申报表",), [
        [box(" ".join(f.ticks(CHOICES["ccea-csr-2022"])), span=4)],
        [box("申报单位"), box(f.text("unit_name"), span=3)],
        [box("联系人"), box(f.text("contact_name")), box("职务"), box(f.text("contact_title"))],
        [box("联系电话"), box(f.text("contact_phone")), box("邮箱"), box(f.text("contact_email"))],
        [box("案例名称"), box(f.text("case_name"), span=3)],
        [box(*f.long(PROMPTS["ccea-csr-2022"], "summary"), span=4)],
        [box("本单位承诺：", _PLEDGE, span=4)],
        [box("单位盖章：（公章）", span=2, seal=f.seal),
         box(f"日 期：{f.text('fill_date')}", span=2)],
    ], cols=4, notes=("注：申报案例内容可自行添加附页",))


def _mee(f: _Form) -> Layout:
    return _layout(("2023年绿色低碳典型案例推荐表",), [
        [box("案例名称"), box(f.text("case_name"), span=3)],
        [box("申报单位（个人）"), box(f.text("unit_name"), span=3)],
        [box("类别（在所属类别打√）"), box("  ".join(f.ticks(CHOICES["mee-lowcarbon-2023"])), span=3)],
        [box("联 系 人"), box(f.text("contact_name")), box("手    机"), box(f.text("contact_phone"))],
        [box("地    址"), box(f.text("address"), span=3)],
        [box("案例简介"), box(*f.long(PROMPTS["mee-lowcarbon-2023"], "summary"), span=3)],
        [box(f"推荐单位意见：{f.text('recommender_opinion')}", "（单位公章）",
             f.text("recommender_date", "年   月   日"), span=4, seal=f.seal)],
    ], cols=4)


def _gpipc_head(f: _Form, unit_label: str) -> list[list[Box]]:
    return [[box(unit_label), box(f.text("unit_name"), span=3)]]


def _gpipc_tail(f: _Form, campaign_id: str) -> list[list[Box]]:
    return [
        [box("联系人"), box(f.text("contact_name")), box("联系电话"), box(f.text("contact_phone"))],
        [box("联系邮箱"), box(f.text("contact_email"), span=3)],
        [box("申报主题"), box(" ".join(f.ticks(CHOICES[campaign_id])), span=3)],
        [box("案例名称"), box(f.text("case_name"), span=3)],
        [box("案例简介"), box(*f.long(PROMPTS[campaign_id], "summary"), span=3)],
    ]


def _signed(f: _Form) -> list[Box]:
    return [box("填表日期"), box(f.text("fill_date")), box("盖章(签字)"), box(seal=f.seal)]


def _gpipc_park(f: _Form) -> Layout:
    rows = _gpipc_head(f, "单位名称") + _gpipc_tail(f, "gpipc-park-2024") + [_signed(f)]
    return _layout(("案例征集申报表",), rows, cols=4, lead=("附件1",))


def _gpipc_enterprise(f: _Form) -> Layout:
    rows = _gpipc_head(f, "企业名称")
    rows.append([box("行业类别"), box(f.text("industry"), span=3)])
    rows += _gpipc_tail(f, "gpipc-enterprise-2024")
    rows.append([box("推荐单位"), box("（园区名称）", f.text("recommender")), box("联系人"),
                 box(f.text("recommender_contact"))])
    return _layout(("案例申报信息表",), rows + [_signed(f)], cols=4, lead=("附件1",))


def _cq_ict(f: _Form) -> Layout:
    return _layout(("重庆市信息通信行业赋能降碳典型应用案例申报表",), [
        [box("申报单位"), box(f.text("unit_name"))],
        [box("案例名称"), box(f.text("case_name"))],
        [box("应用场景"), box(*f.ticks(CHOICES["cq-ict-enabling"]))],
        [box("联系人"), box(f.text("contact_name"))],
        [box("联系电话"), box(f.text("contact_phone"))],
        [box("联系邮箱"), box(f.text("contact_email"))],
        [box("案例简介"), box(*f.long(PROMPTS["cq-ict-enabling"], "summary"))],
        [box("单位盖章"), box(seal=f.seal)],
    ], cols=2)


_LAYOUTS: dict[str, Callable[[_Form], Layout]] = {
    "ccea-green-2022": _ccea_green, "ccea-csr-2022": _ccea_csr, "mee-lowcarbon-2023": _mee,
    "gpipc-park-2024": _gpipc_park, "gpipc-enterprise-2024": _gpipc_enterprise,
    "cq-ict-enabling": _cq_ict,
}
FORM_CAMPAIGNS = tuple(_LAYOUTS)


def form_layout(campaign_id: str, values: Values, *, marks: Marks | None = None,
                seal: bool = True) -> Layout:
    """A campaign's form filled with `values`, as rows of boxes (see build_form)."""
    if campaign_id not in _LAYOUTS:
        raise ValueError(f"no form layout for campaign {campaign_id!r}")
    default = ("√", "") if campaign_id == "mee-lowcarbon-2023" else ("☑", "□")
    return _LAYOUTS[campaign_id](_Form(values, marks or default, seal))


def build_form(campaign_id: str, values: Values, *, marks: Marks | None = None,
               seal: bool = True) -> bytes:
    """A campaign's form (.docx) filled with `values`, keyed by campaigns.md's field keys.

    A key left out is a blank cell. A choice value is one option, a list of options (several
    marked) or empty (none marked); `marks` is the (checked, unchecked) glyph pair, by default
    ☑/□ (mee: √ before the chosen option, nothing before the others), or a function writing
    each option. `seal` pastes a red seal image into the form's seal cell. A few printed rows
    lie outside the vocabulary and take their own keys: recommender_date, recommender_address,
    recommender_contact_{name,title,phone,email} (ccea-green) and recommender_contact
    (gpipc-enterprise).
    """
    author = values.get("contact_name", "")
    return render_form(form_layout(campaign_id, values, marks=marks, seal=seal),
                       author=author if isinstance(author, str) else "")


def render_form(layout: Layout, author: str = "") -> bytes:
    """A Layout written by python-docx, as Word writes a filled form."""
    doc = new_document()
    for line in layout.lead:
        doc.add_paragraph(line)
    for title in layout.titles:
        add_title(doc, title)
    add_grid(doc, [list(row) for row in layout.rows], cols=layout.cols)
    for note in layout.notes:
        doc.add_paragraph(note)
    return save(doc, author=author)
