"""How a metric is written for people: its unit, its group, its value with a 95 % interval.

Shared by the terminal and HTML reports so both show the same numbers the same way. Metric names
come from results.json; a name this module does not know is shown as a plain number, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

MetricKind = Literal["percent", "score", "amount", "number"]

# The metrics a reader looks at first, in this order, when the results have them.
HEADLINE_METRICS = (
    "parse_rate",
    "category3_accuracy",
    "price_mdape",
    "price_within_10pct",
    "title_f1",
    "title_exact",
    "price_rmsle",
)

GROUPS = ("Parsing", "Category", "Price", "Title", "Other")

_PERCENT_MARKERS = ("_rate", "accuracy", "within_", "mape", "mdape", "exact", "macro_f1")
_SCORE_MARKERS = ("_f1", "anls", "chrf", "rmsle")
_AMOUNT_MARKERS = ("_mae", "median_ae", "abs_error")


def metric_kind(name: str) -> MetricKind:
    """percent: a fraction shown as %; score: 0..1 shown with 3 decimals; amount: a price difference."""
    if any(marker in name for marker in _PERCENT_MARKERS):
        return "percent"
    if any(marker in name for marker in _SCORE_MARKERS):
        return "score"
    if any(marker in name for marker in _AMOUNT_MARKERS):
        return "amount"
    return "number"


def metric_group(name: str) -> str:
    """The table section a metric belongs to (one of GROUPS)."""
    if "parse_rate" in name:
        return "Parsing"
    for prefix, group in (("category", "Category"), ("price", "Price"), ("title", "Title")):
        if name.startswith(prefix):
            return group
    return "Other"


def grouped_metric_names(names: list[str]) -> list[tuple[str, list[str]]]:
    """Names split into GROUPS (order kept inside a group); empty groups left out."""
    buckets: dict[str, list[str]] = {group: [] for group in GROUPS}
    for name in names:
        buckets[metric_group(name)].append(name)
    return [(group, members) for group, members in buckets.items() if members]


def headline_metric_names(metrics: Mapping[str, Any], limit: int = 6) -> list[str]:
    """The HEADLINE_METRICS present, topped up with the first other metrics to `limit`."""
    chosen = [name for name in HEADLINE_METRICS if name in metrics][:limit]
    for name in metrics:
        if len(chosen) >= limit:
            break
        if name not in chosen:
            chosen.append(name)
    return chosen


def format_value(value: float | None, kind: MetricKind) -> str:
    """One number in the metric's unit; `n/a` when the metric could not be scored."""
    if value is None or value != value:  # None or NaN
        return "n/a"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "amount":
        return f"{value:,.1f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return f"{value:.4g}"


def format_interval(low: float | None, high: float | None, kind: MetricKind) -> str:
    """`[low, high]` in the metric's unit (the % sign once, at the end); empty when there is none."""
    if low is None or high is None or low != low or high != high:
        return ""
    if kind == "percent":
        return f"[{low * 100:.1f}, {high * 100:.1f}]%"
    return f"[{format_value(low, kind)}, {format_value(high, kind)}]"


def format_delta(delta: float | None, kind: MetricKind) -> str:
    """A signed difference in the metric's unit; percentages as percentage points."""
    if delta is None:
        return "n/a"
    if kind == "percent":
        return f"{delta * 100:+.1f} pp"
    if kind == "score":
        return f"{delta:+.3f}"
    if kind == "amount":
        return f"{delta:+,.1f}"
    return f"{delta:+.4g}"


def format_delta_interval(low: float | None, high: float | None, kind: MetricKind) -> str:
    if low is None or high is None:
        return ""
    return f"[{format_delta(low, kind)}, {format_delta(high, kind)}]"


def format_metric(metric: Mapping[str, Any], name: str) -> str:
    """`12.3% [10.1, 14.6]%` - the value and its 95 % interval."""
    kind = metric_kind(name)
    interval = format_interval(metric.get("ci_low"), metric.get("ci_high"), kind)
    value = format_value(metric.get("value"), kind)
    return f"{value} {interval}" if interval else value


Direction = Literal["better", "worse", "same", "unknown"]


def compare_direction(model: float | None, other: float | None, higher_is_better: bool) -> Direction:
    """Whether `model` is better than `other` for a metric with this direction (point values only)."""
    if model is None or other is None:
        return "unknown"
    if model == other:
        return "same"
    return "better" if (model > other) == higher_is_better else "worse"


Verdict = Literal["better", "worse", "unclear", "unknown", "same"]


def difference_verdict(
    delta: float | None,
    ci_low: float | None,
    ci_high: float | None,
    higher_is_better: bool,
    significant: bool | None = None,
    identical: bool | None = None,
) -> Verdict:
    """`better`/`worse` only when the paired interval excludes 0; `unclear` when it spans 0.

    With compare's paired tests: `same` when both runs scored every sample alike, and `better`/`worse`
    only when the difference is `significant` after Holm's correction.
    """
    if identical:
        return "same"
    if significant is not None and delta is not None:
        return ("better" if (delta > 0) == higher_is_better else "worse") if significant else "unclear"
    if delta is None or ci_low is None or ci_high is None:
        return "unknown"
    if ci_low <= 0 <= ci_high:
        return "unclear"
    return "better" if (delta > 0) == higher_is_better else "worse"
