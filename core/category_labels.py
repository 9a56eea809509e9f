"""How a category label is compared and which labels the confusion matrix adds: shared by the scoring
(evaluate/category_metrics.py) and the report that draws the matrix (reports/category_tables.py)."""

from __future__ import annotations

from functools import lru_cache

UNPARSED = "(unparsed)"  # the confusion column of answers whose category could not be read
OTHER = "(other)"  # the column that invented labels share beyond the matrix's limit


@lru_cache(maxsize=65536)  # few distinct categories, looked up for every sample several times
def normalise_category(text: str) -> str:
    """Case-folded, whitespace collapsed: "Shirts " and "SHIRTS" are the same category."""
    return " ".join(text.split()).casefold()
