"""`make accuracy`: the corpus through the product, a table per campaign and route for a person.

    python -m tests.accuracy [ROUTE ...]
"""
from __future__ import annotations

import sys
import time

from tests.accuracy.corpus import build_corpus
from tests.accuracy.routes import DESCRIPTIONS, ROUTES
from tests.accuracy.score import failures, run_corpus, table


def main(argv: list[str]) -> int:
    routes = tuple(argv) or ROUTES
    started = time.monotonic()
    cases = build_corpus(routes)
    built = time.monotonic()
    outcomes = run_corpus(cases)
    print("\n".join(f"{route:<13}{DESCRIPTIONS[route]}" for route in routes), end="\n\n")
    print(table(outcomes))
    wrong = failures(outcomes)
    if wrong:
        print("\n" + wrong)
    print(f"\n{len(cases)} cases: built in {built - started:.0f} s, "
          f"checked in {time.monotonic() - built:.0f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
