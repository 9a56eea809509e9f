"""The sample gallery: one card per prediction (thumbnail, reference vs generated, per-field verdicts).

Cards are plain HTML, readable with scripts off; gallery_script.py filters, sorts and pages them
through their data-* attributes (a page of PAGE_SIZE cards at a time, the filters kept in the URL).
Every piece of data text passes through `esc`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from productlens.reports.category_tables import predicted_column
from productlens.reports.html_page import data_url, esc
from productlens.reports.metric_format import format_price
from productlens.reports.sample_view import field_verdicts, overall_verdict, sample_flags, verdict_counts
from productlens.reports.samples_csv import samples_csv_link

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


def _price_text(value: Any, currency: str | None) -> str:
    return format_price(None if value is None else float(value), currency)


def sample_card(
    record: Mapping[str, Any],
    thumbnail: bytes | None,
    show_images: bool = True,
    confusion_columns: Sequence[str] = (),
) -> str:
    """One sample's card; `show_images` False leaves out the image slot (a report without any thumbnails).

    The badge counts the fields by verdict (`2 right · 1 close`); its colour is the overall verdict.
    `confusion_columns` names the confusion matrix's columns, so a matrix cell can filter to its samples."""
    reference = record.get("reference") or {}
    parsed = record.get("parsed") or {}
    scores = record.get("scores") or {}
    verdicts = field_verdicts(record)
    overall = overall_verdict(verdicts)
    ape = scores.get("price_ape")
    f1 = scores.get("title_f1")
    image = (
        f'<img src="{data_url(thumbnail)}" alt="photo of {esc(record.get("id"))}" decoding="async">'
        if thumbnail
        else '<div class="noimg">no image</div>'
        if show_images
        else ""
    )
    currency = reference.get("currency")
    chips = "".join(
        f'<span class="v {verdict.level}" data-field="{field}" title="{field}: {esc(verdict.text)}">'
        f"{esc(field)} {esc(verdict.symbol)} {esc(verdict.text)}</span>"
        for field, verdict in verdicts.items()
    )
    error = record.get("parse_error")
    error_html = f'<p class="error">parse error: {esc(error)}</p>' if error else ""
    generated = str(record.get("generated", ""))
    return (
        f'<article class="sample" data-id="{esc(record.get("id"))}" data-category="{esc(reference.get("category3", ""))}"'
        f' data-flags="{esc(" ".join(sample_flags(record)))}" data-ape="{"" if ape is None else f"{float(ape):.6g}"}"'
        f' data-f1="{"" if f1 is None else f"{float(f1):.4g}"}"'
        f' data-predicted="{esc(predicted_column(parsed.get("category"), confusion_columns))}">'
        f'<div class="head">{image}<div><div class="id">{esc(record.get("id"))}'
        f'<span class="badge {overall}" title="fields by verdict: title, category, price">'
        f"{esc(BADGE_SYMBOLS[overall])} {esc(verdict_counts(verdicts))}</span></div>"
        f'<div class="ref-title">{esc(reference.get("title", ""))}</div></div></div>'
        "<dl>"
        f"<dt>category</dt><dd>{esc(reference.get('category3', ''))} → <b>{esc(parsed.get('category') or '—')}</b></dd>"
        f"<dt>price</dt><dd>{esc(_price_text(reference.get('price'), currency))} → "
        f"<b>{esc(_price_text(parsed.get('price'), currency))}</b></dd>"
        f"<dt>title</dt><dd><b>{esc(parsed.get('title') or '—')}</b></dd>"
        "</dl>"
        f'<pre class="gen" title="generated text">{esc(generated) if generated.strip() else "(empty answer)"}</pre>'
        f'{error_html}<div class="verdicts">{chips}</div></article>'
    )


def gallery_section_body(
    predictions: Sequence[Mapping[str, Any]],
    thumbnails: Mapping[str, bytes] | None,
    total: int | None = None,
    *,
    confusion_columns: Sequence[str] = (),
    all_predictions: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """Controls (search, category, predicted, verdict, sort, CSV), the cards and the pager.

    `all_predictions` (default `predictions`) go into the CSV download, all of them even when the
    gallery holds only the first `len(predictions)`."""
    thumbnails = thumbnails or {}
    categories = sorted({str((r.get("reference") or {}).get("category3", "")) for r in predictions})
    category_options = '<option value="">all categories</option>' + "".join(
        f'<option value="{esc(c)}">{esc(c)}</option>' for c in categories
    )
    predicted = {
        predicted_column((r.get("parsed") or {}).get("category"), confusion_columns) for r in predictions
    }
    predicted_options = '<option value="">any answer</option>' + "".join(
        f'<option value="{esc(c)}">{esc(c)}</option>' for c in sorted(predicted)
    )
    verdict_options = "".join(
        f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in VERDICT_FILTERS
    )
    sort_options = "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in SORTS)
    show_images = bool(thumbnails)
    cards = "".join(
        sample_card(r, thumbnails.get(str(r.get("id"))), show_images, confusion_columns) for r in predictions
    )
    shown = len(predictions)
    note = f" (the first {shown} of {total})" if total is not None and total > shown else ""
    return (
        '<div class="controls" role="search">'
        '<label>Search <input type="search" id="q" placeholder="id, title, answer…" autocomplete="off"></label>'
        f'<label>Category <select id="category">{category_options}</select></label>'
        f'<label>Predicted <select id="predicted">{predicted_options}</select></label>'
        f'<label>Verdict <select id="verdict">{verdict_options}</select></label>'
        f'<label>Sort <select id="sort">{sort_options}</select></label>'
        f"{samples_csv_link(all_predictions if all_predictions is not None else predictions)}"
        f'<span class="count" id="count" aria-live="polite">{shown} samples{esc(note)}</span></div>'
        f'<div class="gallery" id="gallery" data-page-size="{PAGE_SIZE}">{cards}</div>'
        '<p class="empty" id="no-match" hidden>No sample matches these filters.</p>'
        '<nav class="pager" id="pager" aria-label="Gallery pages" hidden>'
        '<button type="button" id="prev">‹ previous</button><span id="page-text"></span>'
        '<button type="button" id="next">next ›</button></nav>'
    )
