"""The resamples of one bootstrap on two cores, chunk for chunk the values one process gives.

The weights come in chunks from one seeded stream (`resample_weights`), so both processes draw the
whole stream, but each counts and evaluates only its own chunks: this process the even ones, a
forked worker (it inherits the statistics; nothing is pickled to it) the odd ones. Every chunk is
evaluated by the same code on the same weights as in one process, so the replicates are the same
bit for bit, in the same order.
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
    from productlens.evaluate.bootstrap import resample_weights  # bootstrap imports this module

    global _SHARED
    if (
        n * n_resamples < PARALLEL_MIN_WEIGHTS
        or usable_cores() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [evaluate(weights) for weights in resample_weights(n, n_resamples, seed)]
    _SHARED = (evaluate, n, n_resamples, seed)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            odd = pool.submit(_evaluate_chunks, 1)
            even = _evaluate_chunks(0)
            odd_chunks = odd.result()
    finally:
        _SHARED = None
    chunks = []
    for i in range(len(even) + len(odd_chunks)):
        chunks.append(even[i // 2] if i % 2 == 0 else odd_chunks[i // 2])
    return chunks


_SHARED: tuple | None = None


def _evaluate_chunks(parity: int) -> list[dict[str, np.ndarray]]:
    from productlens.evaluate.bootstrap import resample_weights

    assert _SHARED is not None  # set in the parent before the workers fork
    evaluate, n, n_resamples, seed = _SHARED
    return [evaluate(weights) for weights in resample_weights(n, n_resamples, seed, parity=parity)]
