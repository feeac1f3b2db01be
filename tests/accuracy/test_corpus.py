"""The accuracy corpus (issue 18): every campaign's form made every way applicants make it.

One module-wide run: the forms are made (LibreOffice in a few batches), mailed in each client's
MIME, checked as `intake check` checks them, and every field, finding and verdict compared with
the case's own. `make accuracy` prints the same table for a person.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.accuracy.corpus import CAMPAIGNS, build_corpus
from tests.accuracy.routes import DESCRIPTIONS, ROUTES
from tests.accuracy.score import Outcome, failures, run_corpus, table
from tests.support.office import needs_soffice


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    needs_soffice()
    results = run_corpus(build_corpus())
    print("\n" + table(results))
    return results


def test_the_corpus_covers_every_campaign_and_route(outcomes):
    pairs = {(o.case.campaign, o.case.route) for o in outcomes}
    assert {c for c, _ in pairs} == set(CAMPAIGNS) and len(CAMPAIGNS) >= 6
    assert {r for _, r in pairs} == set(ROUTES) and len(ROUTES) >= 5
    assert len(pairs) == len(CAMPAIGNS) * len(ROUTES)
    assert len(outcomes) >= 200
    assert {o.case.verdict for o in outcomes} == {"complete", "deficient"}


def test_every_field_finding_and_verdict_is_right(outcomes):
    wrong = [o for o in outcomes if not o.right]
    assert not wrong, f"{len(wrong)} of {len(outcomes)} cases wrong\n{table(outcomes)}\n{failures(wrong)}"


def test_no_complete_submission_gets_an_error(outcomes):
    errors = [(o.case.key, f["rule"], f["field"]) for o in outcomes if o.case.verdict == "complete"
              for f in o.result.get("findings") or () if f["severity"] == "error"]
    assert errors == []


def test_every_deficient_submission_gets_exactly_its_deficiencies(outcomes):
    deficient = [o for o in outcomes if o.case.verdict == "deficient"]
    assert deficient
    assert [o.case.key for o in deficient if o.missing_findings or o.extra_findings] == []


README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_readme_describes_every_route():
    corpus = README.split("### The accuracy corpus", 1)[1].split("\n#", 1)[0]
    assert all(f"| `{route}` | {DESCRIPTIONS[route]} |" in corpus for route in ROUTES)


def test_the_readme_shows_the_table_this_run_makes(outcomes):
    block = README.split("<!-- accuracy -->\n```text\n", 1)[1].split("\n```\n<!-- /accuracy -->")[0]
    assert block == table(outcomes)
