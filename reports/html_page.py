"""The page shell of a self-contained HTML report: safe JSON in <script>, a strict CSP, atomic write.

The Content-Security-Policy allows no network at all (`default-src 'none'`), images only as data
URLs, and exactly one script: ours, pinned by its SHA-256. Even text that escaped escaping could
neither run nor load anything. The markup itself comes from templates/page.html.j2 (autoescaped).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from markupsafe import Markup
from productlens.reports.page_style import PAGE_CSS
from productlens.reports.templating import render


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


class Section(NamedTuple):
    """One section of a report and its entry in the section bar."""

    anchor: str  # the element id the bar links to
    title: str
    link: str  # the bar's label
    body: Markup  # rendered by a template
    intro: str = ""  # plain text, escaped by the page template


def page(title: str, header: Markup, sections: Sequence[Section], script: str, data: Any = None) -> str:
    """The whole document (templates/page.html.j2); `data` is embedded as JSON for readers."""
    return render(
        "page.html.j2",
        title=title,
        csp=content_security_policy(script),
        css=Markup(PAGE_CSS),
        header=header,
        sections=sections,
        data_json=None if data is None else Markup(json_for_script(data)),
        script=Markup(script),  # a constant of ours, pinned by the CSP's hash: it must go in unchanged
    )
