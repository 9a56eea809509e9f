"""Per-sample scoring of many records on every core the process may use.

Parsing and scoring one answer is pure Python (about 30 us a record; chrF is then computed for all
records of a share at once), so 100,000 records take seconds on one core. From PARALLEL_MIN_RECORDS
records on, where the platform can fork, the tail of the records is scored in forked worker
processes (they read the rows from the memory they inherit; spawned ones would re-run the caller's
main script) while this process scores the head.
The scoring is deterministic, so the records are the same, in the same order, as scoring them in
one process gives. Workers send back each record without its `generated` text and `reference`,
which this process puts back (the same objects it was given).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

# Below this, starting a worker (about 0.3 s to import numpy and the scorers) costs more than it saves.
PARALLEL_MIN_RECORDS = 20_000


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for a block that makes many objects and no reference cycles.

    Scoring makes a few dicts per record; with the collector on, each run of it scans every live
    object again, which costs a quarter of the scoring time at 100,000 records.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score_rows(rows: Sequence[tuple], hierarchy, style) -> list:
    """score_record over (id, generated, reference) rows, in order; on several cores when there are many."""
    with collector_paused():
        return _score_rows(rows, hierarchy, style)


def _score_rows(rows: Sequence[tuple], hierarchy, style) -> list:
    from productlens.evaluate.scoring import score_records  # scoring imports this module

    global _SHARED
    workers = min(usable_cores(), len(rows) // (PARALLEL_MIN_RECORDS // 2)) - 1
    if (
        len(rows) < PARALLEL_MIN_RECORDS
        or workers < 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return score_records(rows, hierarchy, style)
    # Equal shares; this process takes the first while the workers start and score theirs.
    bounds = [len(rows) * i // (workers + 1) for i in range(workers + 2)]
    _SHARED = (rows, hierarchy, style)  # the forked workers inherit it: no rows pickled to them
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_score_share, start, end) for start, end in itertools.pairwise(bounds[1:])]
            scored = score_records(rows[: bounds[1]], hierarchy, style)
            for future, start in zip(futures, bounds[1:-1], strict=True):
                for offset, record in enumerate(future.result()):
                    _, generated, reference = rows[start + offset]
                    record["generated"], record["reference"] = generated, reference
                    scored.append(record)
    finally:
        _SHARED = None
    return scored


_SHARED: tuple | None = None


def _score_share(start: int, end: int) -> list:
    from productlens.evaluate.scoring import score_records

    assert _SHARED is not None  # set in the parent before the workers fork
    rows, hierarchy, style = _SHARED
    with collector_paused():
        out = score_records(rows[start:end], hierarchy, style)
    for record in out:
        record["generated"] = record["reference"] = None  # the parent has them; keeps key order
    return out
