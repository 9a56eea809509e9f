"""Progress that reads well in a terminal and in a log, shared by the three commands' CLIs.

- `SteadyTimeRemaining`: a Rich column whose ETA comes from the average rate since the task started,
  not from the last few seconds, so a pause (validation, a slow batch) does not make it jump about;
- `ProgressLog`: when output is not a terminal (piped to a file, a job scheduler's log), plain lines such
  as "finetune: step 120/2,250 (5%)  loss 2.3456  12.3 samples/s  ETA 0:14:05", at most one every
  `every_s` seconds plus the first and the last, instead of a live bar that a log never shows.

On the ground floor (core/) because sample-gen, finetune and evaluate all use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.progress import ProgressColumn, Task
from rich.text import Text


def format_eta(seconds: float | None) -> str:
    """0:14:05 style; "-:--:--" while there is nothing to go on."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-:--:--"
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def steady_remaining(
    done: float, total: float | None, elapsed: float, done_at_start: float = 0.0
) -> float | None:
    """Seconds left at the average rate since the start (None until one unit is done)."""
    progressed = done - done_at_start
    if total is None or elapsed <= 0 or progressed <= 0:
        return None
    return max(0.0, (total - done) * elapsed / progressed)


class SteadyTimeRemaining(ProgressColumn):
    """ETA from the whole task's average rate; a task field `resumed_at` gives the units done before it began
    (a resumed run), so they do not count as fast progress."""

    def render(self, task: Task) -> Text:
        remaining = steady_remaining(
            task.completed, task.total, task.elapsed or 0.0, float(task.fields.get("resumed_at", 0))
        )
        return Text(format_eta(remaining), style="progress.remaining")


class ProgressLog:
    """Plain, throttled progress lines for a log file: the first update, then one every `every_s` seconds,
    and the last (done == total)."""

    def __init__(
        self,
        label: str,
        total: int,
        write: Callable[[str], None],
        *,
        noun: str = "",
        unit: str = "samples",
        per_step: float = 1.0,
        every_s: float = 30.0,
        done_at_start: int = 0,
    ) -> None:
        self.label = label
        self.total = total
        self.write = write
        self.noun = noun  # "step " gives "step 120/2,250"; "" gives "120/2,250"
        self.unit = unit
        self.per_step = per_step  # units per counted step (samples per optimizer step)
        self.every_s = every_s
        self.done_at_start = done_at_start
        self.started = time.monotonic()
        self._last_line: float | None = None
        self._last_done: int | None = None

    def update(self, done: int, extra: str = "") -> None:
        now = time.monotonic()
        last = done >= self.total
        due = self._last_line is None or now - self._last_line >= self.every_s
        if not (due or last) or done == self._last_done:
            return
        elapsed = now - self.started
        progressed = done - self.done_at_start
        rate = progressed * self.per_step / elapsed if elapsed > 0 and progressed > 0 else None
        share = f" ({done / self.total:.0%})" if self.total else ""
        parts = [f"{self.label}: {self.noun}{done:,}/{self.total:,}{share}"]
        if extra:
            parts.append(extra)
        if rate is not None:
            parts.append(f"{rate:,.1f} {self.unit}/s")
        parts.append(
            "done"
            if last
            else "ETA " + format_eta(steady_remaining(done, self.total, elapsed, self.done_at_start))
        )
        self.write("  ".join(parts))
        self._last_line, self._last_done = now, done


def log_progress(label: str, write: Callable[[str], None], **options) -> Callable[[int, int], None]:
    """An on_progress(done, total) callback that writes ProgressLog lines. The total is known at the first
    call, after the first batch; the clock starts now, so rates include loading, as a wall clock would."""
    log: ProgressLog | None = None
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        nonlocal log
        if log is None or log.total != total:
            log = ProgressLog(label, total, write, **options)
            log.started = started
        log.update(done)

    return update
