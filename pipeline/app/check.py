"""`intake check`: messages processed as if just arrived, in a throw-away database, sending nothing."""
from __future__ import annotations

import tempfile
import traceback
from datetime import datetime
from pathlib import Path
from typing import Iterator

from parsers.reading import Reader
from pipeline.analysis.analyse import analyse
from pipeline.app.process import Processor
from pipeline.app.sending import policy_of, settings_of
from pipeline.config.settings import Config
from pipeline.sources.base import Incoming
from pipeline.sources.fetch import ledger_row
from pipeline.store.database import Database
from pipeline.store.raw import RawStore
from pipeline.workers.reader import document_reader


def check_messages(paths: list[Path], config: Config, now: datetime) -> Iterator[dict[str, object]]:
    """One `intake check --json` object per message, in order; never raises for a bad message."""
    profiles = config.profiles()
    with tempfile.TemporaryDirectory(prefix="intake-check-") as folder:
        db = Database(None)
        store = RawStore(Path(folder) / "raw")
        processor = Processor(db, profiles, settings_of(config), policy_of(config))
        reader = document_reader(config)
        for index, path in enumerate(paths, 1):
            yield _check_one(db, store, (processor, reader), path, index, now)
        db.close()


def _check_one(db: Database, store: RawStore, workers: tuple[Processor, Reader], path: Path,
               index: int, now: datetime) -> dict[str, object]:
    processor, reader = workers
    data = path.read_bytes()
    sha256, stored = store.put(data)
    incoming = Incoming("", "", str(index), data, len(data))
    row = db.record_fetched(ledger_row("check", incoming, sha256, stored, now))
    try:
        outcome = processor.process(row, sha256, analyse(data, processor.profiles, reader), now)
    except Exception:  # a bug of ours must still give the caller a line, not a traceback
        return {"message_id": None, "campaign": None, "verdict": "not_submission",
                "reference": None, "unit_name": "", "fields": {}, "documents": [],
                "findings": [], "reply": {"kind": "none", "to": None, "subject": None, "status": "none",
                          "reason": None},
                "note": "处理失败，请秘书处人工查看", "error": traceback.format_exc(limit=3)}
    return {"file": str(path), **outcome.to_json()}
