"""The jinja2 environments: StrictUndefined, HTML autoescaped, per-campaign overrides.

A deployment may override any template by putting a file of the same name in [replies]
templates: `<folder>/<campaign id>/receipt.txt.j2` for one campaign, `<folder>/receipt.txt.j2`
for every campaign; the built-in templates are the fallback. Overrides can {% import %} the
built-in `_parts` macros.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=64)
def _environment(folder: Path | None, campaign: str | None) -> jinja2.Environment:
    searched = []
    if folder is not None:
        if campaign:
            searched.append(str(folder / campaign))
        searched.append(str(folder))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*searched, str(TEMPLATES)]),
        # A misspelt variable fails a test instead of mailing a blank to an applicant.
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"),
                                            default_for_string=False),
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )


def render(name: str, context: dict[str, object], folder: Path | None = None,
           campaign: str | None = None) -> str:
    """Template `name`, the campaign's override first when a folder of overrides is set."""
    return _environment(folder, campaign).get_template(name).render(**context)
