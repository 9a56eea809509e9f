"""What each run cost (time, samples/s, tokens, device, dtype, batch, peak memory) for the reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from productlens.reports.html_page import esc

COLUMNS = (
    ("wall_s", "Wall time"),
    ("samples_per_s", "Samples/s"),
    ("prompt_tokens_per_sample", "Prompt tok/sample"),
    ("generated_tokens_per_sample", "Generated tok/sample"),
    ("device", "Device"),
    ("dtype", "dtype"),
    ("batch_size", "Batch or in flight"),
    ("peak_memory_gb", "Peak GPU memory"),
)


def cost_value(cost: Mapping[str, Any], key: str) -> str:
    """One cost figure as text; "—" where it is absent."""
    value = cost.get(key)
    if value is None:
        return "—"
    if key == "wall_s":
        return f"{value:,.1f} s"
    if key == "samples_per_s":
        return f"{value:,.2f}"
    if key.endswith("_per_sample"):
        return f"{value:,.1f}"
    if key == "peak_memory_gb":
        return f"{value:.2f} GB"
    return str(value)


def cost_facts(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) rows for the provenance of one evaluation; one row saying why when there are none."""
    cost = results.get("cost")
    if not cost:
        return []
    if cost.get("absent"):
        return [("Cost and speed", f"not recorded: {cost['absent']}")]
    rows = [(label, cost_value(cost, key)) for key, label in COLUMNS]
    rows.append(("Tokens counted by", str(cost.get("tokens_from") or "—")))
    rows.append(("Answers timed", str(cost.get("samples", 0))))
    return rows


def cost_table_html(runs: Sequence[Mapping[str, Any]]) -> str:
    """The runs' costs side by side (compare report)."""
    head = "".join(f"<th{_align(key)}>{esc(label)}</th>" for key, label in COLUMNS)
    rows = []
    for run in runs:
        cost = run.get("cost") or {}
        name = f"<td><b>{esc(run.get('name', ''))}</b></td>"
        if not cost or cost.get("absent"):
            reason = cost.get("absent") or "no cost recorded (evaluated before productlens counted it)"
            rows.append(f'<tr class="cost-absent">{name}<td colspan="{len(COLUMNS)}">{esc(reason)}</td></tr>')
            continue
        cells = "".join(f"<td{_align(key)}>{esc(cost_value(cost, key))}</td>" for key, _ in COLUMNS)
        rows.append(f"<tr>{name}{cells}</tr>")
    return (
        f'<div class="table-wrap"><table class="cost"><thead><tr><th>Run</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="legend">Tokens per sample come from the tokenizer (local model) or the server\'s usage '
        "(endpoint); time is the generation time of the answers, summed over resumed runs.</p>"
    )


def _align(key: str) -> str:
    return "" if key in ("device", "dtype") else ' class="num"'
