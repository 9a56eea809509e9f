"""Aggregates written over bootstrap weights: mean, median, root mean square and macro-F1.

Each factory takes per-sample values (NaN = unscored, left out) and returns a `Statistic` for
`productlens.evaluate.bootstrap`: weights (b, n) -> (b,). With weights of 1 they are the ordinary
aggregates; the tests check them against numpy and scikit-learn.
"""

from __future__ import annotations

import numpy as np
from productlens.evaluate.bootstrap import Statistic


def weighted_mean(values: np.ndarray) -> Statistic:
    """Mean over scored samples."""
    values = np.asarray(values, dtype=np.float64)
    scored = ~np.isnan(values)
    filled = np.where(scored, values, 0.0)
    scored_f = scored.astype(np.float64)

    def stat(weights: np.ndarray) -> np.ndarray:
        total = weights @ scored_f
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (weights @ filled) / total, np.nan)

    return stat


def weighted_rms(values: np.ndarray) -> Statistic:
    """Root mean square over scored samples (RMSLE when the values are log errors)."""
    mean_square = weighted_mean(np.square(np.asarray(values, dtype=np.float64)))
    return lambda weights: np.sqrt(mean_square(weights))


def weighted_median(values: np.ndarray) -> Statistic:
    """Median over scored samples (the mean of the two middle values for an even count)."""
    values = np.asarray(values, dtype=np.float64)
    rows = np.flatnonzero(~np.isnan(values))
    order = rows[np.argsort(values[rows], kind="stable")]
    sorted_values = values[order]
    last = max(order.size - 1, 0)

    def stat(weights: np.ndarray) -> np.ndarray:
        if order.size == 0:
            return np.full(weights.shape[0], np.nan)
        cumulative = np.cumsum(weights[:, order], axis=1)  # (b, m) counts up to each sorted value
        total = cumulative[:, -1]
        low_rank = np.floor((total - 1) / 2)[:, None]
        high_rank = np.floor(total / 2)[:, None]
        # The value at 0-based rank k of the expanded sample is the first one whose count exceeds k.
        low = np.minimum((cumulative <= low_rank).sum(axis=1), last)
        high = np.minimum((cumulative <= high_rank).sum(axis=1), last)
        median = (sorted_values[low] + sorted_values[high]) / 2
        return np.where(total > 0, median, np.nan)

    return stat


def weighted_macro_f1(true_codes: np.ndarray, predicted_codes: np.ndarray) -> Statistic:
    """Macro-F1 over the labels seen in truth or prediction (scikit-learn's average="macro").

    Codes are integers >= 0; a predicted code < 0 marks an unparsed answer, left out.
    """
    true_codes = np.asarray(true_codes)
    predicted_codes = np.asarray(predicted_codes)
    rows = np.flatnonzero(predicted_codes >= 0)
    truth, predicted = true_codes[rows], predicted_codes[rows]
    n_labels = int(max(truth.max(initial=-1), predicted.max(initial=-1))) + 1
    by_truth = _Grouping(rows, truth, n_labels)
    by_prediction = _Grouping(rows, predicted, n_labels)
    hits = truth == predicted
    by_hit = _Grouping(rows[hits], truth[hits], n_labels)

    def stat(weights: np.ndarray) -> np.ndarray:
        true_positive = by_hit.sums(weights)
        false_positive = by_prediction.sums(weights) - true_positive
        false_negative = by_truth.sums(weights) - true_positive
        denominator = 2 * true_positive + false_positive + false_negative
        present = denominator > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(present, 2 * true_positive / np.where(present, denominator, 1), 0.0)
            return f1.sum(axis=1) / present.sum(axis=1)

    return stat


class _Grouping:
    """Per-label sums of weights over rows, via one gather and np.add.reduceat (no one-hot matrix)."""

    def __init__(self, rows: np.ndarray, codes: np.ndarray, n_labels: int) -> None:
        order = np.argsort(codes, kind="stable")
        self.rows = rows[order]
        sorted_codes = codes[order]
        self.labels, self.starts = np.unique(sorted_codes, return_index=True)
        self.n_labels = n_labels

    def sums(self, weights: np.ndarray) -> np.ndarray:
        out = np.zeros((weights.shape[0], self.n_labels))
        if self.rows.size:
            out[:, self.labels] = np.add.reduceat(weights[:, self.rows], self.starts, axis=1)
        return out
