"""Samples for 绿盟 2024 (004): park cases (附件1+附件2) and enterprise cases recommended by a park."""
from __future__ import annotations

from pipeline.demo.samples.forms import build_form
from pipeline.demo.samples.media import photo, photo_over
from pipeline.demo.samples.mime import at, mail, sample_id
from pipeline.demo.samples.texts import GAO, HE, LIU_Y, QIAN, WU, ZHANG, ZHENG, Person, filler
from pipeline.demo.samples.word import build_writeup

PARK, ENTERPRISE = "gpipc-park-2024", "gpipc-enterprise-2024"
ONE_MIB = 1_048_576


def _form(campaign_id: str, unit: str, contact: Person, case_name: str, summary: int,
          **changes: object) -> bytes:
    values = {"unit_name": unit, **contact.fields("contact"), "case_name": case_name,
              "summary": filler(summary, case_name), **changes}
    return build_form(campaign_id, values)


def _writeup(campaign_id: str, title: str, subtitle: str, seed: str) -> bytes:
    """附件2: sections in the middle of their 约 ranges (park 300–500, enterprise 200–300)."""
    first = 400 if campaign_id == PARK else 250
    sections = {"背景情况": filler(first, f"{seed}-1"), "特色经验": filler(900, f"{seed}-2"),
                "未来展望": filler(400, f"{seed}-3")}
    return build_writeup(campaign_id, title, subtitle, sections)


def big_photos(names: tuple[str, ...], seed: str) -> list[tuple[str, bytes]]:
    """高清（大于 1MB）photos: each strictly over 1 MiB, and not much more."""
    return [(name, photo_over(ONE_MIB, f"{seed}-{i}")) for i, name in enumerate(names)]


def park_complete(key: str) -> bytes:
    unit = "示例经济技术开发区管理委员会"
    form = _form(PARK, unit, ZHANG, "园区分布式光伏与智慧能源管理平台建设", 160,
                 category="绿色基础设施创新", fill_date="2024年4月8日")
    writeup = _writeup(PARK, "向阳而行：光伏点亮零碳园区", "示例经济技术开发区绿色发展创新案例", "park")
    files = [("附件1-案例征集申报表.docx", form), ("附件2-案例编辑模板.docx", writeup),
             *big_photos(("园区屋顶分布式光伏.jpg", "智慧能源管理中心.jpg", "污水处理厂提标改造.jpg"), "park")]
    body = ("绿盟秘书处：\n\n　　您好！现报送我区2024年度绿色发展创新案例申报材料，包括申报表、案例编辑模板及照片3张，"
            f"请查收。\n\n{ZHANG.name}\n{unit}生态环境局\n电话：{ZHANG.mobile}")
    return mail(f"【{unit}】绿盟案例征集", ZHANG.sender(), body, files, date=at(2024, 4, 8, 10, 15),
                message_id=sample_id(key), subject_charset="gb18030", filename_style="rfc2047")


PARK_SMALL_PHOTOS = ("产业园区全景.jpg", "节能环保产业孵化基地.jpg", "新能源汽车零部件产线.jpg")


def park_deficient(key: str) -> bytes:
    """Photos under 1 MB, a 260-字 summary, no write-up; subject in half-width brackets."""
    unit = "示例滨海经济技术开发区管理委员会"
    form = _form(PARK, unit, LIU_Y, "节能环保产业孵化基地培育绿色新动能", 260,
                 category="绿色产业发展创新", fill_date="2024年4月10日")
    photos = [(name, photo(380_000 + 40_000 * i, f"park-small-{i}"))
              for i, name in enumerate(PARK_SMALL_PHOTOS)]
    body = f"您好，附件是我区案例申报表和照片，请查收。\n{LIU_Y.name} {LIU_Y.landline}"
    return mail(f"[{unit}] 绿盟案例征集", LIU_Y.sender(), body, [("案例征集申报表.docx", form), *photos],
                date=at(2024, 4, 10, 17, 45), message_id=sample_id(key),
                subject_charset="gbk", filename_style="rfc2047")


def _enterprise(key: str, unit: str, contact: Person, case_name: str, park: str,
                park_contact: Person, filled: str, **changes: object) -> list[tuple[str, bytes]]:
    """The enterprise files: 案例申报信息表, 案例编写模板 and three photos over 1 MB."""
    values = {"industry": "计算机、通信和其他电子设备制造业", "category": "工厂节能降碳",
              "recommender": park, "recommender_contact": park_contact.name, "fill_date": filled,
              **changes}
    form = _form(ENTERPRISE, unit, contact, case_name, 175, **values)
    short = unit.removeprefix("示例市").removesuffix("有限公司")
    writeup = _writeup(ENTERPRISE, case_name, f"示例{short}企业绿色发展创新案例", key)
    names = ("生产车间.jpg", "屋顶光伏.jpg", "能源管理中心.jpg")
    return [("案例申报信息表.docx", form), ("案例编写模板.docx", writeup), *big_photos(names, key)]


def _enterprise_mail(key: str, unit: str, contact: Person, files: list[tuple[str, bytes]],
                     when: tuple[int, ...], **options: object) -> bytes:
    body = (f"绿盟秘书处：\n\n　　您好！{unit}报送2024年度绿色发展创新企业案例，申报信息表、案例编写模板和照片见附件。"
            f"\n\n{contact.name}\n{contact.mobile}")
    return mail(f"【{unit}】绿盟企业案例征集", contact.sender(), body, files, date=at(*when),
                message_id=sample_id(key), **options)  # type: ignore[arg-type]


def enterprise_complete(key: str) -> bytes:
    unit, when = "示例市绿色智能科技有限公司", (2024, 4, 11, 11, 20)
    files = _enterprise(key, unit, HE, "智能工厂空压站群控节能改造", "示例经济技术开发区", ZHANG,
                        "2024年4月11日")
    return _enterprise_mail(key, unit, HE, files, when, subject_charset="utf-8",
                            filename_style="rfc2231", html=True)


def enterprise_deficient(key: str) -> bytes:
    """No 申报主题 ticked, the contact e-mail left blank."""
    unit, when = "示例市恒远新材料有限公司", (2024, 4, 12, 9, 5)
    files = _enterprise(key, unit, WU, "废旧塑料再生造粒循环利用", "示例临港经济技术开发区", ZHENG,
                        "2024年4月12日", industry="橡胶和塑料制品业", category="", contact_email="")
    return _enterprise_mail(key, unit, WU, files, when, subject_charset="gb18030",
                            filename_style="rfc2231")


def enterprise_late(key: str) -> bytes:
    """Complete materials, received the morning after the deadline day."""
    unit, when = "示例市清源环保装备有限公司", (2024, 4, 16, 10, 0)
    files = _enterprise(key, unit, GAO, "焊接烟尘与边角料资源化综合治理", "示例南湖经济技术开发区",
                        QIAN, "2024年4月15日", industry="专用设备制造业", category="无废工厂建设")
    return _enterprise_mail(key, unit, GAO, files, when, subject_charset="gbk",
                            filename_style="rfc2047")
