"""Samples for the two 中国通信企业协会 campaigns: 绿色低碳优秀实践案例 (000) and 履责实践案例 (001)."""
from __future__ import annotations

from pipeline.demo.samples.forms import build_form
from pipeline.demo.samples.media import photo, proof_pdf
from pipeline.demo.samples.mime import at, mail, sample_id
from pipeline.demo.samples.texts import CHEN, GUO, LI, LIU_JJ, SUN, WANG, XU, Person, filler
from pipeline.demo.samples.word import build_writeup

GREEN, CSR = "ccea-green-2022", "ccea-csr-2022"


def _green_form(unit: str, case_name: str, contact: Person, leader: Person, summary: int,
                **changes: str) -> bytes:
    values = {
        "unit_name": unit, "industry": "信息传输、软件和信息技术服务业", "case_name": case_name,
        "category": "节能降耗增效", "period": "2020年3月至2022年3月", "revenue_wan": "268500",
        "assets_wan": "415200", "ownership": "民营企业",
        **leader.fields("leader", landline=True), **contact.fields("contact"),
        "recommender_opinion": "同意推荐。", "recommender_date": "2022年5月6日",
        "recommender_address": "示例省示例市示例区通信路1号", **XU.fields("recommender_contact"),
        "summary": filler(summary, case_name), "awards": "荣获示例省节能减排优秀项目奖，取得相关实用新型专利两项。",
    }
    return build_form(GREEN, {**values, **changes})


def _green_report(unit: str, case_name: str) -> bytes:
    """案例报告: 企业概况 ~500, 主要措施 3000–4000, 实施效果 ≤1000 字, all well inside."""
    sections = {"企业概况": filler(500, f"{unit}-1"), "主要措施": filler(3400, f"{unit}-2"),
                "实施效果": filler(800, f"{unit}-3")}
    return build_writeup(GREEN, case_name, unit, sections)


def green_complete(key: str) -> bytes:
    unit, case_name = "示例市远航信息技术有限公司", "通信机房液冷改造与余热回收节能实践"
    files = [
        ("2022绿色低碳发展优秀实践案例申报表.docx", _green_form(unit, case_name, WANG, LIU_JJ, 600)),
        (f"案例报告-{case_name}.docx", _green_report(unit, case_name)),
        ("营业执照（复印件）.pdf", proof_pdf("营业执照")),
        ("节能检测报告.pdf", proof_pdf("节能检测报告")),
        ("用户使用报告.pdf", proof_pdf("用户使用报告")),
    ]
    body = ("中国通信企业协会：\n\n　　我公司申报2022信息通信行业绿色低碳发展优秀实践案例，申报表、案例报告及证明材料"
            f"见附件，纸质版已快递。\n\n联系人：{WANG.name} {WANG.mobile}\n{unit}\n2022年5月9日")
    return mail(f"2022信息通信行业绿色低碳发展优秀实践案例申报材料（{unit}）", WANG.sender(), body,
                files, date=at(2022, 5, 9, 9, 30), message_id=sample_id(key),
                subject_charset="gb18030", filename_style="rfc2047",
                headers={"X-Mailer": "Foxmail 7.2.25.228[cn]"})


def green_deficient(key: str) -> bytes:
    """Summary of 900 字, '5G…AI' in the case name, no proof document at all."""
    unit, case_name = "示例市星河通信设备有限公司", "5G基站AI智能关断节能实践"
    form = _green_form(unit, case_name, LI, GUO, 900, category="绿色低碳技术的创新与推广应用",
                       ownership="国有或国有控股企业")
    files = [("申报表.docx", form), ("案例报告.docx", _green_report(unit, case_name))]
    body = f"您好！\n附件是我公司的绿色低碳发展优秀实践案例申报表和案例报告，请查收。\n\n{LI.name}\n{unit}"
    return mail(f"绿色低碳发展优秀实践案例申报-{unit}", LI.sender(), body, files,
                date=at(2022, 5, 12, 16, 20), message_id=sample_id(key),
                subject_charset="utf-8", filename_style="rfc2231", html=True)


def _csr_form(unit: str, contact: Person, case_name: str, summary: int, fill_date: str,
              **changes: object) -> bytes:
    values = {"category": "绿色低碳发展", "unit_name": unit, **contact.fields("contact"),
              "case_name": case_name, "summary": filler(summary, case_name), "fill_date": fill_date}
    return build_form(CSR, {**values, **changes})


def csr_complete(key: str) -> bytes:
    unit, case_name = "示例市通达网络服务有限公司", "通信基站光储一体化节能改造"
    files = [
        (f"履责实践案例申报表（{unit}）.docx", _csr_form(unit, CHEN, case_name, 420, "2022年9月20日")),
        ("基站光伏板安装现场.jpg", photo(180_000, "csr-1")),
        ("光储一体化机柜.jpg", photo(160_000, "csr-2")),
    ]
    body = (f"社会责任工作委员会秘书处：\n\n　　报送我公司典型履责实践案例一项，申报表已盖章，另附现场图片两张。\n\n"
            f"{CHEN.name}　{CHEN.mobile}\n{unit}")
    return mail(f"典型履责实践案例申报—{unit}", CHEN.sender(), body, files,
                date=at(2022, 9, 21, 10, 5), message_id=sample_id(key),
                subject_charset="gb18030", filename_style="rfc2231")


def csr_deficient(key: str) -> bytes:
    """Two themes ticked, the contact phone left blank."""
    unit, case_name = "示例市云帆信息科技有限公司", "乡村老年人智能手机培训志愿服务"
    form = _csr_form(unit, SUN, case_name, 380, "2022年10月17日",
                     category=("助力乡村振兴", "消除数字鸿沟"), contact_phone="")
    files = [("履责实践案例申报表.docx", form), ("培训现场.jpg", photo(150_000, "csr-3"))]
    body = f"老师您好，附件为我单位履责实践案例申报材料，请审阅。\n{SUN.name}\n{unit}"
    return mail(f"报送履责实践案例：{case_name}", SUN.sender(), body, files,
                date=at(2022, 10, 18, 14, 40), message_id=sample_id(key),
                subject_charset="gbk", filename_style="rfc2047")
