"""The ranked CI plot of a comparison: per headline metric, the runs from best to worst with 95 % intervals."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
from markupsafe import Markup
from matplotlib.ticker import FuncFormatter, MaxNLocator
from productlens.core.results_schema import MetricValue, Results
from productlens.reports.metric_format import metric_kind
from productlens.reports.svg_plots import PALETTE, STYLE, figure_to_svg, plain_label

RANKED_METRICS = ("category3_accuracy", "price_mdape", "price_smape", "title_f1")
MAX_NAME = 22


def ranked_metric_names(runs: Sequence[Results]) -> list[str]:
    """The RANKED_METRICS that some run reports; where a run has no value (nothing parsed) and the metric
    has an "(unparsed = miss)" variant that every run reports, that variant, so every run is ranked."""

    def everyone_has(name: str) -> bool:
        return all(_value(run, name) is not None for run in runs)

    chosen = []
    for name in RANKED_METRICS:
        if everyone_has(name):
            chosen.append(name)
        elif everyone_has(f"{name}_all"):
            chosen.append(f"{name}_all")
        elif any(_value(run, name) is not None for run in runs):
            chosen.append(name)
    return chosen


def _value(run: Results, name: str) -> float | None:
    metric = run["metrics"].get(name)
    return None if metric is None else metric["value"]


def ranked_ci_svg(runs: Sequence[Results], metrics: Sequence[str] | None = None) -> Markup:
    """One panel per metric; in each, the runs ranked best (top) to worst, a dot and its 95 % CI bar.

    The direction comes from the metric (higher or lower is better), so the top run is always the best.
    Empty string when no metric is reported by every run.
    """
    from matplotlib.figure import Figure

    metrics = list(metrics) if metrics is not None else ranked_metric_names(runs)
    if not runs or not metrics:
        return Markup("")
    names = [run["name"] for run in runs]
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    with matplotlib.rc_context(STYLE):
        # At least two panels wide: the page scales the SVG to its width, and one narrow panel blown up to it
        # would draw its labels at three times their size.
        width = 3.1 * max(len(metrics), 2)
        figure = Figure(figsize=(width, 0.9 + 0.42 * len(runs)), dpi=100, layout="constrained")
        axes_row = figure.subplots(1, len(metrics), squeeze=False)[0]
        for axes, metric in zip(axes_row, metrics, strict=True):
            values: list[MetricValue | None] = [run["metrics"].get(metric) for run in runs]
            reported = next(v for v in values if v is not None)
            higher = reported["higher_is_better"]
            scored = [i for i, value in enumerate(values) if value is not None and value["value"] is not None]
            order = sorted(scored, key=lambda i: _value(runs[i], metric) or 0.0, reverse=higher)
            order += [i for i in range(len(runs)) if i not in scored]  # unscored runs at the bottom, no dot
            scale = 100.0 if metric_kind(metric) == "percent" else 1.0
            for rank, i in enumerate(order):
                value = values[i]
                y = len(order) - 1 - rank  # best on top
                if value is None or value["value"] is None:
                    continue
                low, high = value["ci_low"], value["ci_high"]
                if low is not None and high is not None:
                    axes.plot([low * scale, high * scale], [y, y], color=colours[names[i]], linewidth=2.4)
                axes.plot(value["value"] * scale, y, "o", color=colours[names[i]], markersize=6)
            axes.set_yticks(range(len(order)))
            axes.set_yticklabels(
                [
                    plain_label(_short(names[i]) + ("" if i in scored else " (unscored)"))
                    for i in reversed(order)
                ]
            )
            axes.set_ylim(-0.6, len(order) - 0.4)
            axes.xaxis.set_major_locator(MaxNLocator(nbins=4))
            low_x, high_x = axes.get_xlim()
            if high_x - low_x < 1e-9 * max(1.0, abs(high_x)):  # every run on one value: give the axis a width
                low_x, high_x = (low_x - 1.0, high_x + 1.0)
                axes.set_xlim(low_x, high_x)
            if scale == 100.0:
                axes.xaxis.set_major_formatter(FuncFormatter(_percent_tick(high_x - low_x)))
            label = reported["label"] or metric
            axes.set_title(plain_label(f"{label} ({'higher' if higher else 'lower'} is better)"), fontsize=9)
            axes.grid(axis="y", visible=False)
        return figure_to_svg(figure, "ranked", "Runs ranked per headline metric with 95% intervals")


def _percent_tick(span: float):
    """Tick labels in percent with as many decimals as the axis's span needs, and never "-0%"."""
    decimals = 0 if span >= 4 else 1 if span >= 0.4 else 2

    def label(value: float, _position: object) -> str:
        text = f"{value:.{decimals}f}"
        return f"{'0' if float(text) == 0 else text}%"

    return label


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
