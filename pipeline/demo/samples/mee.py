"""Samples for 生态环境部 2023年绿色低碳典型案例 (002): a province's zipped 推荐材料."""
from __future__ import annotations

from pipeline.demo.samples.forms import build_form
from pipeline.demo.samples.media import photo, scan_pdf, zip_bytes
from pipeline.demo.samples.mime import at, mail, sample_id
from pipeline.demo.samples.texts import HUANG, MA_WJ, XIE, ZHOU, Person, filler

MEE = "mee-lowcarbon-2023"


def _form(case_name: str, unit: str, category: str, contact: Person, address: str,
          summary: int) -> bytes:
    return build_form(MEE, {
        "case_name": case_name, "unit_name": unit, "category": category,
        "contact_name": contact.name, "contact_phone": contact.mobile, "address": address,
        "summary": filler(summary, case_name), "recommender_opinion": "同意推荐。",
        "recommender_date": "2023年12月18日",
    })


def recommendation_zip(prefix: str, form: bytes, photos: dict[str, bytes]) -> bytes:
    """`<prefix>推荐材料.zip`: a folder holding the Word form, its sealed scan and the photos."""
    folder = f"{prefix}推荐材料/"
    members = {f"{folder}{prefix}推荐表.docx": form,
               f"{folder}{prefix}推荐表盖章扫描件.pdf": scan_pdf(seal=True, seed=prefix)}
    members.update({f"{folder}{prefix}照片（{caption}）.jpg": data for caption, data in photos.items()})
    return zip_bytes(members)


def complete(key: str) -> bytes:
    form = _form("光伏车棚与储能微电网示范", "浙江省示例绿能科技有限公司", "企业", MA_WJ,
                 "浙江省示例市示例区绿能路8号", 1200)
    photos = {caption: photo(300_000 + 20_000 * i, f"mee-{i}")
              for i, caption in enumerate(("光伏车棚", "储能电站", "能源管理平台"))}
    archive = recommendation_zip("浙江省示例", form, photos)
    body = ("生态环境部宣传教育中心：\n\n　　现报送我省2023年绿色低碳典型案例推荐材料（企业类），详见附件压缩包。\n\n"
            f"工作负责人：{ZHOU.name}\n联系电话：{ZHOU.mobile}\n邮箱：{ZHOU.email}\n\n"
            "浙江省生态环境厅应对气候变化处\n2023年12月20日")
    return mail("浙江省低碳发展典型案例申报材料", ZHOU.sender(), body,
                [("浙江省示例推荐材料.zip", archive)], date=at(2023, 12, 20, 10, 0),
                message_id=sample_id(key), subject_charset="gb18030", filename_style="rfc2047")


def deficient(key: str) -> bytes:
    """A free-form subject, no contact in the body, two photos instead of 3–5."""
    form = _form("零碳社区共建共享行动", "浙江省示例市碧水社区居民委员会", "社区", XIE,
                 "浙江省示例市示例区碧水路16号", 900)
    photos = {caption: photo(260_000, f"mee-community-{i}")
              for i, caption in enumerate(("屋顶光伏", "垃圾分类驿站"))}
    archive = recommendation_zip("浙江省示例社区", form, photos)
    body = "您好，附件是我省绿色低碳典型案例推荐材料，请查收。"
    return mail("关于报送低碳案例的函", HUANG.sender(), body,
                [("浙江省示例社区推荐材料.zip", archive)], date=at(2023, 12, 27, 15, 30),
                message_id=sample_id(key), subject_charset="utf-8", filename_style="rfc2231")
