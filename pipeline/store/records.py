"""Documents to database rows and back, so a later version can merge with an earlier one."""
from __future__ import annotations

import dataclasses
import json

from parsers.model import Document, Section


def document_to_row(doc: Document) -> dict[str, object]:
    detail = dataclasses.asdict(doc)
    for key in ("name", "kind", "format", "size", "sha256"):
        detail.pop(key)
    detail["fields"] = {k: list(v) if isinstance(v, tuple) else v for k, v in doc.fields.items()}
    return {"name": doc.name, "kind": doc.kind, "format": doc.format, "size": doc.size,
            "sha256": doc.sha256, "detail": json.dumps(detail, ensure_ascii=False)}


def document_from_row(row: dict) -> Document:
    detail = json.loads(row.get("detail") or "{}")
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in detail.pop("fields", {}).items()}
    sections = tuple(Section(**s) for s in detail.pop("sections", ()))
    return Document(name=row["name"], kind=row["kind"], format=row["format"], size=row["size"],
                    sha256=row["sha256"], fields=fields, sections=sections, **detail)
