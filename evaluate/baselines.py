"""Baselines on the evaluation split, scored like a model: what a number has to beat to mean anything.

- training-median price: one price for everything;
- per-category median price given the true category: an oracle on category, so a model that
  beats it reads more than the category from the image;
- majority category: the most common training category for everything;
- noise floor (synthetic sets): the price before noise (`oracle_price`); no model can do better
  on average, since the rest of the error is noise the image cannot show.
"""

from __future__ import annotations

import numpy as np
from productlens.core.category_labels import normalise_category
from productlens.evaluate.aggregate import MetricSpec
from productlens.evaluate.category_metrics import category_scores, category_specs
from productlens.evaluate.price_metrics import price_errors, price_specs
from productlens.evaluate.training_stats import TrainingStats


def baseline_specs(
    true_price: np.ndarray,
    true_category3: list[str],
    true_category1: list[str | None],
    true_category2: list[str | None],
    oracle_price: np.ndarray,
    stats: TrainingStats,
) -> dict[str, tuple[str, list[MetricSpec]]]:
    """Baseline name -> (label, metric specs over the evaluation's samples)."""
    n = len(true_category3)
    baselines: dict[str, tuple[str, list[MetricSpec]]] = {}

    def price_baseline(name: str, label: str, predicted: np.ndarray) -> None:
        errors = price_errors(predicted, true_price)
        specs = price_specs(errors["abs_error"], errors["ape"], errors["log_error"], smape=errors["smape"])
        baselines[name] = (label, specs)

    price_baseline("train_median_price", "Training median price", np.full(n, stats.median_price))
    median_of = {
        c: stats.category_median_price.get(normalise_category(c), stats.median_price)
        for c in set(true_category3)
    }  # each distinct category normalised once
    per_category = np.array([median_of[c] for c in true_category3])
    price_baseline("category_median_price", "Median price of the true category (oracle)", per_category)
    oracle = np.asarray(oracle_price, dtype=np.float64)
    if n and not np.all(np.isnan(oracle)):
        price_baseline("oracle_price", "Noise floor (price before noise)", oracle)

    majority = [stats.majority_category] * n
    triples = list(zip(true_category3, true_category1, true_category2, strict=True))
    distinct = {triple: i for i, triple in enumerate(dict.fromkeys(triples))}
    truth_index = np.fromiter(map(distinct.__getitem__, triples), dtype=np.int64, count=n)
    # The same prediction throughout: one score per distinct truth, spread to the samples by index.
    scores = [category_scores(stats.majority_category, *triple, stats.hierarchy) for triple in distinct]
    columns = {
        name: np.array([np.nan if row[name] is None else row[name] for row in scores], dtype=np.float64)[
            truth_index
        ]
        for name in ("category3_correct", "category1_correct", "category2_correct")
    }
    specs = [
        spec
        for spec in category_specs(columns, true_category3, majority)
        if spec.name != "category3_accuracy_all"  # the same as category3_accuracy when nothing fails to parse
    ]
    baselines["majority_category"] = (f"Majority category ({stats.majority_category})", specs)
    return baselines
