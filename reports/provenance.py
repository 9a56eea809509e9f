"""The provenance section: which model, adapter and data produced the numbers, with what settings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from productlens.core.results_schema import PromptContext, Results
from productlens.reports.cost_view import cost_facts
from productlens.reports.templating import render


def _shown(value: Any) -> tuple[str, str | None]:
    """(how templates/provenance.html.j2 draws it: "missing", "code" or "text", the text)."""
    if value is None or value == "":
        return "missing", None
    if isinstance(value, dict | list):
        return "code", json.dumps(value, sort_keys=True, default=str)
    return "text", str(value)


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


def applicable_settings(settings: Mapping[str, Any], prompt: PromptContext | None = None) -> dict[str, Any]:
    """The settings that shaped these answers: none of another source's, none left unset, and the
    prompt style actually used in place of an unset `prompt_style`."""
    source = answer_source(settings)
    others = set().union(*(keys for name, keys in SOURCE_SETTINGS.items() if name != source))
    if source == "predictions":
        others |= GENERATION_SETTINGS
    shown = {key: value for key, value in settings.items() if key not in others and value not in (None, "")}
    if prompt and prompt["name"]:
        shown["prompt_style"] = prompt["name"]
    return shown


def provenance_body(results: Results) -> Markup:
    provenance, timings = results["provenance"], results["timings"]
    settings = applicable_settings(provenance["settings"], provenance.get("prompt"))
    facts = [
        ("Model", provenance["model"]),
        ("Adapter", provenance["adapter"]),
        ("Answers from", SOURCE_WORDS[answer_source(provenance["settings"])]),
        ("Data", provenance["data"]),
        ("Data fingerprint", provenance["data_fingerprint"]),
        ("Split", provenance["split"]),
        ("Samples", results["n"]),
        ("Created", provenance["created"]),
        ("Generation time", _generation_time(timings["generation_s"])),
        ("Scoring time", f"{timings['scoring_s']:.2f} s"),
        ("Results schema", results["schema"]),
        *cost_facts(results),
    ]
    return render(
        "provenance.html.j2",
        facts=[(label, _shown(value)) for label, value in facts if value not in (None, "")],
        tables=[
            ("Settings that applied", [(k, _shown(v)) for k, v in sorted(settings.items())]),
            ("Package versions", [(k, _shown(v)) for k, v in sorted(provenance["versions"].items())]),
        ],
    )
