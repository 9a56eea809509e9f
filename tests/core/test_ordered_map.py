"""The ordered parallel map: input order, a bounded window, quiet workers, a clean early stop."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from contextlib import closing

import pytest
from productlens.core.ordered_map import ordered_map


def square(value: int) -> int:
    return value * value


def fail_on_three(value: int) -> int:
    if value == 3:
        raise ValueError("item 3 is bad")
    return value


def sigint_handler(_value: int) -> bool:
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


@pytest.mark.parametrize(("workers", "threads"), [(1, False), (3, False), (3, True)])
def test_results_come_in_input_order_whatever_the_workers(workers, threads):
    results = list(ordered_map(square, range(50), workers=workers, threads=threads))
    assert results == [(value, value * value) for value in range(50)]


def test_no_more_than_the_window_is_taken_ahead_of_the_consumer():
    taken = []

    def items():
        for value in range(100):
            taken.append(value)
            yield value

    made = ordered_map(square, items(), workers=2, window_per_worker=3)
    with closing(made):
        first = next(made)
        assert first == (0, 0)
        assert len(taken) == 6  # the window: 3 per worker, the first one already yielded
        assert next(made) == (1, 1) and len(taken) == 7


def test_workers_ignore_ctrl_c_so_only_the_caller_sees_it():
    assert all(ignored for _, ignored in ordered_map(sigint_handler, range(4), workers=2))


def test_an_error_in_work_is_raised_at_its_turn():
    seen = []
    with pytest.raises(ValueError, match="item 3 is bad"):
        for value, _ in ordered_map(fail_on_three, range(10), workers=2):
            seen.append(value)
    assert seen == [0, 1, 2]


def test_stopping_early_ends_the_worker_processes():
    before = set(multiprocessing.active_children())
    made = ordered_map(square, range(10_000), workers=2)
    next(made)
    assert set(multiprocessing.active_children()) - before
    made.close()
    assert not set(multiprocessing.active_children()) - before


def test_threads_stopped_early_call_on_stop_and_leave_no_thread():
    stops = []
    made = ordered_map(square, range(1000), workers=2, threads=True, on_stop=lambda: stops.append(1))
    next(made)
    made.close()
    assert stops == [1]
    assert not [t for t in threading.enumerate() if t.name.startswith("worker")]
    finished = ordered_map(square, range(5), workers=2, threads=True, on_stop=lambda: stops.append(2))
    assert len(list(finished)) == 5 and stops == [1]


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        list(ordered_map(square, range(3), workers=0))


def die_on_three(item: int) -> int:
    if item == 3:
        os._exit(1)  # the worker process dies, as under the OOM killer
    return item


def test_a_worker_that_dies_is_an_error_not_a_hang():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        list(ordered_map(die_on_three, range(10), workers=2))
