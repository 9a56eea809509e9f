"""Seeded, vectorised bootstrap confidence intervals for any aggregate, single-run or paired.

A statistic is a function from a weight matrix (resamples, samples) to one estimate per resample:
resampling n rows with replacement is the same as weighting each row by how often it was drawn.
The point estimate is the statistic at weight 1 for every row, so point and interval come from
the same code. All statistics of one call share the same resamples (a joint bootstrap), which is
also what makes the paired bootstrap of a difference between two runs on shared ids correct.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

Statistic = Callable[[np.ndarray], np.ndarray]
"""weights (n_resamples, n_samples) float64 -> estimates (n_resamples,); NaN where undefined."""

# Elements per weight chunk: 8M float32 = 32 MB, so 100,000 samples x 1,000 resamples fits in memory.
# float32 holds the counts exactly (< 2**24) and makes the matrix products twice as fast.
_CHUNK_ELEMENTS = 8_000_000


# OpenBLAS slows down sharply for weight @ columns products past a few dozen columns (the shape is
# short and very wide); blocks of 32 columns keep every product on its fast path.
_BLOCK_COLUMNS = 32


class ColumnSums:
    """weights (b, n) @ columns (n, k) in float32, computed in blocks of columns."""

    def __init__(self, columns: np.ndarray) -> None:
        columns = np.asarray(columns, dtype=np.float32)
        self.width = columns.shape[1]
        self.blocks = [
            np.ascontiguousarray(columns[:, start : start + _BLOCK_COLUMNS])
            for start in range(0, self.width, _BLOCK_COLUMNS)
        ]

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        weights = weights.astype(np.float32, copy=False)
        if not self.blocks:
            return np.zeros((weights.shape[0], 0))
        return np.concatenate([weights @ block for block in self.blocks], axis=1).astype(np.float64)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its percentile bootstrap interval (None where undefined)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None


def resample_weights(n: int, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Chunks of multinomial bootstrap weights: row counts of n draws with replacement, shape (b, n)."""
    rng = np.random.default_rng(seed)
    per_chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    done = 0
    while done < n_resamples:
        b = min(per_chunk, n_resamples - done)
        draws = rng.integers(0, n, size=(b, n), dtype=np.int32)  # (b, n) row indices
        weights = np.empty((b, n), dtype=np.float32)
        for row in range(b):  # one bincount per resample stays in cache; much faster than one big one
            weights[row] = np.bincount(draws[row], minlength=n)
        yield weights
        done += b


def bootstrap(
    statistics: dict[str, Statistic],
    n: int,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Estimate]:
    """Point estimate and percentile CI for each statistic over n samples, sharing the resamples."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    ones = np.ones((1, n))
    points = {name: _finite(stat(ones)[0]) if n else None for name, stat in statistics.items()}
    if n == 0 or n_resamples <= 0:
        return {name: Estimate(point, None, None) for name, point in points.items()}

    replicates: dict[str, list[np.ndarray]] = {name: [] for name in statistics}
    means = {name: stat for name, stat in statistics.items() if hasattr(stat, "finish")}
    others = {name: stat for name, stat in statistics.items() if name not in means}
    # Every mean's value and count columns side by side, each distinct column once (many metrics
    # share a count column): one matrix product per chunk gives all the means.
    column_index: dict[bytes, int] = {}
    slots = {}
    for name, stat in means.items():
        slots[name] = tuple(
            column_index.setdefault(col.tobytes(), len(column_index)) for col in (stat.filled, stat.scored)
        )
    if means:
        columns = np.stack([np.frombuffer(key, dtype=np.float64) for key in column_index], axis=1).astype(
            np.float32
        )
    for weights in resample_weights(n, n_resamples, seed):
        if means:
            sums = (weights @ columns).astype(np.float64)  # (b, distinct columns)
            for name, stat in means.items():
                value_slot, count_slot = slots[name]
                replicates[name].append(stat.finish(sums[:, value_slot], sums[:, count_slot]))
        for name, stat in others.items():
            replicates[name].append(stat(weights))

    tail = (1 - confidence) / 2 * 100
    estimates = {}
    for name, chunks in replicates.items():
        values = np.concatenate(chunks)
        values = values[np.isfinite(values)]
        if points[name] is None or values.size == 0:
            estimates[name] = Estimate(points[name], None, None)
            continue
        low, high = np.percentile(values, [tail, 100 - tail])
        estimates[name] = Estimate(points[name], float(low), float(high))
    return estimates


def paired_difference(a: Statistic, b: Statistic) -> Statistic:
    """The statistic a - b on the same resampled rows (rows aligned on shared ids)."""
    return lambda weights: a(weights) - b(weights)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
