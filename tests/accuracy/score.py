"""The corpus through the product as `intake check` runs it, and each answer held to the case's."""
from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from parsers.office import Converter
from pipeline.app.check import check_messages
from pipeline.config.settings import load_config
from tests.accuracy.corpus import Case, legacy_forms

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    case: Case
    result: dict
    # (key, expected, read) of every field read wrongly.
    wrong_fields: tuple[tuple[str, object, object], ...]
    missing_findings: frozenset
    extra_findings: frozenset

    @property
    def fields_total(self) -> int:
        return len(self.case.fill.expected)

    @property
    def verdict_right(self) -> bool:
        return (self.result.get("verdict") == self.case.verdict
                and self.result.get("campaign") == self.case.campaign)

    @property
    def right(self) -> bool:
        return (self.verdict_right and not self.wrong_fields and not self.missing_findings
                and not self.extra_findings)


def run_corpus(cases: list[Case], work: Path | None = None) -> list[Outcome]:
    """Every case's mail checked in one throw-away database, in order, as `intake check` does."""
    with tempfile.TemporaryDirectory(prefix="intake-accuracy-") as folder:
        base = work or Path(folder)
        config = replace(load_config(ROOT / "config.toml"), cache=base / "cache")
        _warm(config.cache / "converted", cases, config.convert_timeout)
        paths = []
        for number, case in enumerate(cases, 1):
            path = base / "mails" / f"{number:04d}.{case.key}.eml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(case.eml)
            paths.append(path)
        now = datetime(2026, 12, 7, tzinfo=timezone.utc)
        return [judge(case, result) for case, result
                in zip(cases, check_messages(paths, config, now))]


def _warm(cache: Path, cases: list[Case], timeout: float) -> None:
    """The product's own converter, run once over every legacy form instead of once a mail."""
    converter = Converter(cache, timeout=timeout)
    try:
        converter.convert_many(legacy_forms(cases))
    finally:
        converter.close()


def judge(case: Case, result: dict) -> Outcome:
    fields = result.get("fields") or {}
    wrong = tuple((key, expected, fields.get(key)) for key, expected in case.fill.expected.items()
                  if not same(expected, fields.get(key)))
    found = frozenset((f["rule"], f["field"]) for f in result.get("findings") or ())
    return Outcome(case, result, wrong, case.fill.findings - found, found - case.fill.findings)


def _text(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _options(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def same(expected: object, read: object) -> bool:
    """Equal as a person would judge: text without its spacing, numbers exactly, options as a set."""
    if isinstance(expected, tuple):
        return set(expected) == set(_options(read))
    if isinstance(expected, float):
        return isinstance(read, (int, float)) and abs(read - expected) < 1e-6
    if isinstance(read, (list, tuple)):
        return _options(expected) == tuple(read)
    return read is not None and _text(expected) == _text(read)


# ---- the table ------------------------------------------------------------------------

def table(outcomes: list[Outcome]) -> str:
    """Fields right / total and verdicts right / total, per campaign and route."""
    rows: dict[tuple[str, str], list[int]] = {}
    for o in outcomes:
        cell = rows.setdefault((o.case.campaign, o.case.route), [0, 0, 0, 0, 0])
        cell[0] += o.fields_total - len(o.wrong_fields)
        cell[1] += o.fields_total
        cell[2] += o.verdict_right and not o.missing_findings and not o.extra_findings
        cell[3] += 1
        cell[4] += o.right
    lines = [f"{'campaign':<24}{'route':<13}{'fields':>12}{'verdicts':>10}{'cases right':>13}"]
    for (campaign, route), (fr, ft, vr, vt, cr) in rows.items():
        lines.append(f"{campaign:<24}{route:<13}{f'{fr}/{ft}':>12}{f'{vr}/{vt}':>10}{f'{cr}/{vt}':>13}")
    total = sum(o.right for o in outcomes)
    lines.append(f"{'all':<37}{'':>12}{'':>10}{f'{total}/{len(outcomes)}':>13}")
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> str:
    """What each wrong case got wrong, one line per difference."""
    lines = []
    for o in outcomes:
        if o.right:
            continue
        lines.append(f"{o.case.key} (verdict {o.result.get('verdict')} of {o.case.verdict}, "
                     f"campaign {o.result.get('campaign')}, client {o.case.client})")
        lines += [f"    field {k}: expected {e!r}, read {r!r}" for k, e, r in o.wrong_fields]
        lines += [f"    missing finding {f}" for f in sorted(o.missing_findings, key=str)]
        lines += [f"    unexpected finding {f}" for f in sorted(o.extra_findings, key=str)]
    return "\n".join(lines)
