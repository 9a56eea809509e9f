"""The HTML reports' templates: Jinja2 with autoescaping, loaded from reports/templates (package data).

Every value a template prints is escaped unless it is `Markup`. Markup is made in three places only:
a template's own output (`render`), an inline SVG built by svg_plots.figure_to_svg from matplotlib's
paths and escaped labels, and the page's constants (its CSS, its script, the JSON already made safe
for a <script> element).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name is an error, never an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> Markup:
    """`template` (a file in reports/templates) rendered with `context`, as Markup for another template."""
    return Markup(environment().get_template(template).render(**context))
