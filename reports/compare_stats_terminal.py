"""The comparison in the terminal: one sentence per pair of runs and the runs' cost side by side."""

from __future__ import annotations

from collections.abc import Sequence

from productlens.core.results_schema import CompareResult, Results
from productlens.reports.compare_sentences import pair_sentences
from productlens.reports.cost_view import CostColumn, cost_value
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

TERMINAL_COLUMNS: tuple[tuple[CostColumn, str], ...] = (
    ("wall_s", "Wall"),
    ("samples_per_s", "Samples/s"),
    ("prompt_tokens_per_sample", "Prompt tok"),
    ("generated_tokens_per_sample", "Gen tok"),
    ("device", "Device"),
)


def compare_sentences(compare: CompareResult) -> RenderableType:
    """Each pair's sentence as plain Text (run names are data: never read as markup)."""
    lines = [Text("• ") + Text(sentence) for _, _, sentence in pair_sentences(compare)]
    return Group(*lines)


def compare_cost_table(runs: Sequence[Results]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Cost and speed", title_justify="left")
    table.add_column("Run", overflow="fold")
    for key, label in TERMINAL_COLUMNS:
        table.add_column(label, justify="left" if key == "device" else "right", overflow="fold")
    for run in runs:
        cost = run.get("cost")  # NotRequired: absent from evaluations made before productlens counted it
        name = Text(run["name"])
        if cost is None or cost["absent"]:
            reason = (cost and cost["absent"]) or "no cost recorded"
            table.add_row(name, Text(f"— {reason}", style="dim"), *[""] * (len(TERMINAL_COLUMNS) - 1))
            continue
        table.add_row(name, *(Text(cost_value(cost, key)) for key, _ in TERMINAL_COLUMNS))
    table.caption = (
        "tok: per sample, from the tokenizer (local model) or the server's usage (endpoint); wall: time of "
        "generation, summed over resumed runs"
    )
    table.caption_justify = "left"
    return table
