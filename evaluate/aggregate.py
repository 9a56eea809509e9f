"""A metric as a named statistic over per-sample scores, estimated with its bootstrap interval."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from productlens.core.results_schema import MetricValue
from productlens.evaluate.bootstrap import Statistic, bootstrap


@dataclass(frozen=True)
class MetricSpec:
    """One aggregate: how to compute it from bootstrap weights, and how to show it."""

    name: str
    label: str
    higher_is_better: bool
    statistic: Statistic
    n: int  # samples that carry a score for this metric


def scored_count(values: np.ndarray) -> int:
    return int(np.count_nonzero(~np.isnan(np.asarray(values, dtype=np.float64))))


def estimate_metrics(
    specs: list[MetricSpec], n: int, n_resamples: int = 1000, seed: int = 0
) -> dict[str, MetricValue]:
    """results.json entries for the specs: value, 95 % CI, n, direction and label."""
    estimates = bootstrap({spec.name: spec.statistic for spec in specs}, n, n_resamples, seed)
    return {
        spec.name: MetricValue(
            value=estimates[spec.name].value,
            ci_low=estimates[spec.name].ci_low,
            ci_high=estimates[spec.name].ci_high,
            n=spec.n,
            higher_is_better=spec.higher_is_better,
            label=spec.label,
        )
        for spec in specs
    }
