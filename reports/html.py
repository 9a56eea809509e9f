"""Self-contained HTML reports: one evaluation (write_report) and several side by side (write_compare_report).

One file each, written atomically: inline CSS, matplotlib plots as inline SVG, thumbnails as data
URLs, one small inline script, and a CSP that forbids every network request. The markup comes from
the templates in reports/templates (Jinja2, autoescaped); this module decides which sections a report has.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from markupsafe import Markup
from productlens.core.atomic_writes import atomic_write_text
from productlens.core.results_schema import CompareResult, PredictionRecord, Results
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
from productlens.reports.html_page import Section, page
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
from productlens.reports.templating import render
from productlens.reports.training_section import training_body

WIDE_CONFUSION = 8
MAX_GALLERY = 5000  # beyond this the file grows past what a browser scrolls comfortably
SAMPLES_INTRO = (
    "Every answer beside its reference, with a verdict per field: ✓ right, ≈ close, ✗ wrong, — unparsed."
    " Price is right within 10% and close within 25%; a title is close from a token F1 of 0.5. The badge"
    " counts the three fields; its colour is the worst of them. Filters are kept in the address, so a"
    " view can be bookmarked."
)


def write_report(
    path: str | Path,
    results: Results,
    predictions: Sequence[PredictionRecord],
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    max_gallery: int = MAX_GALLERY,
) -> Path:
    """Write the report of one evaluation to `path` (results.json dict, prediction records, id -> JPEG)."""
    atomic_write_text(path, render_report(results, predictions, thumbnails, max_gallery=max_gallery))
    return Path(path)


def render_report(
    results: Results,
    predictions: Sequence[PredictionRecord],
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    max_gallery: int = MAX_GALLERY,
) -> str:
    """The report as one HTML string (write_report writes it)."""
    provenance = results["provenance"]
    sections = [
        *image_check_sections(results),  # the ablation verdict on top
        Section(
            "headline",
            "Headline numbers",
            "Headline",
            headline_cards(results),
            "Each metric with its 95% bootstrap confidence interval and the baselines on the same samples.",
        ),
        Section("metrics", "All metrics", "Metrics", metrics_table(results)),
        _price_section(results, predictions),
        Section("categories", "Categories", "Categories", _categories_body(results)),
        *group_sections(results),
        Section(
            "samples",
            "Samples",
            "Samples",
            gallery_section_body(
                predictions[:max_gallery],
                thumbnails,
                total=len(predictions),
                confusion_columns=results["confusion"]["columns"],
                all_predictions=predictions,
            ),
            SAMPLES_INTRO,
        ),
    ]
    training = training_body(provenance)
    if training:
        label = "Training" if "training" in provenance else "Prompt"
        title = "Training and prompt" if "training" in provenance else "Prompt"
        sections.append(Section("training", title, label, training))
    sections.append(Section("provenance", "Provenance", "Provenance", provenance_body(results)))
    return page(f"productlens · {results['name']}", _header(results), sections, GALLERY_JS, data=results)


def _price_section(results: Results, predictions: Sequence[PredictionRecord]) -> Section:
    currency = results_currency(results, predictions)
    points = scatter_points(predictions)
    labels = point_labels(predictions)
    errors = log_errors(predictions)
    intro = (
        f"{len(points)} of {len(predictions)} answers had a readable price; unparsed prices are counted by the "
        "parse rate, not here."
    )
    if errors:
        intro += f" Median log error {statistics.median(errors):+.3f} (positive = over-estimate)."
    body = render(
        "price.html.j2",
        scatter=price_scatter_svg(points, currency, labels),
        scatter_narrow=price_scatter_svg(points, currency, labels, narrow=True),
        histogram=log_error_histogram_svg(errors),
        histogram_narrow=log_error_histogram_svg(errors, narrow=True),
        bands=price_bands_html(results, currency),
    )
    return Section("price", "Price", "Price", body, intro)


def _categories_body(results: Results) -> Markup:
    # Side by side while the matrix is small; stacked (each full width) once it has many categories.
    layout = "two" if len(results["confusion"]["labels"]) <= WIDE_CONFUSION else "stack"
    return render(
        "categories.html.j2",
        layout=layout,
        per_category=per_category_table(results["per_category"]),
        confusion=confusion_table(results["confusion"], link_samples=True),
    )


def write_compare_report(
    path: str | Path, compare: CompareResult, thumbnails: Mapping[str, bytes] | None = None
) -> Path:
    """Write the comparison of several evaluations (the compare dict) to `path`."""
    atomic_write_text(path, render_compare_report(compare, thumbnails))
    return Path(path)


def render_compare_report(compare: CompareResult, thumbnails: Mapping[str, bytes] | None = None) -> str:
    runs = compare["runs"]
    names = [run["name"] for run in runs]
    differences_intro = (
        f"Each run minus {names[0] if names else 'the first run'}, on the samples both scored, with a 95% "
        "paired-bootstrap interval. Only a difference significant after Holm's correction (or, without "
        "tests, an interval that excludes 0) is called better or worse."
    )
    sections = [
        Section("summary", "Summary", "Summary", summary_body(compare), summary_intro()),
        Section("runs", "Runs", "Runs", runs_body(runs)),
        Section("cost", "Cost and speed", "Cost", cost_body(compare)),
        Section(
            "differences",
            "Differences",
            "Differences",
            differences_body(runs, compare["differences"]),
            differences_intro,
        ),
        Section(
            "disagreements",
            "Where the runs disagree most",
            "Disagreements",
            disagreements_body(compare["disagreements"], names, thumbnails),
        ),
    ]
    title = "productlens · compare " + " vs ".join(names)
    return page(title, compare_header(names), sections, GALLERY_JS, data=compare)


def _header(results: Results) -> Markup:
    provenance = results["provenance"]
    chips = [
        ("model", provenance["model"]),
        ("adapter", provenance["adapter"]),
        ("split", provenance["split"]),
        ("samples", results["n"]),
        ("data", provenance["data_fingerprint"][:12]),
        ("created", provenance["created"]),
    ]
    shown = [(label, value) for label, value in chips if value not in (None, "")]
    return render("report_header.html.j2", name=results["name"], chips=shown)
