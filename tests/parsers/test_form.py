"""Tests for parsers.form: fields found by label in WordContent, driven by the real profiles."""
import base64
import io
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from parsers.choices import UNREAD_BOX
from parsers.form import form_score, map_form
from parsers.model import Cell, Paragraph, WordContent
from parsers.specs import FormSpec
from parsers.word import read_word
from rules.profile import load_profile
from tests.parsers.test_choices import MARKS

CAMPAIGNS = Path(__file__).resolve().parents[2] / "rules" / "campaigns"
SEAL = Cell("", has_image=True)
# A 1×1 PNG, spelled out so that no binary fixture is committed.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def _spec(campaign: str) -> FormSpec:
    return load_profile(CAMPAIGNS / f"{campaign}.toml").form


def _row(*cells: str | Cell) -> tuple[Cell, ...]:
    return tuple(c if isinstance(c, Cell) else Cell(c) for c in cells)


def _wide(label: str, value: str, span: int = 3) -> tuple[Cell, ...]:
    """A label and a value cell merged across `span` grid columns, as read_word gives it."""
    merged = Cell(value)
    return (Cell(label),) + (merged,) * span


def _content(*tables, paragraphs: tuple[str, ...] = ()) -> WordContent:
    return WordContent(paragraphs=tuple(Paragraph(p) for p in paragraphs),
                       tables=tuple(tuple(table) for table in tables))


def _field(campaign: str, key: str, *rows, paragraphs: tuple[str, ...] = ()) -> object:
    return map_form(_content(list(rows), paragraphs=paragraphs), _spec(campaign))[key]


# ---- every field, every type ----------------------------------------------------------

@pytest.mark.parametrize("campaign", [p.stem for p in sorted(CAMPAIGNS.glob("*.toml"))])
def test_every_field_has_an_empty_value_of_its_type(campaign):
    spec = _spec(campaign)
    empty = {"number": None, "choice": (), "seal": False}
    assert map_form(_content(), spec) == {f.key: empty.get(f.type, "") for f in spec.fields}


# ---- the park form of notice 004 (4-column table) ---------------------------------------

def _park_form(summary: str) -> WordContent:
    return _content([
        _wide("单位名称", "示例经济技术开发区管委会"),
        _row("联系人", "张 三", "联系电话", "(022)6620 1234"),
        _wide("联系邮箱", " Zhang.San@Example.CN "),
        _wide("申报主题", "☑ 绿色基础设施创新 □ 绿色产业发展创新 □ 绿色投资环境创新 □ 绿色国际合作创新"),
        _wide("案例名称", "园区零碳能源站"),
        _wide("案例简介", summary),
        _row("填表日期", "2024年4月1日", "盖章(签字)", SEAL),
    ], paragraphs=("附件 1", "案例征集申报表"))


def test_park_form_fields():
    fields = map_form(_park_form("（200字以内， 简述突出亮点成效。）\n园区建成零碳能源站。"),
                      _spec("gpipc-park-2024"))
    assert fields == {
        "unit_name": "示例经济技术开发区管委会", "contact_name": "张 三",
        "contact_phone": "022-66201234", "contact_email": "zhang.san@example.cn",
        "category": ("绿色基础设施创新",), "case_name": "园区零碳能源站",
        "summary": "园区建成零碳能源站。", "fill_date": "2024-04-01", "seal": True,
    }


@pytest.mark.parametrize("summary", ["(200字以内, 简述突出亮点成效。)", "（200字以内，简述突出亮点成效。）", ""])
def test_prompt_only_cell_is_empty(summary):
    assert map_form(_park_form(summary), _spec("gpipc-park-2024"))["summary"] == ""


def test_applicant_text_before_the_prompt_is_kept():
    summary = "园区建成零碳能源站。（200字以内，简述突出亮点成效。）"
    assert map_form(_park_form(summary), _spec("gpipc-park-2024"))["summary"] == "园区建成零碳能源站。"


# ---- the enterprise form: a second 联系人 for the park ----------------------------------

def _enterprise_form(contact: str) -> list:
    return [
        _wide("企业名称", "示例制造有限公司"),
        _row("联系人", contact, "联系电话", "13800000000"),
        _row("推荐单位", "(园区名称) 示例经开区", "联系人", "园区李四"),
        _row("填表日期", "", "盖章(签字)", ""),
    ]


@pytest.mark.parametrize("contact, expected", [("王五", "王五"), ("", "")])
def test_enterprise_contact_is_the_first_contact_label(contact, expected):
    assert _field("gpipc-enterprise-2024", "contact_name", *_enterprise_form(contact)) == expected


def test_recommender_prompt_is_removed():
    assert _field("gpipc-enterprise-2024", "recommender", *_enterprise_form("王五")) == "示例经开区"


def test_enterprise_form_without_seal_image():
    assert _field("gpipc-enterprise-2024", "seal", *_enterprise_form("王五")) is False


# ---- the ccea-green form: grid of people, numbers, merged labels -------------------------

def _green_form(contact_row: tuple[str, ...]) -> list:
    category = Cell("案例类别")
    return [
        _wide("申报企业全称", "示例通信股份有限公司", 4),
        _row(category, "□节能降耗增效", "", "", ""),
        _row(category, "☑绿色低碳技术的创新与推广应用", "", "", ""),
        _row(category, "□资源循环利用", "", "", ""),
        _row("企业规模", "2021 年企业营业收入 268500 万元", "", "2021年企业总资产", "1,200.5万元"),
        _wide("企业属性", "■国有或国有控股企业 □民营企业\n☑中外合资企业\n□其他", 4),
        _row("", "姓名", "职务", "电话", "电子邮箱"),
        _row("企业负责人", "赵一", "董事长", "010 8888 0000", "ZHAO@example.com"),
        _row("工作联系人", *contact_row),
        _wide("推荐单位意见", "（如有）  推荐单位盖章\n年  月  日", 4),
        _row("推荐单位联系人", "姓名", "职务", "电话", "电子邮箱"),
        _row("", "钱二", "秘书长", "13900000000", "qian@example.org"),
        _row(Cell("案例简介（简要概述企业案例实施的时间和基本内容，突出采取的措施、方式、特点及取得的"
                  "成效。字数在800 字以内。）"), "案例简介正文", "", "", ""),
    ]


def test_green_grid_rows_and_columns():
    fields = map_form(_content(_green_form(("孙三", "主任", "138 0000 0000", "sun@example.com"))),
                      _spec("ccea-green-2022"))
    assert {k: v for k, v in fields.items() if k.startswith(("leader_", "contact_"))} == {
        "leader_name": "赵一", "leader_title": "董事长", "leader_phone": "010-88880000",
        "leader_email": "zhao@example.com", "contact_name": "孙三", "contact_title": "主任",
        "contact_phone": "13800000000", "contact_email": "sun@example.com"}


def test_green_recommender_contact_is_never_the_work_contact():
    fields = map_form(_content(_green_form(("", "", "", ""))), _spec("ccea-green-2022"))
    assert [fields[f"contact_{k}"] for k in ("name", "title", "phone", "email")] == ["", "", "", ""]


def test_green_numbers_choices_and_prompted_label_cell():
    fields = map_form(_content(_green_form(("孙三", "", "", ""))), _spec("ccea-green-2022"))
    assert fields["revenue_wan"] == 268500.0
    assert fields["assets_wan"] == 1200.5
    assert fields["category"] == ("绿色低碳技术的创新与推广应用",)
    assert fields["ownership"] == ("国有或国有控股企业", "中外合资企业")
    assert fields["summary"] == "案例简介正文"
    assert fields["recommender_opinion"] == ""
    assert fields["unit_name"] == "示例通信股份有限公司"


# ---- the CSR form: label-less theme row and content cell -------------------------------

def _csr_form(themes: tuple[str, str, str], content: str) -> list:
    return [
        _row(*themes),
        _wide("申报单位", "示例移动分公司"),
        _row("联系人", "周六", "职务", "经理"),
        _row("联系电话", "0571-8765 4321", "邮箱", "zhou@example.com"),
        _wide("案例名称", "数字乡村"),
        (Cell(content),) * 4,
        (Cell("本单位承诺：所申报案例文字材料及图片均真实有效。\n单位盖章：（公章）\n日 期：2022年9月1日"),) * 4,
    ]


CSR_PROMPT = "（500 字以内，包括事件背景、发生时间、地点、具体参与人员、所做具体事迹、案例效果等）"


def test_csr_label_less_fields():
    fields = map_form(_content(_csr_form(("□助力乡村振兴", "☑消除数字鸿沟", "□绿色低碳发展"),
                                         CSR_PROMPT + "\n为老年人开设专席。")), _spec("ccea-csr-2022"))
    assert fields == {
        "category": ("消除数字鸿沟",), "unit_name": "示例移动分公司", "contact_name": "周六",
        "contact_title": "经理", "contact_phone": "0571-87654321",
        "contact_email": "zhou@example.com", "case_name": "数字乡村",
        "summary": "为老年人开设专席。", "seal": False, "fill_date": "2022-09-01"}


def test_csr_theme_line_as_a_paragraph():
    content = _content(_csr_form(("", "", ""), CSR_PROMPT),
                       paragraphs=("履责实践案例申报表", "助力乡村振兴 √消除数字鸿沟 绿色低碳发展"))
    assert map_form(content, _spec("ccea-csr-2022"))["category"] == ("消除数字鸿沟",)


def test_csr_prompt_only_content_cell_is_empty():
    content = _content(_csr_form(("□助力乡村振兴", "□消除数字鸿沟", "□绿色低碳发展"), CSR_PROMPT))
    fields = map_form(content, _spec("ccea-csr-2022"))
    assert (fields["summary"], fields["category"]) == ("", ())


# ---- labels: prefixes, longer labels, values in the label cell --------------------------

def test_longer_label_of_the_same_field_matches_exactly():
    assert _field("mee-lowcarbon-2023", "unit_name", _row("申报单位（个人）", "示例社区")) == "示例社区"


@pytest.mark.parametrize("campaign, key, cell, expected", [
    ("mee-lowcarbon-2023", "recommender_opinion", "推荐单位意见：同意推荐。\n（单位公章）\n年   月   日",
     "同意推荐。"),
    ("mee-lowcarbon-2023", "recommender_opinion", "推荐单位意见：\n\n（单位公章）\n年   月   日", ""),
    ("ccea-csr-2022", "fill_date", "日 期：2022年9月1日", "2022-09-01"),
    ("ccea-csr-2022", "fill_date", "日 期：    年   月   日", ""),
    ("ccea-csr-2022", "contact_name", "联系人：周六", "周六"),
    ("ccea-green-2022", "revenue_wan", "2021 年企业营业收入 268500 万元", 268500.0),
    ("ccea-green-2022", "revenue_wan", "2021 年企业营业收入       万元", None),
    ("ccea-green-2022", "revenue_wan", "2021年企业营业收入：1.2亿元", 12000.0),
    ("ccea-green-2022", "assets_wan", "2021 年企业总资产 3,000,000 元", 300.0),
    ("ccea-csr-2022", "fill_date", "日 期：二〇二二年九月一日（星期四）", "2022-09-01"),
    ("ccea-csr-2022", "fill_date", "日 期：九月初", "九月初"),
])
def test_value_after_the_label_in_the_same_cell(campaign, key, cell, expected):
    assert _field(campaign, key, _row(cell)) == expected


def test_compound_label_is_not_a_prefix_match():
    rows = [_row("联系人职务", "经理")]
    assert _field("ccea-csr-2022", "contact_name", *rows) == ""


def test_exact_label_wins_over_an_earlier_prefix():
    rows = [_row("联系人：", "周六"), _row("联系人电话", "13800000000")]
    assert _field("gpipc-park-2024", "contact_name", *rows) == "周六"


def test_label_with_spaces_and_colon():
    assert _field("mee-lowcarbon-2023", "contact_phone", _row("手    机：", "139 0000 0000")) \
        == "13900000000"


def test_vertical_layout_takes_the_cell_below():
    assert _field("gpipc-park-2024", "case_name", _row("案例名称"), _row("绿色工厂")) == "绿色工厂"


def test_right_neighbour_that_is_another_label_is_not_a_value():
    assert _field("gpipc-park-2024", "contact_name", _row("联系人", "联系电话", "13800000000")) == ""


def test_labelled_line_in_a_body_paragraph():
    assert _field("ccea-green-2022", "unit_name",
                  paragraphs=("申 请 单 位 ：示例科技有限公司（盖章）",)) == "示例科技有限公司"


# ---- checkbox reading ------------------------------------------------------------------

@pytest.mark.parametrize("options, expected", MARKS)
def test_choice_marks(options, expected):
    assert _field("mee-lowcarbon-2023", "category",
                  _row("类别（在所属类别打√）", options)) == expected


def test_longer_option_hides_the_shorter_inside_it():
    rows = [_row("企业属性", "□国有或国有控股企业 ☑民营企业 □中外合资企业 □其他")]
    assert _field("ccea-green-2022", "ownership", *rows) == ("民营企业",)


def test_options_in_the_cell_below_the_label():
    rows = [_row("申报主题"), _row("□绿色供应链建设 ☑工厂节能降碳 □无废工厂建设 □零碳工厂建设")]
    assert _field("gpipc-enterprise-2024", "category", *rows) == ("工厂节能降碳",)


# ---- seals -----------------------------------------------------------------------------

@pytest.mark.parametrize("row, expected", [
    (_row(Cell("盖章(签字)", has_image=True), ""), True),
    (_row("盖章(签字)", SEAL), True),
    (_row("盖章(签字)", "", SEAL), True),
    (_row("盖章(签字)", ""), False),
    (_row("填表日期", SEAL), False),
])
def test_seal(row, expected):
    assert _field("gpipc-park-2024", "seal", row) is expected


# ---- through read_word: each checkbox encoding -------------------------------------------

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')
ENTERPRISE_THEMES = ["绿色供应链建设", "工厂节能降碳", "无废工厂建设", "零碳工厂建设"]


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_paragraph(cell, inner_xml: str) -> None:
    """Replace the cell's paragraph by raw paragraph content (runs, fields, controls)."""
    old = cell.paragraphs[0]._p
    old.addnext(parse_xml(f"<w:p {NS}>{inner_xml}</w:p>"))
    old.getparent().remove(old)


def _themes_docx(checked: str, unchecked: str) -> bytes:
    """An enterprise form row whose second theme is marked with `checked`."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "申报主题"
    marks = [unchecked, checked, unchecked, unchecked]
    _set_paragraph(table.cell(0, 1), "".join(
        f'{mark}<w:r><w:t xml:space="preserve">{theme} </w:t></w:r>'
        for mark, theme in zip(marks, ENTERPRISE_THEMES)))
    return _docx_bytes(document)


def _sym(font: str, char: str) -> str:
    return f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>'


def _form_checkbox(state: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/>'
            f'<w:default w:val="{state}"/></w:checkBox></w:ffData></w:fldChar></w:r>'
            '<w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _content_control(state: str) -> str:
    glyph = "☒" if state == "1" else "☐"
    return (f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{state}"/></w14:checkbox>'
            f'</w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>')


@pytest.mark.parametrize("checked, unchecked", [
    ("<w:r><w:t>☑</w:t></w:r>", "<w:r><w:t>□</w:t></w:r>"),
    ("<w:r><w:t>■</w:t></w:r>", "<w:r><w:t>☐</w:t></w:r>"),
    (_sym("Wingdings", "F0FE"), _sym("Wingdings", "F0A8")),
    (_sym("Wingdings 2", "F052"), _sym("Wingdings 2", "F0A3")),
    (_form_checkbox("1"), _form_checkbox("0")),
    (_content_control("1"), _content_control("0")),
])
def test_checkbox_encodings_through_read_word(checked, unchecked):
    fields = map_form(read_word(_themes_docx(checked, unchecked)), _spec("gpipc-enterprise-2024"))
    assert fields["category"] == ("工厂节能降碳",)


def test_enterprise_form_docx_with_merged_cells_and_seal():
    """GIVEN the enterprise form of notice 004 filled in Word, merged cells and a seal picture
    WHEN it is read and mapped THEN every field comes from its own cell."""
    document = docx.Document()
    table = document.add_table(rows=6, cols=4)
    for r, (label, value) in enumerate([("企业名称", "示例制造有限公司"), ("行业类别", "制造业")]):
        table.cell(r, 0).text = label
        table.cell(r, 1).merge(table.cell(r, 3)).text = value
    for c, text in enumerate(["联系人", "王五", "联系电话", "138 0000 0000"]):
        table.cell(2, c).text = text
    for c, text in enumerate(["推荐单位", "（园区名称）示例经开区", "联系人", "李四"]):
        table.cell(3, c).text = text
    table.cell(4, 0).text = "案例简介"
    table.cell(4, 1).merge(table.cell(4, 3)).text = "（200字以内，简述突出亮点成效。）\n建成零碳工厂。"
    for c, text in enumerate(["填表日期", "2024年4月10日", "盖章(签字)"]):
        table.cell(5, c).text = text
    table.cell(5, 3).paragraphs[0].add_run().add_picture(io.BytesIO(PNG))
    fields = map_form(read_word(_docx_bytes(document)), _spec("gpipc-enterprise-2024"))
    assert {k: fields[k] for k in ("unit_name", "industry", "contact_name", "contact_phone",
                                   "recommender", "summary", "fill_date", "seal")} == {
        "unit_name": "示例制造有限公司", "industry": "制造业", "contact_name": "王五",
        "contact_phone": "13800000000", "recommender": "示例经开区", "summary": "建成零碳工厂。",
        "fill_date": "2024-04-10", "seal": True}


# ---- which form is this ----------------------------------------------------------------

def test_form_score_prefers_the_matching_campaign():
    green = _content(_green_form(("孙三", "", "", "")),
                     paragraphs=("2022信息通信行业绿色低碳发展优秀实践案例", "申 报 表"))
    scores = {c: form_score(green, _spec(c)) for c in ("ccea-green-2022", "gpipc-park-2024")}
    assert scores["ccea-green-2022"] > scores["gpipc-park-2024"]


def test_form_score_counts_labels_and_titles():
    content = _content([_row("案例名称", ""), _row("联系人", "")], paragraphs=("案例征集申报表",))
    assert form_score(content, _spec("gpipc-park-2024")) == 2 + 5


# ---- forms as applicants make them (issue 18) -------------------------------------------

def _read(campaign: str, *rows, paragraphs: tuple[str, ...] = ()):
    from parsers.form import read_form
    return read_form(_content(list(rows), paragraphs=paragraphs), _spec(campaign))


def test_traditional_and_spaced_labels_are_the_notice_s_labels():
    fields = map_form(_content([
        _row("單位名稱：示例公司", "聯 繫 人：张三"),
        _row("聯繫電話：13800138000", "聯繫郵箱：a@example.cn"),
    ]), _spec("gpipc-park-2024"))
    assert (fields["unit_name"], fields["contact_name"]) == ("示例公司", "张三")
    assert (fields["contact_phone"], fields["contact_email"]) == ("13800138000", "a@example.cn")


def test_a_blank_retyped_answer_never_takes_the_next_field_s_cell():
    """"联系电话：" left blank: the cell after it is the e-mail's, "邮箱：…", not the phone."""
    fields = map_form(_content([
        _row("联系电话：", "联系邮箱：a@example.cn"),
        _row("案例名称：", "案例简介（200字以内）：\n园区建成零碳能源站。"),
    ]), _spec("gpipc-park-2024"))
    assert (fields["contact_phone"], fields["case_name"]) == ("", "")
    assert fields["contact_email"] == "a@example.cn"
    assert fields["summary"] == "园区建成零碳能源站。"


def test_a_value_cell_that_repeats_its_label_is_the_value():
    assert _field("gpipc-park-2024", "fill_date",
                  _row("填表日期", "填表日期：2024年4月8日", "盖章(签字)", SEAL)) == "2024-04-08"


def test_an_opinion_is_read_without_the_date_it_was_signed_on():
    cell = Cell("推荐单位意见：同意推荐。\n（单位公章）\n2023年12月18日")
    assert _field("mee-lowcarbon-2023", "recommender_opinion", (cell,) * 4) == "同意推荐。"


def test_a_single_option_kept_alone_is_the_unlabelled_theme():
    assert _field("ccea-csr-2022", "category", _wide("", "消除数字鸿沟", 4),
                  _wide("申报单位", "示例公司")) == ("消除数字鸿沟",)


def test_an_amount_with_no_number_is_unreadable_not_missing():
    reading = _read("ccea-green-2022", _wide("企业规模", "2021 年企业营业收入 约贰拾亿 万元", 4))
    assert reading.values["revenue_wan"] is None
    assert reading.unreadable["revenue_wan"] == "所填为“约贰拾亿 万元”"


def test_a_date_that_is_no_date_is_unreadable_but_a_blank_is_not():
    unreadable = _read("gpipc-park-2024", _row("填表日期", "四月上旬", "盖章(签字)", SEAL)).unreadable
    assert unreadable == {"fill_date": "所填为“四月上旬”"}
    assert _read("gpipc-park-2024", _row("填表日期", "", "盖章(签字)", SEAL)).unreadable == {}
    assert _read("gpipc-park-2024", _row("填表日期", "无", "盖章(签字)", SEAL)).unreadable == {}


def test_a_mark_that_belongs_to_no_option_is_unreadable():
    reading = _read("gpipc-park-2024", _wide("申报主题", "☑ 见附件说明 □绿色基础设施创新 □绿色产业发展创新"))
    assert reading.values["category"] == ()
    assert "category" in reading.unreadable


@pytest.mark.parametrize("options", [
    f"{UNREAD_BOX}绿色基础设施创新 {UNREAD_BOX}绿色产业发展创新",
    # One box unread, the other empty: the unread one may be the choice.
    f"{UNREAD_BOX}绿色基础设施创新 □绿色产业发展创新",
])
def test_a_box_that_could_not_be_read_is_unreadable_not_unchosen(options):
    """A .doc's checkbox the conversion does not line up with (parsers/doctext.py)."""
    reading = _read("gpipc-park-2024", _wide("申报主题", options))
    assert reading.values["category"] == ()
    assert reading.unreadable["category"] == f"所填为“{options.replace(UNREAD_BOX, '')}”"


def test_labels_glued_by_a_conversion_are_unreadable_not_missing():
    """No table left, the labels and answers run together: nothing is claimed missing."""
    reading = _read("gpipc-park-2024", paragraphs=(
        "案例征集申报表", "单位名称示例公司联系人张三联系电话13800138000案例名称园区光伏"))
    assert {"unit_name", "contact_name", "case_name"} <= set(reading.unreadable)
    assert reading.unreadable["unit_name"] == "申报表的表格结构未能识别，无法确定这一项所填的内容"
