"""The sample gallery: one card per prediction (thumbnail, reference vs generated, per-field verdicts).

Cards are plain HTML, readable with scripts off; gallery_script.py filters, sorts and pages them
through their data-* attributes (a page of PAGE_SIZE cards at a time, the filters kept in the URL).
templates/gallery.html.j2 writes them; every piece of data text is escaped there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup
from productlens.core.results_schema import PredictionRecord
from productlens.reports.category_tables import predicted_column
from productlens.reports.html_page import data_url
from productlens.reports.metric_format import format_price
from productlens.reports.sample_view import field_verdicts, overall_verdict, sample_flags, verdict_counts
from productlens.reports.samples_csv import samples_csv_url
from productlens.reports.templating import render

VERDICT_FILTERS = (
    ("", "any verdict"),
    ("right", "✓ all fields right"),
    ("close", "≈ close, nothing wrong"),
    ("wrong", "✗ something wrong"),
    ("unparsed", "— something unparsed"),
    ("title-miss", "title missed"),
    ("category-miss", "category missed"),
    ("price-miss", "price off by >25% or unparsed"),
)
SORTS = (
    ("id", "id"),
    ("error-desc", "price error, worst first"),
    ("error-asc", "price error, best first"),
    ("title-asc", "title F1, worst first"),
)
BADGE_SYMBOLS = {"right": "✓", "close": "≈", "wrong": "✗", "unparsed": "—"}
PAGE_SIZE = 48  # cards on one page of the gallery: a screen or two, not the whole evaluation at once


def sample_card(
    record: PredictionRecord,
    thumbnail: bytes | None,
    show_images: bool = True,
    confusion_columns: Sequence[str] = (),
) -> dict[str, Any]:
    """What templates/gallery.html.j2 shows of one sample; `show_images` False leaves out the image slot
    (a report without any thumbnails).

    The badge counts the fields by verdict (`2 right · 1 close`); its colour is the overall verdict.
    `confusion_columns` names the confusion matrix's columns, so a matrix cell can filter to its samples."""
    reference, parsed, scores = record["reference"], record["parsed"], record["scores"]
    verdicts = field_verdicts(record)
    overall = overall_verdict(verdicts)
    ape, f1 = scores["price_ape"], scores["title_f1"]
    currency = reference["currency"]
    return {
        "id": record["id"],
        "photo": data_url(thumbnail) if thumbnail else None,
        "show_images": show_images,
        "category": reference["category3"],
        "flags": " ".join(sample_flags(record)),
        "ape": "" if ape is None else f"{ape:.6g}",
        "f1": "" if f1 is None else f"{f1:.4g}",
        "predicted": predicted_column(parsed["category"], confusion_columns),
        "overall": overall,
        "badge": f"{BADGE_SYMBOLS[overall]} {verdict_counts(verdicts)}",
        "title": reference["title"],
        "answer_category": parsed["category"] or "—",
        "price": format_price(reference["price"], currency),
        "answer_price": format_price(parsed["price"], currency),
        "answer_title": parsed["title"] or "—",
        "generated": record["generated"] if record["generated"].strip() else "(empty answer)",
        "parse_error": record["parse_error"],
        "verdicts": verdicts,
    }


def gallery_section_body(
    predictions: Sequence[PredictionRecord],
    thumbnails: Mapping[str, bytes] | None,
    total: int | None = None,
    *,
    confusion_columns: Sequence[str] = (),
    all_predictions: Sequence[PredictionRecord] | None = None,
) -> Markup:
    """Controls (search, category, predicted, verdict, sort, CSV), the cards and the pager.

    `all_predictions` (default `predictions`) go into the CSV download, all of them even when the
    gallery holds only the first `len(predictions)`."""
    thumbnails = thumbnails or {}
    show_images = bool(thumbnails)
    shown = len(predictions)
    every = all_predictions if all_predictions is not None else predictions
    return render(
        "gallery.html.j2",
        categories=sorted({r["reference"]["category3"] for r in predictions}),
        predicted=sorted({predicted_column(r["parsed"]["category"], confusion_columns) for r in predictions}),
        verdict_filters=VERDICT_FILTERS,
        sorts=SORTS,
        csv=(len(every), samples_csv_url(every)),
        shown=shown,
        note=f" (the first {shown} of {total})" if total is not None and total > shown else "",
        page_size=PAGE_SIZE,
        cards=[sample_card(r, thumbnails.get(r["id"]), show_images, confusion_columns) for r in predictions],
    )
