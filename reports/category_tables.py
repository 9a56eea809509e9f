"""Per-category accuracy and the confusion matrix as HTML tables (the matrix as a heat-map)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from markupsafe import Markup
from productlens.core.category_labels import OTHER, UNPARSED, normalise_category
from productlens.core.results_schema import CategoryRow, Confusion
from productlens.reports.metric_format import format_value
from productlens.reports.templating import render

UNPARSED_COLUMN = UNPARSED


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


def per_category_table(per_category: Mapping[str, CategoryRow]) -> Markup:
    ordered = sorted(per_category.items(), key=lambda item: (-item[1]["n"], item[0]))
    rows = [
        {
            "category": category,
            "n": row["n"],
            "accuracy": format_value(row["accuracy"], "percent"),
            "width": 0.0 if row["accuracy"] is None else max(0.0, min(1.0, row["accuracy"])) * 100,
            "mdape": format_value(row["price_mdape"], "percent"),
        }
        for category, row in ordered
    ]
    return render("per_category.html.j2", rows=rows)


def confusion_table(confusion: Confusion, link_samples: bool = False) -> Markup:
    """Rows are true categories, columns predicted; shade by share of the row, zeros left blank.

    With `link_samples`, each count links to the gallery filtered to those samples."""
    labels, matrix, columns = confusion["labels"], confusion["matrix"], confusion["columns"]
    rows = []
    for true_label, counts in zip(labels, matrix, strict=False):
        total = sum(counts)
        if total == 0:
            continue  # a label only ever predicted: it has a column, not a row
        cells = []
        for column, count in zip(columns, counts, strict=False):
            share = count / total
            query = urlencode({"category": true_label, "predicted": column}, quote_via=quote)
            cells.append(
                {
                    "column": column,
                    "count": count,
                    "classes": " ".join(
                        [*(["diag"] if column == true_label else []), *([] if count else ["zero"])]
                    ),
                    "alpha": f"{0.08 + 0.8 * share if count else 0.0:.3f}",
                    "white": share > 0.55,
                    "share": f"{share:.0%}",
                    "link": f"#samples?{query}" if count and link_samples else None,
                }
            )
        rows.append((true_label, cells))
    empty = not labels or not matrix
    return render("confusion.html.j2", empty=empty, columns=columns, rows=rows, link_samples=link_samples)
