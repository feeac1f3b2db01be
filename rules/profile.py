"""Campaign profiles: one TOML file per campaign, loaded and validated into dataclasses."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from parsers.specs import FieldSpec, FormSpec, Limit, SectionSpec, WriteupSpec
from rules.errors import ProfileError
from rules.vocabulary import DOCUMENT_KINDS, RULE_IDS, SEVERITIES, is_field_key

BUILTIN_DIR = Path(__file__).parent / "campaigns"


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    min: int = 0
    max: int | None = None
    min_bytes: int | None = None
    max_bytes: int | None = None
    max_seconds: float | None = None
    name_pattern: str | None = None
    name_example: str = ""
    # attachment_missing severity for this kind (some notices only recommend a document).
    severity: str = "error"
    # Only documents in a format of this list count (e.g. the form must be Word).
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubjectSpec:
    # A regular expression over the NFKC-normalised subject, with a group named `unit`.
    pattern: str | None = None
    example: str = ""
    # Words that, all present in the subject or a form title, name this campaign.
    keywords: tuple[str, ...] = ()


# What a quota's `recommender` is, and so how it is derived (rules/checks/quota_exceeded.py).
RECOMMENDER_KINDS = ("province", "park")


@dataclass(frozen=True)
class QuotaSpec:
    # Field keys that together make the counted group (e.g. recommender + category).
    by: tuple[str, ...]
    max: int
    description: str = ""
    # When `by` holds "recommender": "province" (derived from the subject's unit, the form,
    # the mail's signature or the address) or "park" (the form's 推荐单位, normalised);
    # None: the recommender field's text as written.
    recommender: str | None = None


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    issuer: str
    reference_prefix: str
    deadline: date | None
    timezone: str
    mailboxes: tuple[str, ...]
    subject: SubjectSpec
    form: FormSpec
    writeup: WriteupSpec | None
    documents: tuple[DocumentSpec, ...]
    body_contact: tuple[str, ...]
    case_name_no_unit: bool
    case_name_no_abbrev: bool
    quota: QuotaSpec | None
    severity: dict[str, str]
    late_policy: str
    source: str
    # The day the notice opened the call; mail that arrived earlier is recorded, not answered.
    opens: date | None = None

    def opens_at(self) -> datetime | None:
        """The first instant of the opening day, in the campaign's time zone."""
        if self.opens is None:
            return None
        return datetime.combine(self.opens, time(0)).replace(tzinfo=ZoneInfo(self.timezone))

    def deadline_at(self) -> datetime | None:
        """The first instant after the deadline day, in the campaign's time zone."""
        if self.deadline is None:
            return None
        end = datetime.combine(self.deadline + timedelta(days=1), time(0))
        return end.replace(tzinfo=ZoneInfo(self.timezone))

    def severity_of(self, rule: str, default: str) -> str:
        return self.severity.get(rule, default)

    def document(self, kind: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.kind == kind), None)


# ---- loading and validation -------------------------------------------------------------

# Every table of a profile and the keys it may hold ([severity] holds rule ids).
SCHEMA: dict[str, set[str]] = {
    "the profile": {"id", "title", "issuer", "reference_prefix", "opens", "deadline", "timezone",
                    "mailboxes", "subject", "form", "writeup", "documents", "body", "case_name",
                    "quota", "severity", "late_policy"},
    "[subject]": {"pattern", "example", "keywords"},
    "[form]": {"titles", "fields"},
    "[[form.fields]]": {"key", "labels", "type", "required", "choices", "max", "approx", "prompts",
                        "column"},
    "[writeup]": {"name", "markers", "subtitle_pattern", "subtitle_example", "sections"},
    "[[writeup.sections]]": {"name", "labels", "max", "approx"},
    "[[documents]]": {"kind", "min", "max", "min_bytes", "max_bytes", "max_seconds",
                      "name_pattern", "name_example", "severity", "formats"},
    "[body]": {"contact"},
    "[case_name]": {"no_unit", "no_abbrev"},
    "[quota]": {"by", "max", "description", "recommender"},
}
_FIELD_TYPES = {"text", "choice", "number", "date", "phone", "email", "seal"}
_LATE_POLICIES = {"reject", "accept"}


class _Checker:
    """Turns a TOML table into dataclasses, raising ProfileError with file and line."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()

    def fail(self, message: str, word: str | None = None) -> ProfileError:
        return ProfileError(f"{self.path}:{self._line(word)}: {message}")

    def _line(self, word: str | None) -> int:
        if word:
            pattern = re.compile(rf"^\s*(\[+\s*)?{re.escape(word)}\b|[\"']{re.escape(word)}[\"']")
            for number, line in enumerate(self.lines, 1):
                if pattern.search(line):
                    return number
        return 1

    def keys(self, table: dict, where: str) -> None:
        for key in table:
            if key not in SCHEMA[where]:
                raise self.fail(f"unknown key {key!r} in {where}", key)

    def field_key(self, key: str) -> str:
        if not is_field_key(key):
            raise self.fail(f"unknown field key {key!r} (see campaigns.md)", key)
        return key


def _limit(table: dict, checker: _Checker, where: str) -> Limit | None:
    if "max" in table and "approx" in table:
        raise checker.fail(f"{where}: give either max (以内) or approx (约), not both", "approx")
    if "max" in table:
        return Limit(None, int(table["max"]), hard=True)
    if "approx" in table:
        low, high = table["approx"]
        return Limit(int(low), int(high), hard=False)
    return None


def _field(table: dict, checker: _Checker) -> FieldSpec:
    checker.keys(table, "[[form.fields]]")
    key = checker.field_key(table.get("key", ""))
    kind = table.get("type", "text")
    if kind not in _FIELD_TYPES:
        raise checker.fail(f"field {key}: unknown type {kind!r}", "type")
    if kind == "choice" and not table.get("choices"):
        raise checker.fail(f"field {key}: a choice needs choices", key)
    return FieldSpec(key=key, labels=tuple(table.get("labels", ())), type=kind,
                     required=bool(table.get("required", False)),
                     choices=tuple(table.get("choices", ())),
                     limit=_limit(table, checker, f"field {key}"),
                     prompts=tuple(table.get("prompts", ())), column=table.get("column"))


def _document(table: dict, checker: _Checker) -> DocumentSpec:
    checker.keys(table, "[[documents]]")
    kind = table.get("kind")
    if kind not in DOCUMENT_KINDS:
        raise checker.fail(f"unknown document kind {kind!r}", "kind")
    severity = table.get("severity", "error")
    if severity not in SEVERITIES:
        raise checker.fail(f"unknown severity {severity!r}", "severity")
    if pattern := table.get("name_pattern"):
        _compile(pattern, checker)
    return DocumentSpec(kind=kind, min=int(table.get("min", 0)), max=table.get("max"),
                        min_bytes=table.get("min_bytes"), max_bytes=table.get("max_bytes"),
                        max_seconds=table.get("max_seconds"), name_pattern=table.get("name_pattern"),
                        name_example=table.get("name_example", ""), severity=severity,
                        formats=tuple(table.get("formats", ())))


def _writeup(table: dict | None, checker: _Checker) -> WriteupSpec | None:
    if table is None:
        return None
    checker.keys(table, "[writeup]")
    sections = []
    for section in table.get("sections", ()):
        checker.keys(section, "[[writeup.sections]]")
        sections.append(SectionSpec(name=section["name"],
                                    labels=tuple(section.get("labels", (section["name"],))),
                                    limit=_limit(section, checker, f"section {section['name']}")))
    if pattern := table.get("subtitle_pattern"):
        _compile(pattern, checker)
    return WriteupSpec(markers=tuple(table.get("markers", ())),
                       subtitle_pattern=table.get("subtitle_pattern"),
                       subtitle_example=table.get("subtitle_example", ""), sections=tuple(sections),
                       name=table.get("name", "案例报告"))


def _compile(pattern: str, checker: _Checker) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise checker.fail(f"bad regular expression {pattern!r}: {error}", pattern) from None


def _severity(table: dict, checker: _Checker) -> dict[str, str]:
    for rule, severity in table.items():
        if rule not in RULE_IDS:
            raise checker.fail(f"unknown rule id {rule!r} in [severity]", rule)
        if severity not in SEVERITIES:
            raise checker.fail(f"unknown severity {severity!r} for {rule}", rule)
    return dict(table)


def _subject(table: dict, checker: _Checker) -> SubjectSpec:
    checker.keys(table, "[subject]")
    if pattern := table.get("pattern"):
        _compile(pattern, checker)
        if "(?P<unit>" not in pattern:
            raise checker.fail("subject pattern needs a group (?P<unit>...)", "pattern")
    return SubjectSpec(pattern=table.get("pattern"), example=table.get("example", ""),
                       keywords=tuple(table.get("keywords", ())))


def _quota(table: dict | None, checker: _Checker) -> QuotaSpec | None:
    if table is None:
        return None
    checker.keys(table, "[quota]")
    by = tuple(checker.field_key(k) for k in table["by"])
    recommender = table.get("recommender")
    if recommender is not None and recommender not in RECOMMENDER_KINDS:
        raise checker.fail(f"[quota] unknown recommender {recommender!r} (one of "
                           f"{', '.join(RECOMMENDER_KINDS)})", str(recommender))
    if recommender is not None and "recommender" not in by:
        raise checker.fail('[quota] recommender needs "recommender" in by', "recommender")
    return QuotaSpec(by=by, max=int(table["max"]), description=table.get("description", ""),
                     recommender=recommender)


def parse_profile(text: str, path: Path) -> Profile:
    """Validate one profile's TOML text; every mistake names the file and line."""
    checker = _Checker(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: {error}") from None
    checker.keys(data, "the profile")
    for required in ("id", "title", "issuer", "reference_prefix"):
        if required not in data:
            raise checker.fail(f"missing {required!r}")
    form = data.get("form", {})
    checker.keys(form, "[form]")
    body = data.get("body", {})
    checker.keys(body, "[body]")
    case_name = data.get("case_name", {})
    checker.keys(case_name, "[case_name]")
    late_policy = data.get("late_policy", "reject")
    if late_policy not in _LATE_POLICIES:
        raise checker.fail(f"late_policy must be one of {sorted(_LATE_POLICIES)}", "late_policy")
    deadline, opens = data.get("deadline"), data.get("opens")
    for key, value in (("deadline", deadline), ("opens", opens)):
        if value is not None and not isinstance(value, date):
            raise checker.fail(f"{key} must be a TOML date such as 2024-04-15", key)
    return Profile(
        id=data["id"], title=data["title"], issuer=data["issuer"],
        reference_prefix=data["reference_prefix"], deadline=deadline,
        timezone=data.get("timezone", "Asia/Shanghai"), mailboxes=tuple(data.get("mailboxes", ())),
        subject=_subject(data.get("subject", {}), checker),
        form=FormSpec(titles=tuple(form.get("titles", ())),
                      fields=tuple(_field(f, checker) for f in form.get("fields", ()))),
        writeup=_writeup(data.get("writeup"), checker),
        documents=tuple(_document(d, checker) for d in data.get("documents", ())),
        body_contact=tuple(body.get("contact", ())),
        case_name_no_unit=bool(case_name.get("no_unit", False)),
        case_name_no_abbrev=bool(case_name.get("no_abbrev", False)),
        quota=_quota(data.get("quota"), checker),
        severity=_severity(data.get("severity", {}), checker),
        late_policy=late_policy, source=str(path), opens=opens,
    )


def load_profile(path: Path) -> Profile:
    return parse_profile(path.read_text(encoding="utf-8"), path)


def load_profiles(folders: list[Path], enabled: list[str] | None = None) -> dict[str, Profile]:
    """Every *.toml in the folders (later folders override earlier ones by id)."""
    profiles: dict[str, Profile] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            profiles[profile.id] = profile
    if enabled is not None:
        unknown = [cid for cid in enabled if cid not in profiles]
        if unknown:
            raise ProfileError(f"enabled campaigns without a profile: {', '.join(unknown)}")
        profiles = {cid: profiles[cid] for cid in enabled}
    return profiles
