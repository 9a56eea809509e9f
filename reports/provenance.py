"""The provenance section: which model, adapter and data produced the numbers, with what settings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from productlens.reports.cost_view import cost_facts
from productlens.reports.html_page import esc


def _value(value: Any) -> str:
    if value is None or value == "":
        return '<span class="dir unknown">—</span>'
    if isinstance(value, dict | list):
        return f'<code class="mono">{esc(json.dumps(value, sort_keys=True, default=str))}</code>'
    return esc(value)


def key_value_table(mapping: Mapping[str, Any], caption: str) -> str:
    if not mapping:
        return ""
    rows = "".join(
        f'<tr><td><code class="mono">{esc(k)}</code></td><td>{_value(v)}</td></tr>'
        for k, v in sorted(mapping.items())
    )
    return f'<h3>{esc(caption)}</h3><div class="table-wrap"><table class="kv"><tbody>{rows}</tbody></table></div>'


def provenance_body(results: Mapping[str, Any]) -> str:
    provenance = results.get("provenance") or {}
    timings = results.get("timings") or {}
    facts = [
        ("Model", provenance.get("model")),
        ("Adapter", provenance.get("adapter")),
        ("Data", provenance.get("data")),
        ("Data fingerprint", provenance.get("data_fingerprint")),
        ("Split", provenance.get("split")),
        ("Samples", results.get("n")),
        ("Created", provenance.get("created")),
        (
            "Generation time",
            None if timings.get("generation_s") is None else f"{timings['generation_s']:.1f} s",
        ),
        ("Scoring time", None if timings.get("scoring_s") is None else f"{timings['scoring_s']:.2f} s"),
        ("Results schema", results.get("schema")),
        *cost_facts(results),
    ]
    facts_html = "".join(f"<dt>{esc(label)}</dt><dd>{_value(value)}</dd>" for label, value in facts)
    return (
        f'<dl class="prov">{facts_html}</dl>'
        '<div class="two">'
        f"<div>{key_value_table(provenance.get('settings') or {}, 'Settings')}</div>"
        f"<div>{key_value_table(provenance.get('versions') or {}, 'Package versions')}</div>"
        "</div>"
        "<details><summary>Raw results.json (embedded in this file)</summary>"
        '<pre class="raw mono" id="raw-results">(needs JavaScript)</pre></details>'
    )
