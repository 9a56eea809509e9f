"""One plain sentence per pair of runs in a comparison, from compare.json's paired tests.

"b beats a on category3 accuracy by 4.1 points [2.0, 6.3], significant after Holm correction across
27 metrics; no other difference is, at 2.0x the tokens and 0.5x the time per sample." A metric is
named only when it is significant after the correction; identical runs read "no difference".
"""

from __future__ import annotations

from collections.abc import Mapping

from productlens.core.results_schema import CompareResult, Cost, Difference, MetricValue, Results
from productlens.reports.metric_format import HEADLINE_METRICS, metric_kind

MAX_NAMED = 3  # significant metrics named in one sentence; the rest are counted


def pair_sentences(compare: CompareResult) -> list[tuple[str, str, str]]:
    """(first run, other run, sentence) for every run after the first."""
    runs = compare["runs"]
    if len(runs) < 2:
        return []
    names = [run["name"] for run in runs]
    differences = compare["differences"]
    out = []
    for name, run in zip(names[1:], runs[1:], strict=True):
        by_metric = {
            metric: difference
            for metric, items in differences.items()
            for difference in items
            if difference["vs"] == name
        }
        out.append((names[0], name, pair_sentence(names[0], name, runs[0], run, by_metric)))
    return out


def pair_sentence(
    first: str,
    other: str,
    first_run: Results,
    other_run: Results,
    differences: Mapping[str, Difference],
) -> str:
    metrics = first_run["metrics"]
    tested = [m for m, d in differences.items() if d.get("p_holm") is not None]  # tests are NotRequired
    n_shared = next((d["n_shared"] for d in differences.values()), 0)
    cost = _cost_clause(first_run.get("cost"), other_run.get("cost"))
    if differences and all(d.get("identical") for d in differences.values()):
        return f"{other} and {first} scored the same on all {n_shared} shared samples: no difference{cost}."
    if not tested:
        return f"{other} and {first} were not tested for significance (compare with --bootstrap > 0){cost}."
    significant = [m for m in _ordered(differences) if differences[m].get("significant")]
    family = f"Holm correction across {len(tested)} metrics"
    if not significant:
        return (
            f"No difference between {other} and {first} is significant after {family} "
            f"({n_shared} shared samples){cost}."
        )
    clauses = [_clause(metrics.get(m), m, differences[m]) for m in significant[:MAX_NAMED]]
    # "trails a on X by 1, on Y by 2": the verb and run once per run of the same direction
    for i in range(len(clauses) - 1, 0, -1):
        if clauses[i][0] == clauses[i - 1][0]:
            clauses[i] = ("", clauses[i][1])
    texts = [f"{verb} {first} {rest}" if verb else rest for verb, rest in clauses]
    if len(significant) > MAX_NAMED:
        texts.append(f"{len(significant) - MAX_NAMED} more")
    listed = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    rest = "; no other difference is" if len(significant) < len(tested) else ""
    return f"{other} {listed}, significant after {family}{rest}{cost}."


def _ordered(differences: Mapping[str, Difference]) -> list[str]:
    headline = [m for m in HEADLINE_METRICS if m in differences]
    return headline + [m for m in differences if m not in headline]


def _clause(metric: MetricValue | None, name: str, difference: Difference) -> tuple[str, str]:
    """(verb, "on <metric> by <amount> [<interval>]"), the amount always positive."""
    higher = True if metric is None else metric["higher_is_better"]
    sign = 1 if higher else -1  # the gain: positive when `other` is better
    delta, low, high = difference["delta"], difference["ci_low"], difference["ci_high"]
    gain = sign * (delta or 0.0)  # a significant difference has an estimate
    verb = "beats" if gain > 0 else "trails"
    magnitude = abs(gain)
    interval = ""
    if low is not None and high is not None:
        ends = sorted((sign * low, sign * high))
        if gain < 0:
            ends = sorted((-ends[1], -ends[0]))
        interval = f" [{_amount(ends[0], name)}, {_amount(ends[1], name)}]"
    label = (metric["label"] if metric else "") or name
    label = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    unit = " points" if metric_kind(name) == "percent" else ""
    return verb, f"on {label} by {_amount(magnitude, name)}{unit}{interval}"


def _amount(value: float, name: str) -> str:
    kind = metric_kind(name)
    if kind == "percent":
        return f"{value * 100:.1f}"
    if kind == "score":
        return f"{value:.3f}"
    return f"{value:,.1f}"


def _cost_clause(first: Cost | None, other: Cost | None) -> str:
    """ ", at 2.0x the tokens and 0.5x the time per sample" when both runs were counted and timed."""
    parts = []
    first_tokens, other_tokens = _tokens(first), _tokens(other)
    if first_tokens and other_tokens:
        parts.append(f"{_ratio(other_tokens / first_tokens)} the tokens")
    first_rate = None if first is None else first["samples_per_s"]
    other_rate = None if other is None else other["samples_per_s"]
    if first_rate and other_rate:
        parts.append(f"{_ratio(first_rate / other_rate)} the time")
    return f", at {' and '.join(parts)} per sample" if parts else ""


def _ratio(value: float) -> str:
    """2.0x, 0.5x, 0.034x: two significant figures below 1, so a small ratio never reads 0.0x."""
    return f"{value:.1f}x" if value >= 0.995 else f"{value:.2g}x"


def _tokens(cost: Cost | None) -> float | None:
    if not cost:
        return None
    prompt, generated = cost["prompt_tokens_per_sample"], cost["generated_tokens_per_sample"]
    if prompt is None and generated is None:
        return None
    return (prompt or 0.0) + (generated or 0.0)
