"""The jinja2 environment, configured once: StrictUndefined, HTML autoescaped."""
from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    # A misspelt variable fails a test instead of mailing a blank to an applicant.
    undefined=jinja2.StrictUndefined,
    autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"),
                                        default_for_string=False),
    keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
)


def render(name: str, context: dict[str, object]) -> str:
    return _env.get_template(name).render(**context)
