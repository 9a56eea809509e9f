"""sample-gen's tables rendered from plain data: the figures of the set, and data text printed as written."""

from __future__ import annotations

import io
from pathlib import Path

from productlens.generate.fidelity import compare_sets
from productlens.generate.summary import SetSummary, summarize_set
from productlens.reports.fidelity_view import fidelity_renderable
from productlens.reports.sample_set_view import summary_renderable
from rich.console import Console


def render(renderable) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_summary_shows_the_counts_per_split_and_category():
    summary = SetSummary()
    for split, category, price in [
        ("train", "TOTE BAGS", 100.0),
        ("train", "SNEAKERS", 300.0),
        ("test", "SNEAKERS", 200.0),
    ]:
        summary.add(
            split,
            {
                "category1_code": "WOMAN",
                "category3_code": category,
                "source": "synthetic",
                "currency_code": "USD",
                "full_price": price,
            },
        )
    text = render(summary_renderable(summary.to_dict(), "sample set data/x"))
    assert "│ rows       │ 3" in text
    assert "train 2, test 1" in text
    assert "100 - 300 USD (mean 200)" in text
    assert "│ SNEAKERS  │     1 │    1 │     2 │" in text
    assert "│ TOTE BAGS │     1 │    0 │     1 │" in text  # a split without the category shows 0


def test_data_text_is_printed_as_written_not_read_as_markup():
    summary = SetSummary()
    summary.add(
        "train",
        {
            "category1_code": "[bold]KIDS",
            "category3_code": "[/women]",
            "source": "imported",
            "currency_code": "[red]EUR",
            "full_price": 10.0,
        },
    )
    text = render(summary_renderable(summary.to_dict(), "sample set [b]odd"))
    assert "[/women]" in text and "[bold]KIDS" in text and "[red]EUR" in text and "[b]odd" in text


def test_fidelity_of_a_set_to_itself_is_zero_distance(sample_set: Path):
    report = compare_sets(sample_set, sample_set).to_dict()
    text = render(fidelity_renderable(report))
    rows = summarize_set(sample_set).rows
    rows_line = next(line for line in text.splitlines() if line.startswith("│ rows "))
    assert rows_line.split("│")[2:4] == [f"{rows:>5} ", f"{rows:>5} "]
    assert (
        next(line for line in text.splitlines() if "total variation" in line).rstrip("│ ").endswith("0.000")
    )
    shared = len(report["categories"])
    assert f"{shared} of {shared}" in text  # every category's price KS is below its critical value
