"""Metrics on groups of samples: seen vs unseen attribute combinations, and accuracy per visual attribute.

One function, `grouped_metrics`, scores any partition of the records: each group is scored like a whole
evaluation (its own metrics with 95 % bootstrap intervals, the same resample count and seed). Two
breakdowns use it, and `breakdowns` returns both as results.json additions:

- `combinations` (sets made with `sample-gen --holdout`): every metric for the samples whose attribute
  combination occurs in training ("seen") and for the held-out ones ("unseen"), and the gap seen - unseen
  of the key metrics with a bootstrap interval over all samples. A model that reads attributes does
  nearly as well on unseen combinations; one that memorised combinations does not.
- `attributes` (synthetic sets): per visual attribute, how often the predicted title names it right,
  overall and per value (evaluate/attributes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from productlens.core.results_schema import (
    AttributeBreakdown,
    CombinationBreakdown,
    GroupMetrics,
    PredictionRecord,
)
from productlens.evaluate.aggregate import MetricSpec, estimate_metrics, scored_count
from productlens.evaluate.attributes import (
    ATTRIBUTE_LABELS,
    attribute_columns,
    attribute_specs,
    metric_name,
)
from productlens.evaluate.bootstrap import bootstrap, paired_difference
from productlens.evaluate.weighted_stats import weighted_mean, weighted_median

SpecsFor = Callable[[list[PredictionRecord]], list[MetricSpec]]


def grouped_metrics(
    records: Sequence[PredictionRecord],
    labels: Sequence[str | None],
    specs_for: SpecsFor,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, GroupMetrics]:
    """Metrics with CIs per group label (records with label None belong to no group), groups sorted."""
    members: dict[str, list[PredictionRecord]] = {}
    for record, label in zip(records, labels, strict=True):
        if label is not None:
            members.setdefault(label, []).append(record)
    return {
        label: GroupMetrics(
            n=len(group), metrics=estimate_metrics(specs_for(group), len(group), n_resamples, seed)
        )
        for label, group in sorted(members.items())
    }


def all_specs(records: list[PredictionRecord]) -> list[MetricSpec]:
    """Every metric of an evaluation plus the attribute-word accuracies."""
    from productlens.evaluate.scoring import metric_specs  # scoring imports this module

    return [*metric_specs(records), *attribute_specs(records)]


def breakdowns(records: Sequence[PredictionRecord], n_resamples: int = 1000, seed: int = 0) -> dict:
    """The results.json additions `combinations` and `attributes`, where the records carry what they need."""
    out: dict = {}
    seen = [record["reference"].get("combination_seen") for record in records]
    if any(flag is not None for flag in seen):
        out["combinations"] = combination_breakdown(records, seen, n_resamples, seed)
    attributes = attribute_breakdown(records, n_resamples, seed)
    if attributes:
        out["attributes"] = attributes
    return out


def combination_breakdown(
    records: Sequence[PredictionRecord], seen: Sequence[bool | None], n_resamples: int, seed: int
) -> CombinationBreakdown:
    labels = [None if flag is None else ("seen" if flag else "unseen") for flag in seen]
    groups = grouped_metrics(records, labels, all_specs, n_resamples, seed)
    return CombinationBreakdown(
        seen=groups.get("seen"),
        unseen=groups.get("unseen"),
        gap=_gaps(records, labels, n_resamples, seed),
    )


def attribute_breakdown(
    records: Sequence[PredictionRecord], n_resamples: int, seed: int
) -> dict[str, AttributeBreakdown]:
    """Per attribute: the share of titles that name it right, overall and per true value."""
    out = {}
    overall = estimate_metrics(attribute_specs(list(records)), len(records), n_resamples, seed)
    for attribute in attribute_columns(records):
        name = metric_name(attribute)
        values = [(r["reference"].get("attributes") or {}).get(attribute) for r in records]

        def one_metric(group: list[PredictionRecord], name: str = name) -> list[MetricSpec]:
            return [spec for spec in attribute_specs(group) if spec.name == name]

        by_value = grouped_metrics(records, values, one_metric, n_resamples, seed)
        out[attribute] = AttributeBreakdown(
            label=ATTRIBUTE_LABELS[attribute],
            overall=overall[name],
            by_value={
                value: group["metrics"][name] for value, group in by_value.items() if name in group["metrics"]
            },
        )
    return out


def _gaps(
    records: Sequence[PredictionRecord], labels: Sequence[str | None], n_resamples: int, seed: int
) -> dict:
    """seen - unseen for the key metrics, bootstrapped over all samples (both groups resampled at once)."""
    seen = np.array([label == "seen" for label in labels])
    unseen = np.array([label == "unseen" for label in labels])
    if not seen.any() or not unseen.any():
        return {}
    columns = {
        "category3_accuracy": (_column(records, "category3_correct"), weighted_mean),
        "price_mdape": (_column(records, "price_ape"), weighted_median),
        "title_f1": (_column(records, "title_f1"), weighted_mean),
    }
    columns.update(
        {
            metric_name(attribute): (column, weighted_mean)
            for attribute, column in attribute_columns(records).items()
        }
    )
    statistics = {}
    for name, (column, aggregate) in columns.items():
        if scored_count(column[seen]) and scored_count(column[unseen]):
            statistics[name] = paired_difference(
                aggregate(np.where(seen, column, np.nan)), aggregate(np.where(unseen, column, np.nan))
            )
    estimates = bootstrap(statistics, len(records), n_resamples, seed)
    return {
        name: {"delta": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high} for name, e in estimates.items()
    }


def _column(records: Sequence[PredictionRecord], score: str) -> np.ndarray:
    values = [record["scores"].get(score) for record in records]
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)
