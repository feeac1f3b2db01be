"""For every campaign: a complete submission has no error, and each rule the profile enables
fires on a submission built to break it, naming the field as campaigns.md says.

Submissions are built from the profile itself, so a new profile is covered by adding its file.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest

from parsers.model import Document, LargeLink, Section
from parsers.specs import FieldSpec, Limit
from rules.model import Submission
from rules.profile import DocumentSpec, Profile, load_profiles
from rules.registry import run_rules
from tests.conftest import ROOT

PROFILES = load_profiles([ROOT / "rules" / "campaigns"])
UNIT = "示例单位"
BODY = "工作负责人：王晓明，电话13800000001，邮箱wang@example.cn"
Mutation = Callable[[Submission], Submission]


def within(limit: Limit | None) -> int:
    if limit is None:
        return 50
    return limit.min + 1 if limit.min else max(1, limit.max // 2)


def valid_value(spec: FieldSpec) -> object:
    values = {"choice": (spec.choices[0],) if spec.choices else (), "seal": True,
              "number": 100.0, "phone": "13800000001", "email": "wang@example.cn",
              "date": "2024年1月1日"}
    if spec.type in values:
        return values[spec.type]
    return {"unit_name": UNIT, "case_name": "园区光储充一体化实践"}.get(
        spec.key, "字" * within(spec.limit))


def documents_for(spec: DocumentSpec, profile: Profile) -> list[Document]:
    count = spec.min or (1 if spec.kind in ("form", "writeup") else 0)
    name = spec.name_example or {"photo": "照片.jpg", "video": "视频.mp4"}.get(spec.kind, f"{spec.kind}.docx")
    size = (spec.min_bytes or 0) + 1000 if spec.min_bytes else min(1_000_000, spec.max_bytes or 10**6)
    fmt = spec.formats[0] if spec.formats else {"photo": "jpeg", "video": "mp4"}.get(spec.kind, "docx")
    return [Document(name=f"{i}{name}", kind=spec.kind, format=fmt, size=size, sha256=f"{spec.kind}{i}",
                     duration=60.0 if spec.kind == "video" else None, **extra(spec.kind, profile))
            for i in range(count)]


def extra(kind: str, profile: Profile) -> dict[str, object]:
    if kind == "form":
        return {"fields": {f.key: valid_value(f) for f in profile.form.fields}}
    if kind == "writeup" and profile.writeup:
        sections = tuple(Section(s.name, "字" * within(s.limit), within(s.limit))
                         for s in profile.writeup.sections)
        return {"title": "主标题", "subtitle": profile.writeup.subtitle_example, "sections": sections}
    return {}


def complete(profile: Profile) -> Submission:
    documents = [d for spec in profile.documents for d in documents_for(spec, profile)]
    if not any(d.kind == "form" for d in documents) and profile.form.fields:
        documents += documents_for(DocumentSpec(kind="form", min=1), profile)
    deadline = profile.deadline_at()
    arrived = deadline - timedelta(days=10) if deadline else datetime(2024, 1, 1, tzinfo=timezone.utc)
    form = next(d for d in documents if d.kind == "form")
    return Submission(campaign=profile.id, subject="", subject_unit=UNIT if profile.subject.pattern else None,
                      subject_matched=True, body=BODY, sender="wang@example.cn", arrived_at=arrived,
                      documents=tuple(documents), fields=dict(form.fields))


def with_field(key: str, value: object) -> Mutation:
    def mutate(sub: Submission) -> Submission:
        docs = tuple(replace(d, fields={**d.fields, key: value}) if d.kind == "form" else d
                     for d in sub.documents)
        return replace(sub, documents=docs, fields={**sub.fields, key: value})
    return mutate


def with_documents(change: Callable[[Document], Document | None]) -> Mutation:
    def mutate(sub: Submission) -> Submission:
        return replace(sub, documents=tuple(d for d in map(change, sub.documents) if d is not None))
    return mutate


def with_section(name: str, chars: int | None) -> Mutation:
    def section(d: Document) -> Document:
        if d.kind != "writeup":
            return d
        kept = tuple(s for s in d.sections if s.name != name)
        return replace(d, sections=kept + ((Section(name, "字" * chars, chars),) if chars else ()))
    return with_documents(section)


def unreadable(key: str, blank: object) -> Mutation:
    """The form's `key` read as nothing, with what is written there kept for a person."""
    def mutate(s: Submission) -> Submission:
        return replace(with_field(key, blank)(s), unreadable={key: "所填为“见附件”"})
    return mutate


def field_cases(profile: Profile) -> list[tuple[str, str, Mutation]]:
    cases = []
    for spec in profile.form.fields:
        if spec.required and spec.type == "choice":
            cases.append(("choice_invalid", spec.key, with_field(spec.key, ())))
            cases.append(("choice_invalid", spec.key, with_field(spec.key, spec.choices[:2])))
        elif spec.required and spec.type == "seal":
            cases.append(("seal_missing", spec.key, with_field(spec.key, False)))
        elif spec.required:
            cases.append(("field_missing", spec.key, with_field(spec.key, "")))
        if spec.required and spec.type in ("choice", "text", "number", "date"):
            # Written but not read: a warning for a person, never field_missing nor choice_invalid.
            blank = () if spec.type == "choice" else None if spec.type == "number" else ""
            cases.append(("field_unreadable", spec.key, unreadable(spec.key, blank)))
        if spec.limit and spec.limit.hard:
            cases.append(("length_exceeded", spec.key, with_field(spec.key, "字" * (spec.limit.max + 1))))
        elif spec.limit:
            cases.append(("length_out_of_range", spec.key, with_field(spec.key, "字" * (spec.limit.max + 50))))
    return cases


def writeup_cases(profile: Profile) -> list[tuple[str, str, Mutation]]:
    if profile.writeup is None:
        return []
    cases = [("field_missing", "title", with_documents(lambda d: replace(d, title="") if d.kind == "writeup" else d))]
    if profile.writeup.subtitle_pattern:
        cases.append(("field_missing", "subtitle",
                      with_documents(lambda d: replace(d, subtitle="某某案例") if d.kind == "writeup" else d)))
    for s in profile.writeup.sections:
        key = f"section:{s.name}"
        cases.append(("field_missing", key, with_section(s.name, None)))
        if s.limit and s.limit.hard:
            cases.append(("length_exceeded", key, with_section(s.name, s.limit.max + 1)))
        elif s.limit:
            cases.append(("length_out_of_range", key, with_section(s.name, (s.limit.max or 0) + 100)))
    return cases


def one_renamed(kind: str, name: str) -> Mutation:
    """The first document of a kind renamed."""
    return with_documents(lambda d: replace(d, name=name) if d.sha256 == f"{kind}0" else d)


def document_cases(profile: Profile) -> list[tuple[str, str | None, Mutation]]:
    cases: list[tuple[str, str | None, Mutation]] = [
        ("attachment_unreadable", "坏文件.docx", lambda s: replace(s, documents=s.documents + (
            Document("坏文件.docx", "other", "unknown", 10, "bad", error="文件已损坏"),)))]
    for spec in profile.documents:
        kind = spec.kind
        if spec.min > 0:
            cases.append(("attachment_missing", kind, with_documents(lambda d, k=kind: None if d.kind == k else d)))
        if spec.name_pattern and spec.min > 0:
            cases.append(("filename_format", "IMG_0001.x", one_renamed(kind, "IMG_0001.x")))
        elif spec.name_pattern:
            bad = replace(documents_for(replace(spec, min=1), profile)[0], name="IMG_0001.x")
            cases.append(("filename_format", "IMG_0001.x",
                          lambda s, b=bad: replace(s, documents=s.documents + (b,))))
        if kind in ("photo", "video") and spec.max is not None:
            extra_docs = documents_for(replace(spec, min=spec.max + 1), profile)
            cases.append((f"{kind}_count", None, lambda s, k=kind, x=extra_docs: replace(
                s, documents=tuple(d for d in s.documents if d.kind != k) + tuple(x))))
        if kind == "photo" and spec.min_bytes:
            cases.append(("photo_too_small", f"小{spec.name_example or '.jpg'}",
                          resized(f"小{spec.name_example or '.jpg'}", spec.min_bytes - 1)))
        if kind == "photo" and spec.max_bytes:
            cases.append(("photo_too_large", f"大{spec.name_example or '.jpg'}",
                          resized(f"大{spec.name_example or '.jpg'}", spec.max_bytes + 1)))
        if kind == "video" and spec.max_seconds:
            cases.append(("video_too_long", "长视频.mp4", lambda s, limit=spec.max_seconds: replace(
                s, documents=s.documents + (Document("长视频.mp4", "video", "mp4", 10, "v", duration=limit + 1),))))
    return cases


def resized(name: str, size: int) -> Mutation:
    """The first photo renamed (within the naming convention) and given another size."""
    return with_documents(lambda d: replace(d, name=name, size=size) if d.sha256 == "photo0" else d)


def submission_cases(profile: Profile) -> list[tuple[str, str | None, Mutation]]:
    cases: list[tuple[str, str | None, Mutation]] = [
        ("large_attachment_link", "视频.mp4", lambda s: replace(s, large_links=(LargeLink("视频.mp4", "https://example.com/d"),)))]
    if profile.subject.pattern:
        cases.append(("subject_format", None, lambda s: replace(s, subject_matched=False, subject_unit=None)))
        if profile.id != "mee-lowcarbon-2023":
            cases.append(("unit_mismatch", "unit_name", lambda s: replace(s, subject_unit="另一单位")))
    for part in profile.body_contact:
        body = {"name": "电话13800000001，邮箱wang@example.cn", "phone": "联系人：王晓明，邮箱wang@example.cn",
                "email": "联系人：王晓明，电话13800000001"}[part]
        cases.append(("body_contact_missing", f"body_contact_{part}", lambda s, b=body: replace(s, body=b)))
    if profile.case_name_no_unit:
        cases.append(("case_name_has_unit", "case_name", with_field("case_name", f"{UNIT}节能实践")))
    if profile.case_name_no_abbrev:
        cases.append(("case_name_has_abbrev", "case_name", with_field("case_name", "IDC节能实践")))
    if profile.deadline:
        cases.append(("deadline_passed", None, lambda s: replace(s, arrived_at=profile.deadline_at())))
    if profile.quota:
        # A group that can be told (a province in the address, a park as written): none, no finding.
        place = with_field("address", "浙江省示例市示例路1号")
        cases.append(("quota_exceeded", "recommender",
                      lambda s: replace(place(s), quota_count=profile.quota.max)))
    return cases


CASES = [(p.id, rule, field, mutate) for p in PROFILES.values()
         for rule, field, mutate in field_cases(p) + writeup_cases(p) + document_cases(p) + submission_cases(p)]
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("campaign", list(PROFILES))
def test_a_complete_submission_has_no_finding(campaign):
    profile = PROFILES[campaign]
    assert run_rules(complete(profile), profile, NOW) == []


@pytest.mark.parametrize("campaign, rule, field, mutate", CASES,
                         ids=[f"{c}-{r}-{f}" for c, r, f, _ in CASES])
def test_each_enabled_rule_fires_alone_naming_the_field(campaign, rule, field, mutate):
    profile = PROFILES[campaign]
    findings = run_rules(mutate(complete(profile)), profile, NOW)
    assert {(f.rule, f.field) for f in findings} == {(rule, field)}


def test_every_rule_is_exercised_by_some_campaign():
    from rules.vocabulary import RULE_IDS
    assert {rule for _, rule, _, _ in CASES} == set(RULE_IDS)
