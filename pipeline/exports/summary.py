"""The 汇总表: one row per submission, one sheet per campaign, and a sheet of findings.

Read through pipeline/store/exports.py, written by pipeline/exports/workbook.py. `intake export
xlsx` saves it; the daily digest attaches it.
"""
from __future__ import annotations

import json
from datetime import tzinfo

from parsers.specs import FieldSpec
from pipeline.config.days import local_text
from pipeline.config.settings import Config
from pipeline.errors import ConfigError
from pipeline.exports.workbook import Sheet, Value, write_workbook
from pipeline.store.database import Database
from pipeline.store.exports import (current_fields, current_findings, stored_campaigns,
                                    submissions_with_arrivals)
from rules.profile import Profile, load_profiles
from rules.vocabulary import FIELD_KEYS, KIND_NAMES, VERDICT_NAMES, field_name

SEVERITY_NAMES = {"error": "需补正", "warning": "提醒"}
FINDINGS_TITLE = "问题清单"
# Shown in the fixed columns of every sheet, so left out of the form's own columns.
_FIXED_FIELDS = ("case_name", "category")
_HEAD = ("受理编号", "申报单位", "案例名称", "案例类别")
_TAIL = ("发件人邮箱", "收到时间", "最近更新", "审核结论", "未解决问题数", "未解决问题", "版本数")
FINDING_HEADERS = ("征集活动", "受理编号", "申报单位", "案例名称", "规则", "问题对象", "级别",
                   "说明", "状态")


def known_profiles(config: Config) -> dict[str, Profile]:
    """Every loaded profile, enabled ones first: a disabled campaign's submissions still have
    their form's columns."""
    enabled = config.profiles()
    every = load_profiles(list(config.campaign_dirs))
    return {**enabled, **{k: v for k, v in every.items() if k not in enabled}}


def campaign_ids(db: Database, config: Config, campaign: str | None) -> list[str]:
    """The campaigns to export: the one asked for (which must exist), else every campaign with
    a submission, enabled ones first."""
    profiles = known_profiles(config)
    stored = stored_campaigns(db)
    if campaign is not None:
        if campaign not in profiles and campaign not in stored:
            raise ConfigError(f"no campaign {campaign!r}; known: {', '.join(profiles)}")
        return [campaign]
    return [c for c in profiles if c in stored] + sorted(set(stored) - set(profiles))


def form_columns(profile: Profile | None) -> tuple[FieldSpec, ...]:
    """The form's fields in the profile's order, without those the fixed columns show.

    The form's unit stays when the subject names the unit: the two can then differ (a
    province submits an enterprise's case).
    """
    if profile is None:
        return ()
    keep_unit = profile.subject.pattern is not None
    return tuple(f for f in profile.form.fields if f.key not in _FIXED_FIELDS
                 and (f.key != "unit_name" or keep_unit))


def column_label(spec: FieldSpec) -> str:
    return "单位名称（申报表）" if spec.key == "unit_name" else field_name(spec.key)


def cell_value(value: object, kind: str = "text") -> Value:
    """A stored field value (JSON-decoded) as a cell: choices joined, a seal in words."""
    if kind == "seal":
        return {True: "有", False: "未发现"}.get(value, "无法判断")  # type: ignore[arg-type]
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, ensure_ascii=False)


def is_open(finding: dict) -> bool:
    """An error nobody has waived: what still stands between the submission and a receipt."""
    return finding["severity"] == "error" and finding["waived_by"] is None


# ---- sheets ---------------------------------------------------------------------------

def campaign_sheet(db: Database, campaign: str, profile: Profile | None, zone: tzinfo) -> Sheet:
    columns = form_columns(profile)
    values, findings = current_fields(db, campaign), current_findings(db, campaign)
    open_by: dict[int, list[str]] = {}
    for finding in filter(is_open, findings):
        open_by.setdefault(finding["submission_id"], []).append(finding["message"])
    rows = []
    for sub in submissions_with_arrivals(db, campaign):
        fields, problems = values.get(sub["id"], {}), open_by.get(sub["id"], [])
        rows.append((
            sub["reference"], sub["unit_name"] or "", sub["case_name"] or "",
            cell_value(fields.get("category"), "choice"),
            *(cell_value(fields[c.key], c.type) if c.key in fields else None for c in columns),
            sub["sender"] or "", local_text(sub["first_at"] or sub["created_at"], zone),
            local_text(sub["latest_at"] or sub["updated_at"], zone),
            VERDICT_NAMES.get(sub["verdict"], sub["verdict"]), len(problems),
            "\n".join(f"{n}. {p}" for n, p in enumerate(problems, 1)), sub["versions"]))
    headers = (*_HEAD, *(column_label(c) for c in columns), *_TAIL)
    return Sheet(campaign, headers, tuple(rows))


def finding_object(field: str | None) -> str:
    """What a finding is about, in words: a field's name, a document kind's, or a file name."""
    if not field:
        return ""
    if field in FIELD_KEYS or field.startswith("section:"):
        return field_name(field)
    # A body_contact_missing finding recorded before it named its key said only name/phone/email.
    if f"body_contact_{field}" in FIELD_KEYS:
        return field_name(f"body_contact_{field}")
    return KIND_NAMES.get(field, field)


def finding_status(finding: dict) -> str:
    if finding["waived_by"] is not None:
        who = f"（{finding['waiver_by']}）" if finding["waiver_by"] else ""
        return f"已豁免：{finding['waiver_note'] or ''}{who}"
    return "未解决" if finding["severity"] == "error" else "仅提醒"


def findings_sheet(db: Database, campaigns: list[str]) -> Sheet:
    rows = tuple(
        (campaign, f["reference"], f["unit_name"] or "", f["case_name"] or "", f["rule"],
         finding_object(f["field"]), SEVERITY_NAMES.get(f["severity"], f["severity"]),
         f["message"], finding_status(f))
        for campaign in campaigns for f in current_findings(db, campaign))
    return Sheet(FINDINGS_TITLE, FINDING_HEADERS, rows)


def summary_sheets(db: Database, config: Config, campaign: str | None = None) -> list[Sheet]:
    """One sheet per campaign (the one asked for, else each with a submission), then the
    findings of all of them."""
    profiles, zone = known_profiles(config), config.schedule.zone
    ids = campaign_ids(db, config, campaign)
    sheets = [campaign_sheet(db, c, profiles.get(c), zone) for c in ids]
    return [*sheets, findings_sheet(db, ids)]


def summary_workbook(db: Database, config: Config, campaign: str | None = None) -> bytes:
    """The 汇总表 as .xlsx bytes."""
    return write_workbook(summary_sheets(db, config, campaign))
