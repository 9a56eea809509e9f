"""An ordered parallel map with a bounded window: results in input order, memory flat for any input size.

`ordered_map(work, items, workers=n)` yields `(item, work(item))` in the order of `items`, with at most
`window_per_worker * workers` items handed out and not yet yielded, so the workers keep going while
the caller consumes and an endless input never piles up. The output is the same for any number of
workers as long as `work` depends only on its item (how sample-gen gives byte-identical sets).

- processes (the default): a `multiprocessing` pool whose workers ignore Ctrl-C (`quiet_worker`), so
  SIGINT reaches only the caller, which stops the pool at once and cleans up; `workers=1` works in
  this process with no pool at all.
- threads (`threads=True`): for I/O-bound work (downloads); `on_stop` is called when the caller stops
  early, to interrupt what is in flight (close sockets), and queued items are cancelled.

Stopping early (an exception in the caller, Ctrl-C, closing the generator) ends the workers before the
generator returns; wrap it in `contextlib.closing` so that happens even when the caller raises.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# fork starts workers in milliseconds; spawn would re-import the calling program in every worker
# (a second or more for the CLI). The workers that use this run numpy/PIL/Faker code and touch no
# locks or threads of the parent, so forking is safe; spawn is the fallback where fork is missing.
START_METHOD = "fork" if "fork" in get_all_start_methods() else "spawn"
WINDOW_PER_WORKER = 4


def quiet_worker() -> None:
    """Pool initializer: workers leave Ctrl-C and `kill` to the parent, which stops the pool and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def ordered_map(
    work: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    threads: bool = False,
    window_per_worker: int = WINDOW_PER_WORKER,
    on_stop: Callable[[], None] | None = None,
    thread_name: str = "worker",
) -> Generator[tuple[T, R], None, None]:  # a generator: closing() stops its pool
    """(item, work(item)) for each item, in input order, computed by `workers` processes or threads.

    `work` must be picklable for processes (a module-level function or a `functools.partial` of one).
    An exception raised by `work` is raised here, at its item's turn.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1 and not threads:
        for item in items:
            yield item, work(item)
        return
    window = window_per_worker * workers
    pending: deque[tuple[T, Callable[[], R]]] = deque()
    finished = False
    if threads:
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name)

        def submit(item: T) -> Callable[[], R]:
            return executor.submit(work, item).result
    else:
        # An executor, not multiprocessing.Pool: a worker that dies (the OOM killer, a crash in a C library)
        # raises BrokenProcessPool at its item's turn, where a Pool would wait for that item for ever.
        executor = ProcessPoolExecutor(
            workers, mp_context=get_context(START_METHOD), initializer=quiet_worker
        )

        def submit(item: T) -> Callable[[], R]:
            return executor.submit(work, item).result

    try:
        for item in items:
            pending.append((item, submit(item)))
            if len(pending) >= window:
                first, result = pending.popleft()
                yield first, result()
        while pending:
            first, result = pending.popleft()
            yield first, result()
        finished = True
    finally:
        if threads and not finished and on_stop is not None:
            on_stop()
        if isinstance(executor, ProcessPoolExecutor) and not finished:
            _stop_processes(executor)  # the workers stop now, mid-item; their results are not wanted
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_processes(executor: ProcessPoolExecutor) -> None:
    """End the worker processes at once; the shutdown that follows cancels what has not started and waits
    for the executor's manager thread. (Python 3.14 has `terminate_workers()`; before it the processes are
    only reachable through the executor's table.)"""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
