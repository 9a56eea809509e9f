"""The page shell of a self-contained HTML report: escaping, safe JSON in <script>, a strict CSP, atomic write.

The Content-Security-Policy allows no network at all (`default-src 'none'`), images only as data
URLs, and exactly one script: ours, pinned by its SHA-256. Even text that escaped escaping could
neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Iterable
from typing import Any

from productlens.reports.page_style import PAGE_CSS


def esc(value: Any) -> str:
    """Text (any value) made safe for HTML element content and quoted attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON that can sit inside <script type="application/json">: no `</script>`, `<!--` or `]]>` can
    form, because every <, > and & is written as a \\u escape (JSON.parse reads them back)."""
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, default=str)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _finite(data: Any) -> Any:
    """NaN and infinities as null: JSON has no spelling for them and JSON.parse would reject one."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def data_url(payload: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "img-src data:",
            "style-src 'unsafe-inline'",
            f"script-src '{script_hash(script)}'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def nav(links: Iterable[tuple[str, str]]) -> str:
    """The sticky section bar: (anchor id, label) pairs."""
    items = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label in links)
    return f'<nav class="sections" aria-label="Sections">{items}</nav>'


def section(anchor: str, title: str, body: str, intro: str = "") -> str:
    """One report section; `body` and `intro` are HTML already escaped by their makers."""
    intro_html = f'<p class="intro">{intro}</p>' if intro else ""
    return (
        f'<section id="{esc(anchor)}" aria-labelledby="{esc(anchor)}-h">'
        f'<h2 id="{esc(anchor)}-h">{esc(title)}</h2>{intro_html}{body}</section>'
    )


def page(title: str, header: str, sections: list[str], script: str, data: Any = None, links=()) -> str:
    """The whole document. `header` and `sections` are HTML; `data` is embedded as JSON for readers."""
    data_block = (
        f'<script type="application/json" id="report-data">{json_for_script(data)}</script>'
        if data is not None
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(content_security_policy(script))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{PAGE_CSS}</style></head>"
        f'<body><header class="top">{header}</header>{nav(links)}'
        f"<main>{''.join(sections)}</main>"
        "<footer>Made by productlens · one self-contained file, no network requests</footer>"
        f"{data_block}<script>{script}</script></body></html>\n"
    )
