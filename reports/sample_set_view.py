"""Rich renderables for sample-gen: a set's summary (rows per split and category, price range) and what
`sample-gen import` and `sample-gen augment` did.

They take plain dictionaries (`SetSummary.to_dict()`, `ImportReport.to_dict()`, `AugmentReport.to_dict()`)
and compute nothing of their own. Categories, sources, currency and paths are data text: they go in as
`Text`, never as Rich markup, so a category such as `[/women]` prints as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

SPLITS = ("train", "validation", "test")


def summary_renderable(
    summary: Mapping[str, Any], title: str, manifest: Mapping[str, Any] | None = None
) -> Group:
    """Two tables: the set at a glance, then rows per category3 and split."""
    overview = Table(title=Text(title), show_header=False, title_justify="left")
    overview.add_column("field", style="bold")
    overview.add_column("value")
    overview.add_row("rows", f"{summary['rows']:,}")
    overview.add_row("splits", ", ".join(f"{s} {n:,}" for s, n in summary["rows_per_split"].items()))
    overview.add_row(
        "category1", Text(", ".join(f"{c} {n:,}" for c, n in sorted(summary["rows_per_category1"].items())))
    )
    overview.add_row(
        "sources", Text(", ".join(f"{s} {n:,}" for s, n in sorted(summary["rows_per_source"].items())))
    )
    low, high, mean = summary["price_min"], summary["price_max"], summary["price_mean"]
    if low is not None and high is not None and mean is not None:
        overview.add_row(
            "full price", Text(f"{low:,.0f} - {high:,.0f} {summary['currency']} (mean {mean:,.0f})")
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

    splits = [s for s in SPLITS if s in summary["rows_per_split"]]
    categories = Table(title="rows per category3", title_justify="left")
    categories.add_column("category3")
    for split in splits:
        categories.add_column(split, justify="right")
    categories.add_column("total", justify="right", style="bold")
    per_split = summary["rows_per_split_category3"]
    for category, total in sorted(summary["rows_per_category3"].items()):
        counts = [str(per_split.get((s, category), 0)) for s in splits]
        categories.add_row(Text(category), *counts, str(total))
    return Group(overview, categories)


def import_renderable(report: Mapping[str, Any]) -> Group:
    """The outcome of an import: counts, failures by reason, the fetcher's figures, the new set."""
    table = Table(title=Text(f"import into {report['out']}"), show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("rows", f"imported {report['rows_imported']:,} of {report['rows_read']:,} rows")
    failed = len(report["failures"])
    table.add_row(
        "failed", Text(f"{failed:,} rows failed" + (f"; see {report['failures_path']}" if failed else ""))
    )
    for reason, count in sorted(report["failure_counts"].items(), key=lambda item: -item[1]):
        table.add_row("", f"{reason}: {count:,}")
    fetch = report["fetch"]
    table.add_row(
        "downloads",
        f"{fetch['requests']:,} requests, {fetch['retries']:,} retries, {fetch['cache_hits']:,} from cache, "
        f"{fetch['bytes_received'] / 1e6:,.1f} MB",
    )
    if fetch["cache_replaced"]:
        table.add_row("", f"{fetch['cache_replaced']:,} cache entries did not decode; fetched again")
    elapsed = report["elapsed_s"]
    rate = report["rows_read"] / elapsed if elapsed > 0 else 0.0
    table.add_row("time", f"{elapsed:,.1f} s ({rate:,.0f} rows/s)")
    return Group(table, summary_renderable(report["summary"], f"sample set {report['out']}"))


def augment_renderable(report: Mapping[str, Any]) -> Group:
    """Parents, children per split and the balancing copies, then the new set's summary."""
    table = Table(title=Text(f"augment into {report['out']}"), show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("parents", f"{report['parents']:,} rows copied as they were")
    children = report["children"]
    listed = ", ".join(f"{split} {n:,}" for split, n in sorted(children.items())) or "none"
    table.add_row("augmented", f"{sum(children.values()):,} rows ({listed})")
    table.add_row("balancing", f"{report['balancing_copies']:,} extra copies of rare categories")
    return Group(table, summary_renderable(report["summary"], f"sample set {report['out']}"))
