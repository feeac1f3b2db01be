"""A campaign profile told in Chinese, for the secretariat to confirm against its notice."""
from __future__ import annotations

from rules.common import chinese_date
from rules.profile import Profile
from rules.vocabulary import KIND_NAMES, field_name


def _documents(profile: Profile) -> list[str]:
    lines = []
    for spec in profile.documents:
        count = f"{spec.min}–{spec.max}个" if spec.max is not None else f"至少{spec.min}个"
        if spec.min == 0:
            count = f"可选，最多{spec.max}个" if spec.max is not None else "可选"
        extra = []
        if spec.formats:
            extra.append("格式：" + "/".join(spec.formats))
        if spec.min_bytes:
            extra.append(f"每个大于{(spec.min_bytes - 1) / 1048576:.0f}MB")
        if spec.max_bytes:
            extra.append(f"每个不超过{spec.max_bytes / 1048576:.0f}MB")
        if spec.max_seconds:
            extra.append(f"每个不超过{spec.max_seconds / 60:.0f}分钟")
        if spec.name_example:
            extra.append(f"命名示例：{spec.name_example}")
        if spec.severity == "warning":
            extra.append("缺少时仅提醒")
        lines.append(f"  · {KIND_NAMES[spec.kind]}：{count}" + (f"（{'；'.join(extra)}）" if extra else ""))
    return lines


def _fields(profile: Profile) -> list[str]:
    lines = []
    for spec in profile.form.fields:
        parts = ["必填" if spec.required else "选填"]
        if spec.choices:
            parts.append("单选：" + " / ".join(spec.choices))
        if spec.limit:
            parts.append(spec.limit.describe())
        label = "、".join(spec.labels) or "（无标签）"
        if spec.column:
            label += f" × {spec.column}"
        lines.append(f"  · {field_name(spec.key)}（表中：{label}）：{'，'.join(parts)}")
    return lines


def describe_profile(profile: Profile) -> str:
    lines = [f"{profile.title}（{profile.id}）", f"发布单位：{profile.issuer}",
             f"受理编号：{profile.reference_prefix}-0001 起"]
    if profile.deadline:
        lines.append(f"截止时间：{chinese_date(profile.deadline)} 24:00（{profile.timezone}）")
    if profile.subject.pattern:
        lines.append(f"邮件主题：须为“{profile.subject.example}”，不符合时要求补正")
    elif profile.subject.keywords:
        lines.append(f"邮件主题：无固定格式，按“{'”“'.join(profile.subject.keywords)}”识别")
    lines.append("所需材料：")
    lines.extend(_documents(profile))
    lines.append(f"申报表（{'、'.join(profile.form.titles)}）：")
    lines.extend(_fields(profile))
    if profile.writeup:
        lines.append("案例报告：" + (f"副标题须为“{profile.writeup.subtitle_example}”" if
                                 profile.writeup.subtitle_example else "须有主标题"))
        lines.extend(f"  · {s.name}：{s.limit.describe() if s.limit else '不限字数'}"
                     for s in profile.writeup.sections)
    if profile.body_contact:
        lines.append("邮件正文：须注明工作负责人姓名、联系电话和邮箱")
    if profile.case_name_no_unit or profile.case_name_no_abbrev:
        lines.append("案例名称：不得含企业名称、不得含字母缩写")
    if profile.quota:
        lines.append(f"数量限制：{profile.quota.description}（超出时提醒秘书处）")
    return "\n".join(lines)
