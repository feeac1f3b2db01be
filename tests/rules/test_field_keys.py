"""Every finding of every rule names what it is about in campaigns.md's words: a field key, a
document kind, or a file of the submission, never a word of the rule's own.

Each profile is walked with a few submissions built from the profile to break everything at
once (one with everything empty or missing, one with everything too long or too many, one with
no files, one whose form could not be read, one over the quota), and every rule of
rules.registry.REGISTRY is run on each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from parsers.model import Document, LargeLink, Section
from parsers.specs import FieldSpec, Limit
from rules.model import Finding, Submission
from rules.profile import DocumentSpec, Profile, load_profiles
from rules.registry import REGISTRY
from rules.vocabulary import DOCUMENT_KINDS, FIELD_KEYS, RULE_IDS
from tests.conftest import NOW, ROOT

# The shared spec sits beside the checkout: /work/shared/spec next to /work/main.
SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "campaigns.md"
PROFILES = load_profiles([ROOT / "rules" / "campaigns"])
UNIT = "示例单位"
OTHER_UNIT = "另一单位"
CONTACT = "工作负责人：王晓明，电话13800138000，邮箱wang@example.cn"
# large_attachment_link names the file its download link stands for; campaigns.md's rule table
# marks the other file rules with "`field` = file name".
LINK_RULES = {"large_attachment_link"}
# Rules no submission built here can make fire, with the reason. None today: every rule of the
# registry fires somewhere in the walk, and an entry here must say why it cannot.
CANNOT_BUILD: dict[str, str] = {}


@pytest.fixture(scope="module")
def spec() -> str:
    if not SPEC.is_file():
        pytest.skip(f"the shared spec is not at {SPEC}")
    return SPEC.read_text(encoding="utf-8")


def table(spec: str, heading: str) -> str:
    return spec.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def documented_keys(spec: str) -> set[str]:
    """The backticked keys of the first column of "## Field keys" (`section:<name>` included)."""
    keys: set[str] = set()
    for first_cell in re.findall(r"^\|([^|\n]*)\|", table(spec, "Field keys"), re.M):
        keys.update(re.findall(r"`([^`]+)`", first_cell))
    return keys


def file_rules(spec: str) -> set[str]:
    """The rules whose row of "## Rule ids" says "`field` = file name" (a row may name two)."""
    rows = re.findall(r"^\|([^|\n]*)\|(.*)$", table(spec, "Rule ids"), re.M)
    return {rule for rules, fires in rows if "`field` = file name" in fires
            for rule in re.findall(r"`(\w+)`", rules)} | LINK_RULES


# ---- submissions built from a profile ----------------------------------------------------

def fit(limit: Limit | None) -> int:
    """A length inside the limit."""
    if limit is None:
        return 50
    return limit.min + 1 if limit.min else max(1, (limit.max or 100) // 2)


def outside(limit: Limit) -> int:
    """A length over the limit, or under an approximate one that has no upper bound."""
    if limit.max is not None:
        return limit.max + (1 if limit.hard else 50)
    return max(1, (limit.min or 2) - 1)


def good_value(spec: FieldSpec) -> object:
    typed = {"choice": (spec.choices[0],) if spec.choices else (), "seal": True, "number": 100.0,
             "phone": "13800138000", "email": "wang@example.cn", "date": "2024-01-01"}
    if spec.type in typed:
        return typed[spec.type]
    known = {"unit_name": UNIT, "case_name": "园区光储充一体化实践",
             "recommender": "示例经济技术开发区", "address": "浙江省示例市示例路1号"}
    return known.get(spec.key, "字" * fit(spec.limit))


def empty_value(spec: FieldSpec) -> object:
    return {"choice": (), "seal": False, "number": None}.get(spec.type, "")


def overfull_value(spec: FieldSpec) -> object:
    if spec.type == "choice":
        return spec.choices[:2]
    if spec.key == "case_name":
        return f"{OTHER_UNIT}IDC节能实践"  # the subject's unit and a letter abbreviation
    if spec.limit is not None:
        return "字" * outside(spec.limit)
    return good_value(spec)


def kind_format(spec: DocumentSpec) -> str:
    if spec.formats:
        return spec.formats[0]
    return {"photo": "jpeg", "video": "mp4", "archive": "zip", "form_scan": "pdf"}.get(spec.kind, "docx")


def kind_name(spec: DocumentSpec, i: int) -> str:
    example = spec.name_example or {"photo": "照片.jpg", "video": "视频.mp4"}.get(spec.kind, f"{spec.kind}.docx")
    return f"{i}{example}"


@dataclass(frozen=True)
class Build:
    """One submission's form values, and how its files break the profile: "empty" (names
    against the convention, a write-up with no title and no section), "too much" (photos and
    videos the wrong size or length, sections over their limits) or "" (as the profile asks)."""

    fields: dict[str, object]
    broken: str = ""


def documents(profile: Profile, build: Build) -> tuple[Document, ...]:
    """Each kind of the profile at its minimum (at least one); too much: the first photo is
    under the bounds, the second over, the first video too long."""
    docs: list[Document] = []
    for spec in profile.documents:
        for i in range(max(spec.min, 1)):
            size = (spec.min_bytes or 0) + 1000 if spec.min_bytes else min(1_000_000, spec.max_bytes or 10**6)
            duration = 60.0 if spec.kind == "video" else None
            if build.broken == "too much" and i == 0:
                size = spec.min_bytes - 1 if spec.min_bytes else size
                duration = spec.max_seconds + 1 if spec.max_seconds else duration
            if build.broken == "too much" and i == 1 and spec.max_bytes:
                size = spec.max_bytes + 1
            name = f"IMG_000{i}.x" if build.broken == "empty" else kind_name(spec, i)
            docs.append(Document(name=name, kind=spec.kind, format=kind_format(spec), size=size,
                                 sha256=f"{spec.kind}{i}", duration=duration,
                                 **contents(spec.kind, profile, build)))
    if not any(d.kind == "form" for d in docs) and profile.form.fields:
        docs.append(Document("申报表.docx", "form", "docx", 50_000, "form", fields=build.fields))
    return tuple(docs)


def contents(kind: str, profile: Profile, build: Build) -> dict[str, object]:
    if kind == "form":
        return {"fields": build.fields}
    if kind == "writeup" and profile.writeup:
        if build.broken == "empty":  # no title, a wrong subtitle, no section
            return {"title": "", "subtitle": "某某案例", "sections": ()}
        chars = outside if build.broken == "too much" else fit
        sections = tuple(Section(s.name, "字" * n, n) for s in profile.writeup.sections
                         for n in [chars(s.limit) if s.limit else fit(None)])
        return {"title": "主标题", "subtitle": profile.writeup.subtitle_example, "sections": sections}
    return {}


def one_of_each_count(docs: tuple[Document, ...]) -> tuple[Document, ...]:
    """A single photo and a single video: too few where several are required (none at all
    would be attachment_missing's finding instead)."""
    return tuple(d for d in docs if d.kind not in ("photo", "video") or d.sha256 == f"{d.kind}0")


def one_too_many(profile: Profile, docs: tuple[Document, ...]) -> tuple[Document, ...]:
    """Photos and videos one over the profile's maximum."""
    extra = []
    for spec in profile.documents:
        if spec.kind in ("photo", "video") and spec.max is not None:
            have = sum(d.kind == spec.kind for d in docs)
            extra += [Document(kind_name(spec, i), spec.kind, kind_format(spec),
                               (spec.min_bytes or 0) + 1000 if spec.min_bytes else 500_000,
                               f"{spec.kind}{i}", duration=60.0 if spec.kind == "video" else None)
                      for i in range(have, spec.max + 1)]
    return (*docs, *extra)


def submission(profile: Profile, build: Build, **changes: object) -> Submission:
    deadline = profile.deadline_at()
    arrived = deadline - timedelta(days=10) if deadline else datetime(2024, 1, 1, tzinfo=timezone.utc)
    base = Submission(campaign=profile.id, subject="关于报送案例的函", subject_unit=UNIT,
                      subject_matched=True, body=CONTACT, sender="wang@example.cn",
                      arrived_at=arrived, documents=documents(profile, build),
                      fields=dict(build.fields))
    return replace(base, **changes)


def walk_submissions(profile: Profile) -> dict[str, Submission]:
    fields = {f.key: good_value(f) for f in profile.form.fields}
    empty = submission(profile, Build({f.key: empty_value(f) for f in profile.form.fields},
                                      broken="empty"),
                       subject_matched=False, subject_unit=None, body="请查收。",
                       arrived_at=profile.deadline_at() or NOW,
                       large_links=(LargeLink("视频.mp4", "https://example.com/d"),))
    unreadable = Document("坏文件.docx", "other", "unknown", 10, "bad", error="文件已损坏")
    too_much = submission(profile, Build({f.key: overfull_value(f) for f in profile.form.fields},
                                         broken="too much"), subject_unit=OTHER_UNIT)
    # The quota's group must be one that can be told: a province in the address, a park.
    quota_fields = {**fields, "address": "浙江省示例市示例路1号", "recommender": "示例经济技术开发区"}
    return {
        "everything empty": replace(empty, documents=(*one_of_each_count(empty.documents), unreadable)),
        "everything too much": replace(too_much, documents=one_too_many(profile, too_much.documents)),
        "no files": submission(profile, Build(fields), documents=()),
        "written but not read": submission(profile, Build(fields),
                                           unreadable={key: "见附件" for key in fields}),
        "over the quota": submission(profile, Build(quota_fields),
                                     quota_count=profile.quota.max if profile.quota else 0),
    }


# ---- the walk ----------------------------------------------------------------------------

def findings_of(profile: Profile) -> list[tuple[str, Submission, str, Finding]]:
    return [(variant, sub, rule.ID, finding)
            for variant, sub in walk_submissions(profile).items()
            for rule in REGISTRY for finding in rule.check(sub, profile, NOW)]


def prefixes(keys: set[str]) -> tuple[str, ...]:
    """`section:` for the table's `section:<name>`."""
    return tuple(key.removesuffix("<name>") for key in keys if key.endswith("<name>"))


def names_of(sub: Submission) -> set[str]:
    return {d.name for d in sub.documents} | {link.name for link in sub.large_links}


def test_the_vocabulary_mirrors_the_field_keys_table(spec):
    assert documented_keys(spec) - {"section:<name>"} == set(FIELD_KEYS)


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_every_finding_names_a_field_key_a_kind_or_a_file(spec, profile_id):
    keys, by_file = documented_keys(spec) | FIELD_KEYS, file_rules(spec)
    named = prefixes(keys)
    wrong = []
    for variant, sub, rule, finding in findings_of(PROFILES[profile_id]):
        field = finding.field
        if rule in by_file:
            ok = field is None or field in names_of(sub)
        else:
            ok = (field is None or field in keys or field in DOCUMENT_KINDS
                  or any(field.startswith(p) and len(field) > len(p) for p in named))
        if not ok or finding.rule != rule:
            wrong.append(f"{variant}: {rule} field={field!r} ({finding.message})")
    assert wrong == [], "\n".join(wrong)


def test_every_rule_fires_somewhere_in_the_walk():
    fired = {rule for profile in PROFILES.values() for _, _, rule, _ in findings_of(profile)}
    assert set(CANNOT_BUILD) <= set(RULE_IDS)
    assert fired & set(CANNOT_BUILD) == set(), "a rule listed as impossible to build fired: drop it"
    assert set(RULE_IDS) - set(CANNOT_BUILD) - fired == set()


def test_the_registry_runs_the_vocabulary_rule_ids_in_order():
    assert tuple(rule.ID for rule in REGISTRY) == RULE_IDS
