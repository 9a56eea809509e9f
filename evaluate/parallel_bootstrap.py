"""The resamples of one bootstrap on two cores, chunk for chunk the values one process gives.

The weights come in chunks from one seeded stream (`resample_weights`). This process evaluates the
first chunks; a forked worker (it inherits the statistics; nothing is pickled to it) draws those
too, to reach its place in the stream, and evaluates the rest; drawing costs about a fifth of a
chunk, so the worker's share is a little smaller. Every chunk is evaluated by the same code on the
same weights as in one process, so the replicates are the same bit for bit, in the same order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from productlens.evaluate.parallel_scoring import usable_cores

Evaluate = Callable[[np.ndarray], dict[str, np.ndarray]]

# Below this many weights (samples x resamples), starting a worker (about 0.1 s) costs more than it saves.
PARALLEL_MIN_WEIGHTS = 20_000_000


def replicate_chunks(evaluate: Evaluate, n: int, n_resamples: int, seed: int) -> list[dict[str, np.ndarray]]:
    """evaluate(weights) for every chunk of `resample_weights(n, n_resamples, seed)`, in order."""
    from productlens.evaluate.bootstrap import chunk_count, resample_weights  # bootstrap imports this module

    global _SHARED
    total = chunk_count(n, n_resamples)
    if (
        n * n_resamples < PARALLEL_MIN_WEIGHTS
        or total < 2
        or usable_cores() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [evaluate(weights) for weights in resample_weights(n, n_resamples, seed)]
    here = (total * 5 + 4) // 9  # the worker also draws this process's chunks: 5/9 of them here
    _SHARED = (evaluate, n, n_resamples, seed)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            rest = pool.submit(_evaluate_chunks, here, total)
            first = _evaluate_chunks(0, here)
            return first + rest.result()
    finally:
        _SHARED = None


_SHARED: tuple | None = None


def _evaluate_chunks(start: int, stop: int) -> list[dict[str, np.ndarray]]:
    from productlens.evaluate.bootstrap import resample_weights

    assert _SHARED is not None  # set in the parent before the workers fork
    evaluate, n, n_resamples, seed = _SHARED
    return [evaluate(weights) for weights in resample_weights(n, n_resamples, seed, range(start, stop))]
