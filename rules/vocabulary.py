"""The shared words of campaigns.md: field keys, document kinds, rule ids, severities, verdicts."""
from __future__ import annotations

FIELD_KEYS = frozenset({
    "unit_name", "industry", "case_name", "category", "period", "revenue_wan", "assets_wan",
    "ownership", "leader_name", "leader_title", "leader_phone", "leader_email",
    "contact_name", "contact_title", "contact_phone", "contact_email", "address",
    "recommender", "recommender_opinion", "summary", "awards", "fill_date", "seal",
    "body_contact_name", "body_contact_phone", "body_contact_email", "title", "subtitle",
})

DOCUMENT_KINDS = ("form", "writeup", "form_scan", "photo", "video", "proof", "archive", "other")

SEVERITIES = ("error", "warning")

# campaigns.md's rule ids, in the order the registry runs them (rules/registry.py checks that each
# rule module under rules/checks/ declares one of these, in this order).
RULE_IDS = (
    "subject_format", "attachment_missing", "attachment_unreadable", "filename_format", "field_missing",
    "choice_invalid", "length_exceeded", "length_out_of_range", "photo_count", "video_count",
    "photo_too_small", "photo_too_large", "video_too_long", "body_contact_missing", "case_name_has_unit",
    "case_name_has_abbrev", "seal_missing", "unit_mismatch", "deadline_passed", "quota_exceeded",
    "large_attachment_link", "field_unreadable",
)

# What the rules and the pipeline decide; "rejected" is only ever a person's (`intake reject`);
# "other_sender" is a mail's, held because it would change another applicant's submission;
# "unauthenticated" one its receiving server found forged (SPF/DKIM/DMARC fail), held too.
RULE_VERDICTS = ("complete", "deficient", "late", "not_submission", "duplicate")
HELD_VERDICTS = ("other_sender", "unauthenticated")
VERDICTS = (*RULE_VERDICTS, "rejected", *HELD_VERDICTS)
# How the secretariat reads each verdict (汇总表, digest, CLI).
VERDICT_NAMES = {"complete": "已受理", "deficient": "需补正", "late": "逾期",
                 "duplicate": "重复", "not_submission": "非申报", "rejected": "不予受理",
                 "other_sender": "待核实", "unauthenticated": "待核实发件人"}

# How the applicant reads each kind in a reply.
KIND_NAMES = {
    "form": "申报表", "writeup": "案例报告/编写模板", "form_scan": "盖章扫描件", "photo": "照片",
    "video": "视频", "proof": "证明材料", "archive": "压缩包", "other": "其他文件",
}

FIELD_NAMES = {
    "unit_name": "单位名称", "industry": "所属行业", "case_name": "案例名称", "category": "案例类别",
    "period": "案例实施周期", "revenue_wan": "营业收入（万元）", "assets_wan": "总资产（万元）",
    "ownership": "企业属性", "leader_name": "企业负责人姓名", "leader_title": "企业负责人职务",
    "leader_phone": "企业负责人电话", "leader_email": "企业负责人电子邮箱",
    "contact_name": "联系人", "contact_title": "联系人职务", "contact_phone": "联系电话",
    "contact_email": "联系邮箱", "address": "地址", "recommender": "推荐单位",
    "recommender_opinion": "推荐单位意见", "summary": "案例简介", "awards": "所获奖项或证书",
    "fill_date": "填表日期", "seal": "盖章", "body_contact_name": "邮件正文中的工作负责人姓名",
    "body_contact_phone": "邮件正文中的联系电话", "body_contact_email": "邮件正文中的邮箱",
    "title": "主标题", "subtitle": "副标题",
}


def is_field_key(key: str) -> bool:
    """A key of campaigns.md, or a write-up section written `section:<name>`."""
    return key in FIELD_KEYS or (key.startswith("section:") and len(key) > len("section:"))


def field_name(key: str) -> str:
    """The Chinese name of a field key, for messages to applicants."""
    if key.startswith("section:"):
        return f"“{key.removeprefix('section:')}”部分"
    return FIELD_NAMES.get(key, key)
