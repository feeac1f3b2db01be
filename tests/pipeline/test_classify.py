"""Subjects as people really type them, and mail no person wrote."""
from __future__ import annotations

import pytest

from parsers.types import ParsedMail
from pipeline.classify import automatic_kind, match_keywords, match_subject, normalise_subject


@pytest.mark.parametrize("subject, campaign, unit", [
    ("【示例开发区】绿盟案例征集", "gpipc-park-2024", "示例开发区"),
    ("[ 示例开发区 ]绿盟案例征集", "gpipc-park-2024", "示例开发区"),
    ("回复: RE: 【示例开发区】绿盟案例征集-补充材料", "gpipc-park-2024", "示例开发区"),
    ("【示例公司】绿盟企业案例征集", "gpipc-enterprise-2024", "示例公司"),
    ("转发：【需补正】【示例公司】绿盟企业案例征集（受理编号：GPIPC-2024-E-0001）",
     "gpipc-enterprise-2024", "示例公司"),
    ("浙江省低碳发展典型案例申报材料", "mee-lowcarbon-2023", "浙江省"),
    ("新疆生产建设兵团低碳发展典型案例申报材料", "mee-lowcarbon-2023", "新疆生产建设兵团"),
    ("报送绿色低碳发展优秀实践案例", "ccea-green-2022", None),
    ("典型履责实践案例申报", "ccea-csr-2022", None),
    ("请问截止时间", None, None),
])
def test_subjects(profiles, subject, campaign, unit):
    found = match_subject(subject, profiles)
    if found.campaign is None:
        found = match_keywords(subject, profiles)
    assert (found.campaign, found.unit) == (campaign, unit)


def test_full_width_is_normalised():
    assert normalise_subject("Ｆｗ：【Ａ】绿盟案例征集") == "【A】绿盟案例征集"


def mail(headers: dict[str, str], subject: str = "x", sender: str = "a@example.com",
         content_type: str = "text/plain", return_path: str | None = None) -> ParsedMail:
    return ParsedMail("<m@x>", subject, sender, "", ("cases@example.org",), return_path, None,
                      None, "", "", "", (), headers, (), content_type)


@pytest.mark.parametrize("message, kind", [
    (mail({"auto-submitted": "auto-replied"}), "auto_reply"),
    (mail({"auto-submitted": "No (comment)"}), None),
    (mail({}, subject="自动回复：我正在休假"), "auto_reply"),
    (mail({"x-autoreply": "yes"}), "auto_reply"),
    (mail({}, sender="MAILER-DAEMON@example.com"), "bounce"),
    (mail({"content-type": "multipart/report; report-type=delivery-status"},
          content_type="multipart/report"), "bounce"),
    (mail({"content-type": "multipart/report; report-type=disposition-notification"},
          content_type="multipart/report"), "receipt"),
    (mail({}, return_path=""), "bounce"),
    (mail({}), None),
])
def test_automatic_mail(message, kind):
    assert automatic_kind(message) == kind
