"""How a metric is written for people: its unit, its group, its value with a 95 % interval.

Shared by the terminal and HTML reports so both show the same numbers the same way. Metric names
come from results.json; a name this module does not know is shown as a plain number, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from productlens.core.results_schema import Baseline, MetricValue, PredictionRecord, Results

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


def headline_metric_names(metrics: Mapping[str, MetricValue], limit: int = 6) -> list[str]:
    """The HEADLINE_METRICS present, topped up with the first other metrics to `limit`."""
    chosen = [name for name in HEADLINE_METRICS if name in metrics][:limit]
    for name in metrics:
        if len(chosen) >= limit:
            break
        if name not in chosen:
            chosen.append(name)
    return chosen


def format_value(value: float | None, kind: MetricKind, currency: str = "") -> str:
    """One number in the metric's unit (amounts with `currency` after them); `n/a` when unscored."""
    if value is None or value != value:  # None or NaN
        return "n/a"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "amount":
        number = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"  # 1,235 USD: cents say nothing
        return f"{number} {currency}" if currency else number
    return f"{value:.4g}"


def format_interval(low: float | None, high: float | None, kind: MetricKind, currency: str = "") -> str:
    """`80.7-86.2 %`: low-high in the metric's unit, the unit once at the end; empty when there is none.

    A negative bound is joined with " to " so its minus sign cannot be read as the dash."""
    if low is None or high is None or low != low or high != high:
        return ""
    joiner = "-" if low >= 0 else " to "
    if kind == "percent":
        return f"{low * 100:.1f}{joiner}{high * 100:.1f} %"
    text = f"{format_value(low, kind)}{joiner}{format_value(high, kind)}"
    return f"{text} {currency}" if kind == "amount" and currency else text


def format_price(value: float | None, currency: str | None = "") -> str:
    """A price as the catalogue writes it: whole amounts without decimals (`1,290 USD`, `12.50 USD`)."""
    if value is None or value != value:
        return "—"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{number} {currency}" if currency else number


def results_currency(results: Results, predictions: Sequence[PredictionRecord] | None = None) -> str:
    """The one currency of the evaluated prices (results.json, else the records); "" when mixed or unknown."""
    if results["currency"]:
        return results["currency"]
    found = {r["reference"]["currency"] or "" for r in predictions or ()}
    return found.pop() if len(found) == 1 else ""


UNPARSED_SUFFIX = "_all"  # "(unparsed = miss)": the same metric with unparsed answers counted as misses


def redundant_metric_names(metrics: Mapping[str, MetricValue]) -> set[str]:
    """The "(unparsed = miss)" variants that equal their original (every answer parsed): nothing to read."""
    redundant = set()
    for name, metric in metrics.items():
        original = metrics.get(name.removesuffix(UNPARSED_SUFFIX)) if name.endswith(UNPARSED_SUFFIX) else None
        if original is None:
            continue
        values = (metric["value"], original["value"])
        if values[0] is None and values[1] is None:
            redundant.add(name)  # neither could be scored: one "n/a" row says it
        elif values[0] is not None and values[1] is not None and abs(values[0] - values[1]) < 1e-12:
            redundant.add(name)
    return redundant


def shown_metric_names(metrics: Mapping[str, MetricValue]) -> list[str]:
    """The metrics a report lists, in order: all but the redundant "(unparsed = miss)" copies."""
    hidden = redundant_metric_names(metrics)
    return [name for name in metrics if name not in hidden]


# Short column names for the baselines results.json writes; the full label goes in a legend or tooltip.
BASELINE_SHORT_NAMES = {
    "train_median_price": "train median",
    "category_median_price": "leaf median",
    "oracle_price": "noise floor",
    "majority_category": "majority",
}
# Baselines no model can beat (the price before noise): shown as the gap to them, never "better/worse".
FLOOR_BASELINES = frozenset({"oracle_price"})


def baseline_short_name(key: str, baseline: Baseline, width: int = 12) -> str:
    """A column header of at most `width` characters for a baseline."""
    if key in BASELINE_SHORT_NAMES:
        return BASELINE_SHORT_NAMES[key]
    words, short = (baseline["label"] or key).split(), ""
    for word in words:
        if len(short) + len(word) + (1 if short else 0) > width:
            break
        short = f"{short} {word}" if short else word
    return short or (baseline["label"] or key)[: width - 1] + "…"


def format_gap(
    model: float | None, floor: float | None, kind: MetricKind, higher_is_better: bool, currency: str = ""
) -> str:
    """How far the model is from a floor no model can beat: `7.0 pp to the floor` (or past it, by chance)."""
    if model is None or floor is None:
        return ""
    gap = (floor - model) if higher_is_better else (model - floor)
    if kind == "percent":
        amount = f"{abs(gap) * 100:.1f} pp"
    elif kind == "amount":
        amount = format_value(abs(gap), kind, currency)
    else:
        amount = format_value(abs(gap), kind)
    return f"{amount} to the floor" if gap >= 0 else f"{amount} past the floor"


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
    """`(-5.0 to -1.0 pp)`: the paired interval of a difference, signed, the unit once."""
    if low is None or high is None:
        return ""
    if kind == "percent":
        return f"({low * 100:+.1f} to {high * 100:+.1f} pp)"
    return f"({format_delta(low, kind)} to {format_delta(high, kind)})"


def format_metric(metric: MetricValue | None, name: str, currency: str = "") -> str:
    """`12.3% (10.1-14.6 %)` - the value and its 95 % interval (amounts with their currency); "n/a" for a
    metric that is not reported."""
    if metric is None:
        return "n/a"
    kind = metric_kind(name)
    interval = format_interval(metric["ci_low"], metric["ci_high"], kind)
    value = format_value(metric["value"], kind, currency)
    return f"{value} ({interval})" if interval else value


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
