"""Self-contained HTML reports: one evaluation (write_report) and several side by side (write_compare_report).

One file each, written atomically: inline CSS, matplotlib plots as inline SVG, thumbnails as data
URLs, one small inline script, and a CSP that forbids every network request.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from productlens.reports.breakdown_sections import group_sections, image_check_sections
from productlens.reports.category_tables import confusion_table, per_category_table
from productlens.reports.compare_html import (
    compare_header,
    differences_body,
    disagreements_body,
    runs_body,
)
from productlens.reports.compare_stats_view import cost_body, summary_body, summary_intro
from productlens.reports.gallery import gallery_section_body
from productlens.reports.gallery_script import GALLERY_JS
from productlens.reports.headline import headline_cards, metrics_table
from productlens.reports.html_page import esc, page, section, write_atomically
from productlens.reports.price_bands_view import price_bands_html
from productlens.reports.provenance import provenance_body
from productlens.reports.svg_plots import (
    log_error_histogram_svg,
    log_errors,
    price_scatter_svg,
    scatter_points,
)

WIDE_CONFUSION = 8
MAX_GALLERY = 5000  # beyond this the file grows past what a browser scrolls comfortably


def write_report(
    path: str | Path,
    results: Mapping[str, Any],
    predictions: Sequence[Mapping[str, Any]],
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    max_gallery: int = MAX_GALLERY,
) -> Path:
    """Write the report of one evaluation to `path` (results.json dict, prediction records, id -> JPEG)."""
    return write_atomically(path, render_report(results, predictions, thumbnails, max_gallery=max_gallery))


def render_report(
    results: Mapping[str, Any],
    predictions: Sequence[Mapping[str, Any]],
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    max_gallery: int = MAX_GALLERY,
) -> str:
    """The report as one HTML string (write_report writes it)."""
    name = str(results.get("name", "evaluation"))
    currencies = {str((r.get("reference") or {}).get("currency")) for r in predictions} - {"None", ""}
    currency = currencies.pop() if len(currencies) == 1 else ""
    points = scatter_points(predictions)
    errors = log_errors(predictions)
    n = len(predictions)
    # Side by side while the matrix is small; stacked (each full width) once it has many categories.
    layout = "two" if len(results.get("confusion", {}).get("labels") or []) <= WIDE_CONFUSION else "stack"
    price_intro = f"{len(points)} of {n} answers had a readable price; unparsed prices are counted by the parse rate, not here."
    if errors:
        price_intro += f" Median log error {statistics.median(errors):+.3f} (positive = over-estimate)."
    sections = [
        section(
            "headline",
            "Headline numbers",
            headline_cards(results),
            "Each metric with its 95% bootstrap confidence interval and the baselines on the same samples.",
        ),
        section("metrics", "All metrics", metrics_table(results)),
        section(
            "price",
            "Price",
            '<div class="plots">'
            f"<figure>{price_scatter_svg(points, currency)}<figcaption>Predicted against true full price, "
            "log scale. On the dashed line the prediction is exact; the band is ±25%.</figcaption></figure>"
            f"<figure>{log_error_histogram_svg(errors)}<figcaption>Error distribution: log(1 + predicted) − "
            "log(1 + true), labelled as the ratio predicted / true.</figcaption></figure></div>"
            + price_bands_html(results, currency),
            esc(price_intro),
        ),
        section(
            "categories",
            "Categories",
            f'<div class="{layout}">'
            f"<div><h3>Accuracy per category</h3>{per_category_table(results.get('per_category') or {})}</div>"
            f"<div><h3>Confusion matrix</h3>{confusion_table(results.get('confusion') or {})}</div></div>",
        ),
        section(
            "samples",
            "Samples",
            gallery_section_body(predictions[:max_gallery], thumbnails, total=n),
            "Every answer beside its reference, with a verdict per field: ✓ right, ≈ close, ✗ wrong, — unparsed."
            " Price is right within 10% and close within 25%.",
        ),
        section("provenance", "Provenance", provenance_body(results)),
    ]
    sections[:0], extra_links = image_check_sections(results)  # the ablation verdict on top, then the rest
    sections[-2:-2], group_links = group_sections(results)  # before samples and provenance
    links = [
        ("headline", "Headline"),
        ("metrics", "Metrics"),
        ("price", "Price"),
        ("categories", "Categories"),
        ("samples", "Samples"),
        ("provenance", "Provenance"),
    ]
    links[:0], links[-2:-2] = extra_links, group_links
    return page(f"productlens · {name}", _header(results), sections, GALLERY_JS, data=results, links=links)


def write_compare_report(
    path: str | Path, compare: Mapping[str, Any], thumbnails: Mapping[str, bytes] | None = None
) -> Path:
    """Write the comparison of several evaluations (the compare dict) to `path`."""
    return write_atomically(path, render_compare_report(compare, thumbnails))


def render_compare_report(compare: Mapping[str, Any], thumbnails: Mapping[str, bytes] | None = None) -> str:
    runs = compare.get("runs") or []
    names = [str(run.get("name", f"run {i}")) for i, run in enumerate(runs)]
    sections = [
        section("summary", "Summary", summary_body(compare), summary_intro()),
        section("runs", "Runs", runs_body(runs)),
        section("cost", "Cost and speed", cost_body(compare)),
        section(
            "differences",
            "Differences",
            differences_body(runs, compare.get("differences") or {}),
            f"Each run minus {esc(names[0] if names else 'the first run')}, on the samples both scored, with a "
            "95% paired-bootstrap interval. Only a difference significant after Holm's correction (or, without "
            "tests, an interval that excludes 0) is called better or worse.",
        ),
        section(
            "disagreements",
            "Where the runs disagree most",
            disagreements_body(compare.get("disagreements") or [], names, thumbnails),
        ),
    ]
    links = [
        ("summary", "Summary"),
        ("runs", "Runs"),
        ("cost", "Cost"),
        ("differences", "Differences"),
        ("disagreements", "Disagreements"),
    ]
    title = "productlens · compare " + " vs ".join(names)
    return page(title, compare_header(names), sections, GALLERY_JS, data=dict(compare), links=links)


def _header(results: Mapping[str, Any]) -> str:
    provenance = results.get("provenance") or {}
    chips = [
        ("model", provenance.get("model")),
        ("adapter", provenance.get("adapter")),
        ("split", provenance.get("split")),
        ("samples", results.get("n")),
        ("data", (provenance.get("data_fingerprint") or "")[:12]),
        ("created", provenance.get("created")),
    ]
    chip_html = "".join(
        f'<span class="chip">{esc(label)}: {esc(value)}</span>'
        for label, value in chips
        if value not in (None, "")
    )
    return (
        f"<h1>{esc(results.get('name', 'evaluation'))}</h1>"
        '<div class="sub">productlens evaluation report: product title, category and price read from photos</div>'
        f'<div class="chips">{chip_html}</div>'
    )
