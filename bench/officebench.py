"""Legacy .doc to .docx through LibreOffice: one start per document, and one batch for all.

Both use the pipeline's Converter (parsers/office.py) without its cache, on a profile that
has been used once already (the first start of a new profile builds it, which costs seconds
and happens once per installation).
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from parsers.office import Converter

# Documents converted one at a time: enough for a steady figure; each costs a LibreOffice start.
SINGLE = 5


@dataclass(frozen=True)
class ConversionFigures:
    single_seconds: float  # per document, one LibreOffice start each
    batch_seconds: float  # per document, all in one call
    documents: int  # in the batch
    failures: int


def measure_conversion(docs: list[Path]) -> ConversionFigures:
    items = [(path.read_bytes(), "doc") for path in docs]
    converter = Converter(cache=None, timeout=300)
    try:
        converter.convert(*items[0])  # the profile's first start, not measured
        started = time.perf_counter()
        singles = [converter.convert(*item) for item in items[:SINGLE]]
        single = (time.perf_counter() - started) / len(singles)
        started = time.perf_counter()
        batch = converter.convert_many(items)
        batched = (time.perf_counter() - started) / len(items)
    finally:
        converter.close()
    failures = sum(r.docx is None for r in singles) + sum(r.docx is None for r in batch.values())
    return ConversionFigures(single, batched, len(items), failures)


if __name__ == "__main__":
    import sys
    with tempfile.TemporaryDirectory():
        print(measure_conversion(sorted(Path(sys.argv[1]).glob("*.doc"))))
