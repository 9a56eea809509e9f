"""Category scores: category3 accuracy and macro-F1, category1/2 through the training taxonomy, confusion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from productlens.core.category_labels import OTHER, UNPARSED, normalise_category
from productlens.core.results_schema import Confusion
from productlens.evaluate.aggregate import MetricSpec, scored_count
from productlens.evaluate.weighted_stats import weighted_macro_f1, weighted_mean

# Predicted labels that are not true categories get their own column up to this many; the rest
# share "(other)", so a model that invents many categories cannot blow up the matrix.
MAX_INVENTED_LABELS = 20

Hierarchy = dict[str, tuple[str | None, str | None]]
"""category3 (normalised) -> (category1, category2), learned from the training split."""


class CategoryScores(TypedDict):
    """The category part of a RowScores (core/results_schema.py)."""

    category3_correct: int | None
    category1_correct: int | None
    category2_correct: int | None


def category_scores(
    predicted: str | None,
    true_category3: str,
    true_category1: str | None,
    true_category2: str | None,
    hierarchy: Hierarchy,
) -> CategoryScores:
    """Per-sample correctness; None when the category was not parsed.

    category1/2 of the answer come from the taxonomy; a parsed category3 the taxonomy does not
    know is wrong on every level (the answer was read, it just names no known category).
    """
    if predicted is None:
        return {"category3_correct": None, "category1_correct": None, "category2_correct": None}
    key = normalise_category(predicted)
    level1, level2 = hierarchy.get(key, (None, None))
    return {
        "category3_correct": int(key == normalise_category(true_category3)),
        "category1_correct": None
        if true_category1 is None
        else int(level1 is not None and normalise_category(level1) == normalise_category(true_category1)),
        "category2_correct": None
        if true_category2 is None
        else int(level2 is not None and normalise_category(level2) == normalise_category(true_category2)),
    }


def category_specs(
    columns: dict[str, np.ndarray], true_labels: Sequence[str], predicted_labels: Sequence[str | None]
) -> list[MetricSpec]:
    """Accuracy (parsed rows, and with failures as misses), macro-F1 on parsed rows, levels 1 and 2."""
    correct = columns["category3_correct"]
    parsed = np.array([label is not None for label in predicted_labels])
    correct_all = np.where(parsed, correct, 0.0)
    true_codes, predicted_codes = _codes(true_labels, predicted_labels)
    specs = [
        MetricSpec(
            "category3_accuracy", "Category3 accuracy", True, weighted_mean(correct), scored_count(correct)
        ),
        MetricSpec(
            "category3_accuracy_all",
            "Category3 accuracy (unparsed = miss)",
            True,
            weighted_mean(correct_all),
            len(correct_all),
        ),
        MetricSpec(
            "category3_macro_f1",
            "Category3 macro-F1",
            True,
            weighted_macro_f1(true_codes, predicted_codes),
            int(parsed.sum()),
        ),
    ]
    for level in ("category1", "category2"):
        values = columns.get(f"{level}_correct")
        if values is not None and scored_count(values):
            specs.append(
                MetricSpec(
                    f"{level}_accuracy",
                    f"{level.capitalize()} accuracy",
                    True,
                    weighted_mean(values),
                    scored_count(values),
                )
            )
    return specs


def _codes(
    true_labels: Sequence[str], predicted_labels: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray]:
    vocabulary: dict[str, int] = {}
    code_of: dict[str, int] = {}  # raw label -> code: each distinct label normalised once

    def code(label: str) -> int:
        found = code_of.get(label)
        if found is None:
            found = code_of[label] = vocabulary.setdefault(normalise_category(label), len(vocabulary))
        return found

    # Codes in order of first appearance (truths, then predictions), looked up once per distinct label.
    true_code = {label: code(label) for label in dict.fromkeys(true_labels)}
    predicted_code = {
        label: -1 if label is None else code(label) for label in dict.fromkeys(predicted_labels)
    }
    true_codes = np.fromiter(map(true_code.__getitem__, true_labels), dtype=np.int64, count=len(true_labels))
    predicted_codes = np.fromiter(
        map(predicted_code.__getitem__, predicted_labels), dtype=np.int64, count=len(predicted_labels)
    )
    return true_codes, predicted_codes


def confusion_matrix(true_labels: list[str], predicted_labels: list[str | None]) -> Confusion:
    """Counts with rows = true category, columns = predicted (same labels), then "(unparsed)".

    Labels are the true categories as written in the data (sorted), then invented predictions by
    frequency; a prediction matching a true category in another case counts as that category.
    """
    canonical = {normalise_category(t): t for t in sorted(set(true_labels))}
    labels = sorted(set(true_labels))
    # Each distinct prediction once, in order of first appearance (Counter ties keep that order).
    predicted_counts = Counter(p for p in predicted_labels if p is not None)
    invented: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for p, count in predicted_counts.items():
        key = normalise_category(p)
        spelling.setdefault(key, " ".join(p.split()))
        if key not in canonical:
            invented[key] += count
    kept = [spelling[label] for label, _ in invented.most_common(MAX_INVENTED_LABELS)]
    labels += kept
    if len(invented) > len(kept):
        labels.append(OTHER)
    index = {normalise_category(label): i for i, label in enumerate(labels)}
    columns = [*labels, UNPARSED]
    row_of = {t: index[normalise_category(t)] for t in set(true_labels)}
    other = index.get(normalise_category(OTHER), len(labels))
    column_of: dict[str | None, int] = {p: index.get(normalise_category(p), other) for p in predicted_counts}
    column_of[None] = len(labels)
    cells = np.fromiter(
        (row_of[t] * len(columns) + column_of[p] for t, p in zip(true_labels, predicted_labels, strict=True)),
        dtype=np.int64,
        count=len(true_labels),
    )
    matrix = np.bincount(cells, minlength=len(labels) * len(columns)).reshape(len(labels), len(columns))
    return Confusion(labels=labels, matrix=matrix.tolist(), columns=columns)
