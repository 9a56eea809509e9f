"""Seeded, vectorised bootstrap confidence intervals for any aggregate, single-run or paired.

A statistic is a function from a weight matrix (resamples, samples) to one estimate per resample:
resampling n rows with replacement is the same as weighting each row by how often it was drawn.
The point estimate is the statistic at weight 1 for every row, so point and interval come from
the same code. All statistics of one call share the same resamples (a joint bootstrap), which is
also what makes the paired bootstrap of a difference between two runs on shared ids correct.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from productlens.evaluate.parallel_bootstrap import replicate_chunks

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
        self.exact = np.asarray(columns, dtype=np.float64)  # for point estimates (weights of 1)
        self.width = self.exact.shape[1]
        self._blocks: list[np.ndarray] | None = None  # float32 copies, made on the first resampled call

    @property
    def blocks(self) -> list[np.ndarray]:
        if self._blocks is None:
            self._blocks = [
                self.exact[:, start : start + _BLOCK_COLUMNS].astype(np.float32)
                for start in range(0, self.width, _BLOCK_COLUMNS)
            ]
        return self._blocks

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        if weights.dtype == np.float64:  # a point estimate: exact sums in float64
            return weights @ self.exact
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
    # The finite resampled values, kept only when asked (bootstrap(keep_replicates=True)), for paired tests.
    replicates: np.ndarray | None = field(default=None, compare=False, repr=False)


def chunk_count(n: int, n_resamples: int) -> int:
    """How many chunks `resample_weights` yields."""
    return -(-n_resamples // max(1, _CHUNK_ELEMENTS // max(n, 1))) if n_resamples > 0 else 0


def resample_weights(
    n: int, n_resamples: int, seed: int, chunks: range | None = None
) -> Iterator[np.ndarray]:
    """Chunks of multinomial bootstrap weights: row counts of n draws with replacement, shape (b, n).

    chunks: only those chunks (the draws of the ones before are made and dropped; none after).
    """
    rng = np.random.default_rng(seed)
    per_chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    done = 0
    indices: np.ndarray | None = None
    for chunk in itertools.count():
        if done >= n_resamples or (chunks is not None and chunk >= chunks.stop):
            break
        b = min(per_chunk, n_resamples - done)
        draws = rng.integers(0, n, size=(b, n), dtype=np.int32)  # (b, n) row indices
        done += b
        if chunks is not None and chunk not in chunks:
            continue
        # bincount counts intp indices: given int32 it converts each row into a fresh array, which
        # costs more than the counting; one conversion into a reused buffer does it for all rows.
        if indices is None or indices.shape[0] < b:
            indices = np.empty((b, n), dtype=np.intp)
        np.copyto(indices[:b], draws)
        weights = np.empty((b, n), dtype=np.float32)
        for row in range(b):  # one bincount per resample stays in cache; much faster than one big one
            weights[row] = np.bincount(indices[row], minlength=n)
        yield weights


def bootstrap(
    statistics: dict[str, Statistic],
    n: int,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    keep_replicates: bool = False,
) -> dict[str, Estimate]:
    """Point estimate and percentile CI for each statistic over n samples, sharing the resamples.

    keep_replicates: also return each statistic's resampled values (Estimate.replicates).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    if n == 0:
        return {name: Estimate(None, None, None) for name in statistics}
    if not statistics:  # nothing to estimate: skip drawing the resamples
        return {}
    replicates: dict[str, list[np.ndarray]] = {name: [] for name in statistics}
    # Means (and differences of means) are finished from weighted column sums: every distinct
    # value or count column once, side by side, so one blocked product per chunk gives them all.
    parts = {name: _mean_parts(stat) for name, stat in statistics.items()}
    others = {name: stat for name, stat in statistics.items() if parts[name] is None}
    distinct = _DistinctColumns(n)
    slots: dict[str, list[tuple[int, Any, int, int]]] = {}  # (sign, a mean statistic: has .finish, ...)
    for name, terms in parts.items():
        if terms is None:
            continue
        slots[name] = [
            (sign, mean, distinct.index(mean.filled), distinct.index(mean.scored)) for sign, mean in terms
        ]
    # Statistics finished from sums of their own (count) columns, the medians, share one product of
    # their own: the distinct columns once (apart from the means', so those sums stay bit for bit).
    # A paired difference of two such statistics has both sets of columns there.
    distinct_summed = _DistinctColumns(n)
    summed = {
        name: [
            (part, [distinct_summed.index(c) for c in np.asarray(part.sum_columns, dtype=np.float64).T])
            for part in parts
        ]
        for name, parts in ((name, _summed_parts(stat)) for name, stat in others.items())
        if parts is not None
    }
    others = {name: stat for name, stat in others.items() if name not in summed}
    summed_sums = ColumnSums(distinct_summed.stacked())
    column_sums = ColumnSums(distinct.stacked())

    def evaluate(weights: np.ndarray) -> dict[str, np.ndarray]:
        sums = column_sums(weights)  # (b, distinct columns)
        out = {  # terms is never empty, so sum() returns an array, never its start 0
            name: cast(
                np.ndarray,
                sum(sign * mean.finish(sums[:, value], sums[:, count]) for sign, mean, value, count in terms),
            )
            for name, terms in slots.items()
        }
        if summed:
            counts = summed_sums(weights)
            for name, parts in summed.items():
                values = [part.from_sums(weights, counts[:, index]) for part, index in parts]
                out[name] = values[0] if len(values) == 1 else values[0] - values[1]
        out.update({name: stat(weights) for name, stat in others.items()})
        return out

    # The point estimate is the statistic with every sample counted once.
    points = {name: _finite(values[0]) for name, values in evaluate(np.ones((1, n))).items()}
    if n_resamples <= 0:
        return {name: Estimate(points[name], None, None) for name in statistics}
    for chunk in replicate_chunks(evaluate, n, n_resamples, seed):  # on two cores for large ones
        for name, values in chunk.items():
            replicates[name].append(values)

    tail = (1 - confidence) / 2 * 100
    estimates = {}
    for name, chunks in replicates.items():
        values = np.concatenate(chunks)
        values = values[np.isfinite(values)]
        if points[name] is None or values.size == 0:
            estimates[name] = Estimate(points[name], None, None)
            continue
        low, high = np.percentile(values, [tail, 100 - tail])
        estimates[name] = Estimate(points[name], float(low), float(high), values if keep_replicates else None)
    return estimates


class _DistinctColumns:
    """Columns of n values, each distinct one (bit for bit) kept once, in order of first appearance."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: list[np.ndarray] = []
        self._by_fingerprint: dict[int, list[int]] = {}
        # A column's fingerprint mixes all its bits with fixed random odd multipliers (wrapping
        # uint64 arithmetic); equal fingerprints are then compared in full, so none is merged wrongly.
        self._mix = np.random.default_rng(0).integers(0, 2**63, size=n, dtype=np.uint64) * 2 + 1

    def index(self, column: np.ndarray) -> int:
        column = np.ascontiguousarray(column, dtype=np.float64)
        bits = column.view(np.uint64)
        fingerprint = int(np.dot(bits, self._mix))
        candidates = self._by_fingerprint.setdefault(fingerprint, [])
        for i in candidates:
            if np.array_equal(self.columns[i].view(np.uint64), bits):
                return i
        candidates.append(len(self.columns))
        self.columns.append(column)
        return len(self.columns) - 1

    def stacked(self) -> np.ndarray:
        """(n, distinct columns) float64."""
        return np.stack(self.columns, axis=1) if self.columns else np.zeros((self.n, 0))


class PairedDifference:
    """The statistic a - b on the same resampled rows (rows aligned on shared ids)."""

    def __init__(self, a: Statistic, b: Statistic) -> None:
        self.a, self.b = a, b

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        return self.a(weights) - self.b(weights)


def paired_difference(a: Statistic, b: Statistic) -> Statistic:
    """The statistic a - b on the same resampled rows (rows aligned on shared ids)."""
    return PairedDifference(a, b)


def _mean_parts(stat: Statistic) -> list | None:
    """[(sign, mean statistic)] when `stat` is a mean or a difference of two means, else None."""
    if hasattr(stat, "finish"):
        return [(1, stat)]
    if isinstance(stat, PairedDifference) and hasattr(stat.a, "finish") and hasattr(stat.b, "finish"):
        return [(1, stat.a), (-1, stat.b)]
    return None


def _summed_parts(stat: Statistic) -> list | None:
    """[stat] when it is finished from column sums, [a, b] for a paired difference a - b of two, else None."""
    if hasattr(stat, "from_sums"):
        return [stat]
    if isinstance(stat, PairedDifference) and hasattr(stat.a, "from_sums") and hasattr(stat.b, "from_sums"):
        return [stat.a, stat.b]
    return None


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
