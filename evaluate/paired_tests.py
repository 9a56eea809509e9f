"""Paired significance tests for `evaluate compare`: McNemar, the paired bootstrap, and Holm's correction.

For each pair of runs (a run against the first) and each metric both report, on the samples both scored:

- a per-sample correct/incorrect metric (accuracies, exact match, within-x %, parse rates) scored on the
  same samples by both runs gets McNemar's exact test: under "no difference" the samples where exactly one
  run is right split 50/50, so p is the two-sided binomial tail of the smaller count;
- every other metric (means of continuous scores, medians, macro-F1, RMSLE) gets the paired bootstrap:
  the difference resampled on the same ids for both runs, p two-sided from its bootstrap standard error
  (z = delta / se), which stays informative below 1 / resamples, where Holm needs it;
- Holm's step-down correction across all the metrics of that pair, so "significant" means p_holm < 0.05
  with the family-wise error rate held at 5 %.

A metric on which both runs scored every shared sample the same is `identical`: "no difference", p = 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
from productlens.evaluate.aggregate import MetricSpec
from productlens.evaluate.bootstrap import Estimate
from productlens.evaluate.weighted_stats import MeanStatistic
from scipy.stats import binom

ALPHA = 0.05
# Metrics whose per-sample score is right (1) or wrong (0).
_BINARY_METRIC = re.compile(r"(parse_rate|_accuracy|title_exact|_within_\d+pct)(_all)?$")


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts (a right and b wrong, and the reverse)."""
    discordant = only_a + only_b
    if discordant == 0:
        return 1.0
    return float(min(1.0, 2 * binom.cdf(min(only_a, only_b), discordant, 0.5)))


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values (step-down, monotone, capped at 1); None stays None and is not counted."""
    ranked = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(ranked):
        running = max(running, min(1.0, (len(ranked) - rank) * p))
        adjusted[i] = running
    return adjusted


def bootstrap_p_value(estimate: Estimate) -> float | None:
    """Two-sided p for "the difference is 0" from the bootstrap standard error of the difference."""
    if estimate.value is None or estimate.replicates is None or estimate.replicates.size < 2:
        return None
    se = float(np.std(estimate.replicates, ddof=1))
    if se == 0:
        return 1.0 if estimate.value == 0 else 0.0
    return float(math.erfc(abs(estimate.value) / se / math.sqrt(2)))


def is_binary_metric(name: str, spec: MetricSpec) -> bool:
    statistic = spec.statistic
    return (
        bool(_BINARY_METRIC.search(name))
        and isinstance(statistic, MeanStatistic)
        and statistic.transform is None
    )


def pair_tests(
    first: Mapping[str, MetricSpec],
    other: Mapping[str, MetricSpec],
    metrics: Sequence[str],
    differences: Mapping[str, Estimate],
) -> dict[str, dict]:
    """metric -> {test, p_value, p_holm, significant, identical} for one pair of runs (other minus first)."""
    tests: dict[str, dict] = {}
    for name in metrics:
        a, b = first[name].statistic, other[name].statistic
        estimate = differences[name]
        binary = is_binary_metric(name, first[name]) and is_binary_metric(name, other[name])
        if binary and isinstance(a, MeanStatistic) and isinstance(b, MeanStatistic) and _same_rows(a, b):
            scored = a.scored > 0
            right_a, right_b = a.filled[scored] > 0.5, b.filled[scored] > 0.5
            only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
            tests[name] = {
                "test": "mcnemar",
                "p_value": mcnemar_exact(only_a, only_b),
                "identical": only_a == only_b == 0,
            }
            continue
        replicates = estimate.replicates
        identical = estimate.value == 0 and (
            _same_values(a, b)
            if isinstance(a, MeanStatistic) and isinstance(b, MeanStatistic)
            else replicates is not None and bool(np.all(replicates == 0))
        )
        tests[name] = {
            "test": "bootstrap",
            "p_value": 1.0 if identical else bootstrap_p_value(estimate),
            "identical": bool(identical),
        }
    adjusted = holm([tests[name]["p_value"] for name in metrics])
    for name, p_holm in zip(metrics, adjusted, strict=True):
        tests[name]["p_holm"] = p_holm
        tests[name]["significant"] = p_holm is not None and p_holm < ALPHA and not tests[name]["identical"]
    return tests


def _same_rows(a: MeanStatistic, b: MeanStatistic) -> bool:
    """Both runs scored the same samples (McNemar needs a pair for every sample it counts)."""
    return bool(np.array_equal(a.scored, b.scored))


def _same_values(a: MeanStatistic, b: MeanStatistic) -> bool:
    return bool(np.array_equal(a.scored, b.scored) and np.array_equal(a.filled, b.filled))
