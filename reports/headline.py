"""The headline section: key metrics as cards beside the baselines, then every metric with its CI drawn."""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup
from productlens.core.results_schema import MetricValue, Results
from productlens.reports.metric_format import (
    FLOOR_BASELINES,
    UNPARSED_SUFFIX,
    MetricKind,
    baseline_short_name,
    compare_direction,
    format_gap,
    format_interval,
    format_value,
    grouped_metric_names,
    headline_metric_names,
    metric_kind,
    results_currency,
    shown_metric_names,
)
from productlens.reports.strips import ci_strip
from productlens.reports.templating import render

DIRECTION_WORDS = {"better": "▲ better", "worse": "▼ worse", "same": "= same", "unknown": ""}
DIRECTION_SYMBOLS = {"better": " ▲", "worse": " ▼"}


class Mark(NamedTuple):
    """The model against one baseline, drawn as <span class="dir {css}" title="{title}">{text}</span>."""

    css: str
    text: str
    title: str = ""


def baseline_mark(
    key: str, metric: MetricValue, other: MetricValue, kind: MetricKind, currency: str = ""
) -> Mark | None:
    """▲/▼ better/worse, or for a floor no model can beat, the gap to it (None when there is none)."""
    higher = metric["higher_is_better"]
    if key in FLOOR_BASELINES:
        gap = format_gap(metric["value"], other["value"], kind, higher, currency)
        title = "no model can beat this floor: the gap is what is left to gain"
        return Mark("floor", gap, title) if gap else None
    direction = compare_direction(metric["value"], other["value"], higher)
    return Mark(direction, DIRECTION_WORDS[direction], f"the model is {direction} than this baseline")


def headline_cards(results: Results) -> Markup:
    metrics, baselines = results["metrics"], results["baselines"]
    currency = results_currency(results)
    cards = []
    for name in headline_metric_names(metrics):
        metric = metrics[name]
        kind = metric_kind(name)
        versus, ticks = [], []
        for key, baseline in baselines.items():
            other = baseline["metrics"].get(name)  # a baseline reports only the metrics it has
            if other is None:
                continue
            ticks.append((baseline["label"], other["value"]))
            value = format_value(other["value"], kind, currency)
            versus.append((baseline["label"], value, baseline_mark(key, metric, other, kind, currency)))
        cards.append(
            {
                "name": name,
                "label": metric["label"] or name,
                "value": format_value(metric["value"], kind, currency),
                "interval": format_interval(metric["ci_low"], metric["ci_high"], kind, currency) or "n/a",
                "n": metric["n"],
                "direction": "higher is better" if metric["higher_is_better"] else "lower is better",
                "strip": ci_strip(metric, ticks, kind),
                "versus": versus,
            }
        )
    return render("headline.html.j2", cards=cards)


def metrics_table(results: Results) -> Markup:
    """Every metric: value, CI, n, each baseline's value, and a CI strip with baseline ticks."""
    metrics, baselines = results["metrics"], results["baselines"]
    currency = results_currency(results)
    columns = [(baseline["label"], baseline_short_name(key, baseline)) for key, baseline in baselines.items()]
    groups = []
    for group, members in grouped_metric_names(shown_metric_names(metrics)):
        rows = []
        for name in members:
            metric = metrics[name]
            kind = metric_kind(name)
            cells, ticks = [], []
            for key, baseline in baselines.items():
                other = baseline["metrics"].get(name)
                if other is None:
                    cells.append(None)
                    continue
                ticks.append((baseline["label"], other["value"]))
                if key in FLOOR_BASELINES:
                    mark, below = baseline_mark(key, metric, other, kind, currency), True
                else:
                    direction = compare_direction(metric["value"], other["value"], metric["higher_is_better"])
                    mark, below = Mark(direction, DIRECTION_SYMBOLS.get(direction, "")), False
                interval = format_interval(other["ci_low"], other["ci_high"], kind, currency)
                cells.append((format_value(other["value"], kind, currency), interval, mark, below))
            label = metric["label"] or name
            if name.endswith(UNPARSED_SUFFIX) and name.removesuffix(UNPARSED_SUFFIX) in members:
                label = "↳ unparsed = miss"  # the row above, counting unparsed answers as misses
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "value": format_value(metric["value"], kind, currency),
                    "interval": format_interval(metric["ci_low"], metric["ci_high"], kind, currency),
                    "n": metric["n"],
                    "strip": ci_strip(metric, ticks, kind),
                    "cells": cells,
                }
            )
        groups.append((group, rows))
    return render("metrics_table.html.j2", columns=columns, groups=groups)
