"""Aggregates written over bootstrap weights: mean, median, root mean square and macro-F1.

Each factory takes per-sample values (NaN = unscored, left out) and returns a `Statistic` for
`productlens.evaluate.bootstrap`: weights (b, n) -> (b,). With weights of 1 they are the ordinary
aggregates; the tests check them against numpy and scikit-learn.
"""

from __future__ import annotations

import numpy as np
from productlens.evaluate.bootstrap import Statistic


class MeanStatistic:
    """Mean over scored samples, optionally transformed (the square root for an RMS).

    `bootstrap` stacks the columns of every MeanStatistic into one matrix, so all means of a
    chunk of resamples come from a single matrix product.
    """

    def __init__(self, values: np.ndarray, transform=None) -> None:
        values = np.asarray(values, dtype=np.float64)
        scored = ~np.isnan(values)
        self.filled = np.where(scored, values, 0.0)
        self.scored = scored.astype(np.float64)
        self.transform = transform

    def finish(self, total_value: np.ndarray, total_weight: np.ndarray) -> np.ndarray:
        """The statistic from the weighted sum of values and the weighted count of scored samples."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(
                total_weight > 0, total_value / np.where(total_weight > 0, total_weight, 1), np.nan
            )
        return mean if self.transform is None else self.transform(mean)

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        return self.finish(weights @ self.filled, weights @ self.scored)


def weighted_mean(values: np.ndarray) -> MeanStatistic:
    """Mean over scored samples."""
    return MeanStatistic(values)


def weighted_rms(values: np.ndarray) -> MeanStatistic:
    """Root mean square over scored samples (RMSLE when the values are log errors)."""
    return MeanStatistic(np.square(np.asarray(values, dtype=np.float64)), transform=np.sqrt)


def weighted_median(values: np.ndarray) -> Statistic:
    """Median over scored samples (the mean of the two middle values for an even count).

    A resample's median lies within a few sqrt(m) ranks of the sample's (the count of resampled
    values below a fixed rank varies about the middle rank with a standard deviation of sqrt(m) / 2),
    so the counts are summed in a window of 2 sqrt(m) ranks either side (4 standard deviations; plus
    one product for everything below the window) instead of over all m sorted values; the rare
    resample whose median falls outside the window (about 1 in 16,000) is done in full, so the result
    is exact either way.
    """
    values = np.asarray(values, dtype=np.float64)
    scored = ~np.isnan(values)
    rows = np.flatnonzero(scored)
    order = rows[np.argsort(values[rows], kind="stable")]
    sorted_values = values[order]
    m = order.size
    half = max(64, int(2 * np.sqrt(m)))
    low_edge, high_edge = max(0, (m - 1) // 2 - half), min(m, m // 2 + half + 1)
    window = order[low_edge:high_edge]
    # The scored count and the count below the window are weighted column sums: `bootstrap` adds
    # these columns to its one joint product, so no median reads the whole weight matrix itself.
    sums_of = np.zeros((values.size, 2))
    sums_of[scored, 0] = 1
    sums_of[order[:low_edge], 1] = 1

    def median_at(counts: np.ndarray, total: float, offset: int, before: float) -> float | None:
        """Median from cumulative counts of sorted values offset.., or None if it is not among them."""
        ranks = np.array([np.floor((total - 1) / 2), np.floor(total / 2)])
        if ranks[0] < before or ranks[1] >= counts[-1]:
            return None
        # The value at 0-based rank k of the expanded sample is the first whose count exceeds k.
        low, high = np.searchsorted(counts, ranks, side="right") + offset
        return float((sorted_values[low] + sorted_values[high]) / 2)

    def from_sums(weights: np.ndarray, sums: np.ndarray) -> np.ndarray:
        median = np.full(weights.shape[0], np.nan)
        if m == 0:
            return median
        total, under = sums[:, 0], sums[:, 1]
        # Counts are whole numbers, so float64 holds the running sums exactly.
        cumulative = np.cumsum(weights[:, window], axis=1, dtype=np.float64) + under[:, None]  # (b, window)
        # Every resample at once: ranks of the two middle values, found in the window when they lie
        # there (the count of cumulative counts <= rank is searchsorted's side="right" index).
        low_rank, high_rank = np.floor((total - 1) / 2), np.floor(total / 2)
        inside = (total > 0) & (low_rank >= under) & (high_rank < cumulative[:, -1])
        # One search for all rows: each row's counts (0..its last) shifted past the rows before it
        # make one sorted array; a row's ranks, shifted alike, only matter where they fall in it.
        shift = np.arange(weights.shape[0]) * (cumulative[:, -1].max() + 1.0)
        flat = (cumulative + shift[:, None]).ravel()
        start = np.arange(weights.shape[0]) * cumulative.shape[1] - low_edge
        low = np.searchsorted(flat, low_rank + shift, side="right") - start
        high = np.searchsorted(flat, high_rank + shift, side="right") - start
        median[inside] = (sorted_values[low[inside]] + sorted_values[high[inside]]) / 2
        for row in np.flatnonzero((total > 0) & ~inside):  # far from the sample median: all sorted values
            median[row] = median_at(np.cumsum(weights[row, order]), total[row], 0, 0.0)
        return median

    return SummedStatistic(sums_of, from_sums)


class SummedStatistic:
    """A statistic finished from weighted sums of its columns (n, k) and the weights themselves.

    `bootstrap` computes the sums of every such statistic in its joint product and calls
    `from_sums(weights, sums)`; called directly, the statistic computes its own sums.
    """

    def __init__(self, sum_columns: np.ndarray, from_sums) -> None:
        self.sum_columns = sum_columns
        self.from_sums = from_sums

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        return self.from_sums(weights, weights @ self.sum_columns.astype(weights.dtype, copy=False))


def weighted_macro_f1(true_codes: np.ndarray, predicted_codes: np.ndarray) -> Statistic:
    """Macro-F1 over the labels seen in truth or prediction (scikit-learn's average="macro").

    Codes are integers >= 0; a predicted code < 0 marks an unparsed answer, left out.
    """
    true_codes = np.asarray(true_codes)
    predicted_codes = np.asarray(predicted_codes)
    rows = np.flatnonzero(predicted_codes >= 0)
    truth, predicted = true_codes[rows], predicted_codes[rows]
    n_labels = int(max(truth.max(initial=-1), predicted.max(initial=-1))) + 1
    # Every per-label sum (support, predictions, hits) is a sum over the cells of the confusion matrix:
    # each parsed row is coded by its (true, predicted) cell, so one weighted bincount per resample
    # gives all cell sums, and the label sums are sums of cells (whole numbers: exact in float64).
    cells, cell_of_row = np.unique(truth * n_labels + predicted, return_inverse=True)
    codes = np.full(true_codes.size, cells.size)  # unparsed rows go to one extra cell, never read
    codes[rows] = cell_of_row
    cell_truth, cell_predicted = cells // n_labels, cells % n_labels
    truth_starts = np.flatnonzero(np.r_[True, cell_truth[1:] != cell_truth[:-1]]) if cells.size else cells
    by_prediction = np.argsort(cell_predicted, kind="stable")
    sorted_predicted = cell_predicted[by_prediction]
    predicted_starts = (
        np.flatnonzero(np.r_[True, sorted_predicted[1:] != sorted_predicted[:-1]]) if cells.size else cells
    )
    diagonal = np.flatnonzero(cell_truth == cell_predicted)

    def stat(weights: np.ndarray) -> np.ndarray:
        b = weights.shape[0]
        support, predictions, true_positive = (np.zeros((b, n_labels)) for _ in range(3))
        if cells.size:
            sums = np.empty((b, cells.size))
            for row in range(b):
                sums[row] = np.bincount(codes, weights=weights[row], minlength=cells.size + 1)[:-1]
            support[:, cell_truth[truth_starts]] = np.add.reduceat(sums, truth_starts, axis=1)
            predictions[:, sorted_predicted[predicted_starts]] = np.add.reduceat(
                sums[:, by_prediction], predicted_starts, axis=1
            )
            true_positive[:, cell_truth[diagonal]] = sums[:, diagonal]
        false_positive = predictions - true_positive
        false_negative = support - true_positive
        denominator = 2 * true_positive + false_positive + false_negative
        present = denominator > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(present, 2 * true_positive / np.where(present, denominator, 1), 0.0)
            return f1.sum(axis=1) / present.sum(axis=1)

    return stat
