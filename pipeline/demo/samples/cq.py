"""Samples for the config-only campaign cq-ict-enabling (重庆 赋能降碳典型应用案例, from 003)."""
from __future__ import annotations

from pipeline.demo.samples.forms import build_form
from pipeline.demo.samples.media import garbage, photo
from pipeline.demo.samples.mime import at, mail, sample_id
from pipeline.demo.samples.texts import LIN, MA_X, Person, filler

CQ = "cq-ict-enabling"
BROKEN_NAME = "补充说明.docx"


def _form(unit: str, case_name: str, category: str, contact: Person, summary: int) -> bytes:
    return build_form(CQ, {
        "unit_name": unit, "case_name": case_name, "category": category,
        "contact_name": contact.name, "contact_phone": contact.landline,
        "contact_email": contact.email, "summary": filler(summary, case_name),
    })


def _mail(key: str, unit: str, contact: Person, files: list[tuple[str, bytes]],
          when: tuple[int, ...], **options: object) -> bytes:
    body = f"您好！\n\n　　{unit}申报赋能降碳典型应用案例，材料见附件。\n\n{contact.name} {contact.landline}"
    return mail(f"【{unit}】赋能降碳典型案例", contact.sender(), body, files, date=at(*when),
                message_id=sample_id(key), **options)  # type: ignore[arg-type]


def complete(key: str) -> bytes:
    unit = "重庆示例数智科技有限公司"
    form = _form(unit, "工业互联网平台赋能钢铁企业能效提升", "产业绿色低碳转型", MA_X, 700)
    files = [("赋能降碳典型应用案例申报表.docx", form), ("能效监测平台.jpg", photo(250_000, "cq-1")),
             ("智能工厂现场.jpg", photo(230_000, "cq-2"))]
    return _mail(key, unit, MA_X, files, (2026, 6, 10, 10, 30), subject_charset="gb18030",
                 filename_style="rfc2231")


def deficient(key: str) -> bytes:
    """A 1150-字 summary, and a '.docx' whose bytes are not a zip at all."""
    unit = "重庆示例云链信息技术有限公司"
    form = _form(unit, "智慧路灯与城市照明节能管理平台", "城乡绿色智慧发展", LIN, 1150)
    files = [("赋能降碳典型应用案例申报表.docx", form), (BROKEN_NAME, garbage(24_000, key)),
             ("智慧路灯.jpg", photo(240_000, "cq-3"))]
    return _mail(key, unit, LIN, files, (2026, 6, 18, 15, 0), subject_charset="utf-8",
                 filename_style="rfc2047")
