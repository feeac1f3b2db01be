"""`intake extract`: one document read with the best-matching (or a named) campaign's labels."""
from __future__ import annotations

from pathlib import Path

from parsers.model import Attachment
from pipeline.analysis import documents as docs
from pipeline.config.settings import Config
from pipeline.errors import ConfigError
from pipeline.workers.reader import document_reader


def extract_file(path: Path, config: Config, campaign: str | None) -> dict[str, object]:
    profiles = config.profiles()
    if campaign and campaign not in profiles:
        raise ConfigError(f"no campaign {campaign!r}; known: {', '.join(profiles)}")
    reader = document_reader(config)
    items = reader.read(reader.expand([Attachment(path.name, "", path.read_bytes())]))
    chosen = campaign or docs.campaign_by_form(items, profiles)
    documents = docs.read_documents(items, profiles.get(chosen) if chosen else None)
    result = documents[0].to_json()
    result["campaign"] = chosen
    result["sections"] = [{"name": s.name, "chars": s.chars, "text": s.text}
                          for s in documents[0].sections]
    if len(documents) > 1:
        result["members"] = [d.to_json() for d in documents[1:]]
    return result
