"""What each run cost (time, samples/s, tokens, device, dtype, batch, peak memory) for the reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from markupsafe import Markup
from productlens.core.results_schema import Cost, Results
from productlens.reports.templating import render

CostColumn = Literal[
    "wall_s",
    "samples_per_s",
    "prompt_tokens_per_sample",
    "generated_tokens_per_sample",
    "device",
    "dtype",
    "batch_size",
    "peak_memory_gb",
]
COLUMNS: tuple[tuple[CostColumn, str], ...] = (
    ("wall_s", "Wall time"),
    ("samples_per_s", "Samples/s"),
    ("prompt_tokens_per_sample", "Prompt tok/sample"),
    ("generated_tokens_per_sample", "Generated tok/sample"),
    ("device", "Device"),
    ("dtype", "dtype"),
    ("batch_size", "Batch or in flight"),
    ("peak_memory_gb", "Peak GPU memory"),
)
TEXT_COLUMNS = ("device", "dtype")  # left-aligned; the rest are numbers


def cost_value(cost: Cost, key: CostColumn) -> str:
    """One cost figure as text; "—" where it is absent."""
    value = cost[key]
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


def cost_facts(results: Results) -> list[tuple[str, str]]:
    """(label, text) rows for the provenance of one evaluation; one row saying why when there are none."""
    if "cost" not in results:
        return []
    cost = results["cost"]
    if cost["absent"]:
        return [("Cost and speed", f"not recorded: {cost['absent']}")]
    rows = [(label, cost_value(cost, key)) for key, label in COLUMNS]
    rows.append(("Tokens counted by", cost["tokens_from"] or "—"))
    rows.append(("Answers timed", str(cost["samples"])))
    return rows


def cost_table_html(runs: Sequence[Results]) -> Markup:
    """The runs' costs side by side (compare report)."""
    rows = []
    for run in runs:
        cost = run.get("cost")  # NotRequired: absent from evaluations made before productlens counted it
        if cost is None or cost["absent"]:
            reason = (cost and cost["absent"]) or "no cost recorded (evaluated before productlens counted it)"
            rows.append((run["name"], reason, []))
        else:
            rows.append(
                (run["name"], None, [(key in TEXT_COLUMNS, cost_value(cost, key)) for key, _ in COLUMNS])
            )
    columns = [(key in TEXT_COLUMNS, label) for key, label in COLUMNS]
    return render("cost.html.j2", columns=columns, rows=rows)
