"""The small horizontal scales drawn in table cells: a metric's CI with baseline ticks, a difference's CI
around 0. Positions only (CSS `left`/`width` in %); templates/macros.html.j2 draws them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from productlens.core.results_schema import MetricValue
from productlens.reports.metric_format import MetricKind


class Strip(NamedTuple):
    dot: str  # the estimate
    bar: tuple[str, str] | None = None  # (left, width) of the 95 % interval
    ticks: tuple[tuple[str, str], ...] = ()  # (label, left) of each baseline
    zero: str | None = None  # where 0 lies (a difference)


def ci_strip(
    metric: MetricValue, baselines: Sequence[tuple[str, float | None]], kind: MetricKind
) -> Strip | None:
    """The CI band, the point and a tick per baseline; None when the metric has no value."""
    value, low, high = metric["value"], metric["ci_low"], metric["ci_high"]
    if value is None:
        return None
    points = [v for v in (value, low, high, *(b for _, b in baselines)) if v is not None]
    if kind == "percent":
        start, stop = 0.0, max(1.0, *points)
    else:
        start, stop = min(0.0, *points), max(points) * 1.1 or 1.0
    span = (stop - start) or 1.0

    def at(number: float) -> str:
        return f"{(number - start) / span * 100:.2f}%"

    bar = (at(low), f"{(high - low) / span * 100:.2f}%") if low is not None and high is not None else None
    ticks = tuple((label, at(other)) for label, other in baselines if other is not None)
    return Strip(at(value), bar, ticks)


def delta_strip(delta: float | None, low: float | None, high: float | None) -> Strip | None:
    """A difference on a scale centred on 0; None when there is no estimate."""
    if delta is None:
        return None
    reach = max(abs(v) for v in (delta, low or 0.0, high or 0.0)) * 1.15 or 1.0

    def at(value: float) -> str:
        return f"{(value + reach) / (2 * reach) * 100:.2f}%"

    bar = (
        (at(low), f"{(high - low) / (2 * reach) * 100:.2f}%")
        if low is not None and high is not None
        else None
    )
    return Strip(at(delta), bar, zero="50%")
