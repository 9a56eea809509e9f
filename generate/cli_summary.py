"""Rich renderables for a sample set's summary (rows per split and category, price range)."""

from __future__ import annotations

from typing import Any

from productlens.core.sample_set import SPLITS
from productlens.generate.summary import SetSummary
from rich.console import Group
from rich.table import Table
from rich.text import Text


def summary_renderable(summary: SetSummary, title: str, manifest: dict[str, Any] | None = None) -> Group:
    """Two tables: the set at a glance, then rows per category3 and split.

    Categories, sources, currency and paths are data text: they go in as `Text`, never as Rich markup,
    so a category such as `[/women]` prints as written instead of ending the command.
    """
    overview = Table(title=Text(title), show_header=False, title_justify="left")
    overview.add_column("field", style="bold")
    overview.add_column("value")
    overview.add_row("rows", f"{summary.rows:,}")
    overview.add_row("splits", ", ".join(f"{s} {n:,}" for s, n in summary.rows_per_split.items()))
    overview.add_row(
        "category1", Text(", ".join(f"{c} {n:,}" for c, n in sorted(summary.rows_per_category1.items())))
    )
    overview.add_row(
        "sources", Text(", ".join(f"{s} {n:,}" for s, n in sorted(summary.rows_per_source.items())))
    )
    if summary.price_min is not None and summary.price_max is not None and summary.price_mean is not None:
        overview.add_row(
            "full price",
            Text(
                f"{summary.price_min:,.0f} - {summary.price_max:,.0f} {summary.currency} "
                f"(mean {summary.price_mean:,.0f})"
            ),
        )
    if manifest:
        overview.add_row("generator", f"{manifest['generator']['name']} {manifest['generator']['version']}")
        overview.add_row("seed", str(manifest.get("seed")))
        overview.add_row("checksum", str(manifest.get("checksum")))
        holdout = (manifest.get("config") or {}).get("holdout")
        if holdout:
            overview.add_row(
                "held out",
                Text(
                    f"{len(holdout['combinations'])} combinations ({holdout['spec']}), never in train; "
                    "rows carry combination_seen"
                ),
            )

    splits = [s for s in SPLITS if s in summary.rows_per_split]
    categories = Table(title="rows per category3", title_justify="left")
    categories.add_column("category3")
    for split in splits:
        categories.add_column(split, justify="right")
    categories.add_column("total", justify="right", style="bold")
    for category, total in sorted(summary.rows_per_category3.items()):
        counts = [str(summary.rows_per_split_category3[(s, category)]) for s in splits]
        categories.add_row(Text(category), *counts, str(total))
    return Group(overview, categories)
