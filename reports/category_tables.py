"""Per-category accuracy and the confusion matrix as HTML tables (the matrix as a heat-map)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from productlens.core.category_labels import OTHER, UNPARSED, normalise_category
from productlens.reports.html_page import esc
from productlens.reports.metric_format import format_value


def predicted_column(predicted: str | None, columns: Sequence[str]) -> str:
    """The confusion column an answer's category falls in: its spelling there, "(unparsed)", or "(other)"
    for a label the matrix folded away; the answer as written when there is no matrix."""
    if predicted is None:
        return UNPARSED
    key = normalise_category(predicted)
    for column in columns:
        if normalise_category(column) == key:
            return column
    return OTHER if OTHER in columns else " ".join(predicted.split())


def per_category_table(per_category: Mapping[str, Mapping[str, Any]]) -> str:
    rows = []
    ordered = sorted(per_category.items(), key=lambda item: (-int(item[1].get("n") or 0), str(item[0])))
    for category, row in ordered:
        accuracy = row.get("accuracy")
        width = 0.0 if accuracy is None else max(0.0, min(1.0, float(accuracy))) * 100
        rows.append(
            f'<tr data-category="{esc(category)}"><td>{esc(category)}</td><td class="num">{esc(row.get("n", ""))}</td>'
            f'<td class="num">{esc(format_value(accuracy, "percent"))}</td>'
            f'<td><div class="bar" role="presentation"><span style="width:{width:.1f}%"></span></div></td>'
            f'<td class="num">{esc(format_value(row.get("price_mdape"), "percent"))}</td></tr>'
        )
    return (
        '<div class="table-wrap"><table class="per-category"><thead><tr><th>Category</th><th class="num">n</th>'
        '<th class="num">Accuracy</th><th></th><th class="num">Price median APE</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def confusion_table(confusion: Mapping[str, Any], link_samples: bool = False) -> str:
    """Rows are true categories, columns predicted; shade by share of the row, zeros left blank.

    With `link_samples`, each count links to the gallery filtered to those samples."""
    labels = [str(label) for label in confusion.get("labels") or []]
    matrix = confusion.get("matrix") or []
    columns = [str(c) for c in confusion.get("columns") or [*labels, UNPARSED]]
    if not labels or not matrix:
        return '<p class="empty">No confusion matrix in these results.</p>'
    head = "".join(f'<th class="col" scope="col"><span>{esc(column)}</span></th>' for column in columns)
    rows = []
    for true_label, counts in zip(labels, matrix, strict=False):
        total = sum(counts)
        if total == 0:
            continue  # a label only ever predicted: it has a column, not a row
        cells = []
        for column, count in zip(columns, counts, strict=False):
            share = count / total if total else 0.0
            classes = ["diag"] if column == true_label else []
            if count == 0:
                classes.append("zero")
            alpha = 0.08 + 0.8 * share if count else 0.0
            text_colour = "color:#fff;" if share > 0.55 else ""
            content = "" if count == 0 else str(count)
            if count and link_samples:
                query = urlencode({"category": true_label, "predicted": column}, quote_via=quote)
                content = f'<a href="#samples?{esc(query)}">{count}</a>'
            cells.append(
                f'<td class="{" ".join(classes)}" style="background:rgba(var(--heat),{alpha:.3f});{text_colour}"'
                f' title="true {esc(true_label)}, predicted {esc(column)}: {count} ({share:.0%} of the row)">'
                f"{content}</td>"
            )
        rows.append(f'<tr><th class="row" scope="row">{esc(true_label)}</th>{"".join(cells)}</tr>')
    link_note = " Click a count to see its samples in the gallery." if link_samples else ""
    return (
        '<div class="table-wrap"><table class="heat confusion" aria-label="Confusion matrix">'
        f"<thead><tr><th>true ↓ / predicted →</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        "<p class=\"legend\">Each cell: how many samples of the row's true category got the column's prediction "
        f"(blank: none); shading is the share of the row; the outlined cells are correct.{link_note}</p>"
    )
