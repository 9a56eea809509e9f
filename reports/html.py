"""Self-contained HTML reports: one evaluation (write_report) and several side by side (write_compare_report).

One file each, written atomically: inline CSS, matplotlib plots as inline SVG, thumbnails as data
URLs, one small inline script, and a CSP that forbids every network request.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from productlens.core.atomic_writes import atomic_write_text
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
from productlens.reports.html_page import esc, page, section
from productlens.reports.metric_format import results_currency
from productlens.reports.price_bands_view import price_bands_html
from productlens.reports.provenance import provenance_body
from productlens.reports.svg_plots import (
    log_error_histogram_svg,
    log_errors,
    point_labels,
    price_scatter_svg,
    scatter_points,
)
from productlens.reports.training_section import training_body

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
    atomic_write_text(path, render_report(results, predictions, thumbnails, max_gallery=max_gallery))
    return Path(path)


def render_report(
    results: Mapping[str, Any],
    predictions: Sequence[Mapping[str, Any]],
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    max_gallery: int = MAX_GALLERY,
) -> str:
    """The report as one HTML string (write_report writes it)."""
    name = str(results.get("name", "evaluation"))
    currency = results_currency(results, predictions)
    points = scatter_points(predictions)
    labels = point_labels(predictions)
    confusion = results.get("confusion") or {}
    confusion_columns = [
        str(c) for c in confusion.get("columns") or [*(confusion.get("labels") or []), "(unparsed)"]
    ]
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
            f'<figure><div class="plot-wide">{price_scatter_svg(points, currency, labels)}</div>'
            f'<div class="plot-narrow">{price_scatter_svg(points, currency, labels, narrow=True)}</div>'
            "<figcaption>Predicted against true full price, log scale. On the dashed line the prediction is "
            "exact; the band is ±25%. Hover a point for its sample.</figcaption></figure>"
            f'<figure><div class="plot-wide">{log_error_histogram_svg(errors)}</div>'
            f'<div class="plot-narrow">{log_error_histogram_svg(errors, narrow=True)}</div>'
            "<figcaption>Error distribution: log(1 + predicted) − log(1 + true), labelled as the ratio "
            "predicted / true.</figcaption></figure></div>" + price_bands_html(results, currency),
            esc(price_intro),
        ),
        section(
            "categories",
            "Categories",
            f'<div class="{layout}">'
            f"<div><h3>Category3 accuracy per category</h3>{per_category_table(results.get('per_category') or {})}</div>"
            f"<div><h3>Confusion matrix (category3)</h3>{confusion_table(confusion, link_samples=True)}</div></div>",
        ),
        section(
            "samples",
            "Samples",
            gallery_section_body(
                predictions[:max_gallery],
                thumbnails,
                total=n,
                confusion_columns=confusion_columns,
                all_predictions=predictions,
            ),
            "Every answer beside its reference, with a verdict per field: ✓ right, ≈ close, ✗ wrong, — unparsed."
            " Price is right within 10% and close within 25%; a title is close from a token F1 of 0.5. The badge"
            " counts the three fields; its colour is the worst of them. Filters are kept in the address, so a"
            " view can be bookmarked.",
        ),
    ]
    sections[:0], extra_links = image_check_sections(results)  # the ablation verdict on top, then the rest
    sections[-1:-1], group_links = group_sections(results)  # before samples
    training = training_body(results.get("provenance") or {})
    trained = bool((results.get("provenance") or {}).get("training"))
    if training:
        sections.append(section("training", "Training and prompt" if trained else "Prompt", training))
    sections.append(section("provenance", "Provenance", provenance_body(results)))
    links = [
        ("headline", "Headline"),
        ("metrics", "Metrics"),
        ("price", "Price"),
        ("categories", "Categories"),
        ("samples", "Samples"),
        *([("training", "Training" if trained else "Prompt")] if training else []),
        ("provenance", "Provenance"),
    ]
    at_samples = links.index(("samples", "Samples"))
    links[at_samples:at_samples] = group_links
    links[:0] = extra_links
    return page(f"productlens · {name}", _header(results), sections, GALLERY_JS, data=results, links=links)


def write_compare_report(
    path: str | Path, compare: Mapping[str, Any], thumbnails: Mapping[str, bytes] | None = None
) -> Path:
    """Write the comparison of several evaluations (the compare dict) to `path`."""
    atomic_write_text(path, render_compare_report(compare, thumbnails))
    return Path(path)


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
