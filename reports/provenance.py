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


SOURCE_WORDS = {
    "predictions": "a saved predictions file (re-scored)",
    "endpoint": "an OpenAI-compatible server",
    "model": "the model, run here",
}


def _generation_time(seconds: float | None) -> str | None:
    """None (left out) when nothing was generated in this call: the answers were there already."""
    if seconds is None:
        return None
    return f"{seconds:.1f} s" if seconds >= 0.05 else "none: every answer was already saved"


def key_value_table(mapping: Mapping[str, Any], caption: str) -> str:
    if not mapping:
        return ""
    rows = "".join(
        f'<tr><td><code class="mono">{esc(k)}</code></td><td>{_value(v)}</td></tr>'
        for k, v in sorted(mapping.items())
    )
    return f'<h3>{esc(caption)}</h3><div class="table-wrap"><table class="kv"><tbody>{rows}</tbody></table></div>'


# Settings that only matter for one source of answers (results.json records every setting).
SOURCE_SETTINGS = {
    "endpoint": {"endpoint", "model_name", "concurrency", "timeout_s", "retries"},
    "model": {"run", "model", "adapter", "num_crops", "batch_size"},
    "predictions": {"predictions"},
}
GENERATION_SETTINGS = {"max_new_tokens", "limit"}  # what a saved predictions file was not made with here


def answer_source(settings: Mapping[str, Any]) -> str:
    """Where the answers came from: predictions (a saved file), endpoint (a server) or model (local)."""
    if settings.get("predictions"):
        return "predictions"
    if settings.get("endpoint"):
        return "endpoint"
    return "model"


def applicable_settings(
    settings: Mapping[str, Any], prompt: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The settings that shaped these answers: none of another source's, none left unset, and the
    prompt style actually used in place of an unset `prompt_style`."""
    source = answer_source(settings)
    others = set().union(*(keys for name, keys in SOURCE_SETTINGS.items() if name != source))
    if source == "predictions":
        others |= GENERATION_SETTINGS
    shown = {key: value for key, value in settings.items() if key not in others and value not in (None, "")}
    if prompt and prompt.get("name"):
        shown["prompt_style"] = prompt["name"]
    return shown


def provenance_body(results: Mapping[str, Any]) -> str:
    provenance = results.get("provenance") or {}
    timings = results.get("timings") or {}
    settings = applicable_settings(provenance.get("settings") or {}, provenance.get("prompt"))
    facts = [
        ("Model", provenance.get("model")),
        ("Adapter", provenance.get("adapter")),
        ("Answers from", SOURCE_WORDS[answer_source(provenance.get("settings") or {})]),
        ("Data", provenance.get("data")),
        ("Data fingerprint", provenance.get("data_fingerprint")),
        ("Split", provenance.get("split")),
        ("Samples", results.get("n")),
        ("Created", provenance.get("created")),
        ("Generation time", _generation_time(timings.get("generation_s"))),
        ("Scoring time", None if timings.get("scoring_s") is None else f"{timings['scoring_s']:.2f} s"),
        ("Results schema", results.get("schema")),
        *cost_facts(results),
    ]
    facts_html = "".join(
        f"<dt>{esc(label)}</dt><dd>{_value(value)}</dd>" for label, value in facts if value not in (None, "")
    )
    return (
        f'<dl class="prov">{facts_html}</dl>'
        '<div class="two">'
        f"<div>{key_value_table(settings, 'Settings that applied')}</div>"
        f"<div>{key_value_table(provenance.get('versions') or {}, 'Package versions')}</div>"
        "</div>"
        "<details><summary>Raw results.json (embedded in this file)</summary>"
        '<pre class="raw mono" id="raw-results">(needs JavaScript)</pre></details>'
    )
