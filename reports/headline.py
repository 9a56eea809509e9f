"""The headline section: key metrics as cards beside the baselines, then every metric with its CI drawn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.reports.html_page import esc
from productlens.reports.metric_format import (
    FLOOR_BASELINES,
    UNPARSED_SUFFIX,
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

DIRECTION_WORDS = {"better": "▲ better", "worse": "▼ worse", "same": "= same", "unknown": ""}


def baseline_mark(
    key: str, metric: Mapping[str, Any], other: Mapping[str, Any], kind: str, currency: str = ""
) -> str:
    """The model against one baseline: ▲/▼ better/worse, or for a floor no model can beat, the gap to it."""
    higher = bool(metric.get("higher_is_better", True))
    if key in FLOOR_BASELINES:
        gap = format_gap(metric.get("value"), other.get("value"), kind, higher, currency)  # type: ignore[arg-type]
        return (
            f'<span class="dir floor" title="no model can beat this floor: the gap is what is left to gain">'
            f"{esc(gap)}</span>"
            if gap
            else ""
        )
    direction = compare_direction(metric.get("value"), other.get("value"), higher)
    return (
        f'<span class="dir {direction}" title="the model is {direction} than this baseline">'
        f"{esc(DIRECTION_WORDS[direction])}</span>"
    )


def headline_cards(results: Mapping[str, Any]) -> str:
    metrics = results.get("metrics") or {}
    baselines = results.get("baselines") or {}
    currency = results_currency(results)
    cards = []
    for name in headline_metric_names(metrics):
        metric = metrics[name]
        kind = metric_kind(name)
        interval = format_interval(metric.get("ci_low"), metric.get("ci_high"), kind, currency)
        versus = []
        ticks = []
        for key, baseline in baselines.items():
            other = (baseline.get("metrics") or {}).get(name)
            if other is None:
                continue
            ticks.append((baseline.get("label", ""), other.get("value")))
            versus.append(
                f"<li><span>{esc(baseline.get('label', ''))}</span>"
                f"<span>{esc(format_value(other.get('value'), kind, currency))} "
                f"{baseline_mark(key, metric, other, kind, currency)}</span></li>"
            )
        arrow = "higher is better" if metric.get("higher_is_better", True) else "lower is better"
        cards.append(
            f'<div class="card" data-metric="{esc(name)}">'
            f'<div class="label">{esc(metric.get("label") or name)}</div>'
            f'<div class="value">{esc(format_value(metric.get("value"), kind, currency))}</div>'
            f'<div class="ci">95% CI {esc(interval or "n/a")} · n = {esc(metric.get("n", ""))} · {arrow}</div>'
            + ci_strip(metric, ticks, kind)
            + (f'<ul class="vs">{"".join(versus)}</ul>' if versus else "")
            + "</div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def metrics_table(results: Mapping[str, Any]) -> str:
    """Every metric: value, CI, n, each baseline's value, and a CI strip with baseline ticks."""
    metrics = results.get("metrics") or {}
    baselines = results.get("baselines") or {}
    currency = results_currency(results)
    names = list(baselines)
    head = "".join(
        f'<th class="num" title="{esc(baselines[b].get("label", b))}">{esc(baseline_short_name(b, baselines[b]))}</th>'
        for b in names
    )
    rows = []
    for group, members in grouped_metric_names(shown_metric_names(metrics)):
        rows.append(f'<tr class="group"><th colspan="{5 + len(names)}">{esc(group)}</th></tr>')
        for name in members:
            metric = metrics[name]
            kind = metric_kind(name)
            cells = []
            baseline_values = []
            for baseline in names:
                other = (baselines[baseline].get("metrics") or {}).get(name)
                if other is None:
                    cells.append('<td class="num" aria-label="not reported">—</td>')
                    continue
                baseline_values.append((baselines[baseline].get("label", baseline), other.get("value")))
                if baseline in FLOOR_BASELINES:
                    mark = baseline_mark(baseline, metric, other, kind, currency)
                    mark = f"<br>{mark}" if mark else ""
                else:
                    direction = compare_direction(
                        metric.get("value"), other.get("value"), bool(metric.get("higher_is_better", True))
                    )
                    symbol = {"better": " ▲", "worse": " ▼"}.get(direction, "")
                    mark = f'<span class="dir {direction}">{symbol}</span>'
                cells.append(
                    f'<td class="num" title="{esc(format_interval(other.get("ci_low"), other.get("ci_high"), kind, currency))}">'
                    f"{esc(format_value(other.get('value'), kind, currency))}{mark}</td>"
                )
            label = str(metric.get("label") or name)
            if name.endswith(UNPARSED_SUFFIX) and name.removesuffix(UNPARSED_SUFFIX) in members:
                label = "↳ unparsed = miss"  # the row above, counting unparsed answers as misses
            rows.append(
                f'<tr data-metric="{esc(name)}"><td>{esc(label)}'
                f' <code class="mono">{esc(name)}</code></td>'
                f'<td class="num"><b>{esc(format_value(metric.get("value"), kind, currency))}</b></td>'
                f'<td class="num">{esc(format_interval(metric.get("ci_low"), metric.get("ci_high"), kind, currency))}</td>'
                f'<td class="num">{esc(metric.get("n", ""))}</td>'
                f"<td>{ci_strip(metric, baseline_values, kind)}</td>{''.join(cells)}</tr>"
            )
    return (
        '<div class="table-wrap"><table class="metrics"><thead><tr><th>Metric</th><th class="num">Model</th>'
        f'<th class="num">95% CI</th><th class="num">n</th><th>Interval</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="legend">Interval: the dot is the model, the band its 95% bootstrap CI, grey ticks the baselines '
        "(hover for labels). ▲/▼: the model's value is better/worse than that baseline's; the noise floor (the "
        "price before noise, which no model can beat) shows the gap left to it. Rows marked "
        "“(unparsed = miss)” appear only where some answers were not parsed.</p>"
    )


def ci_strip(metric: Mapping[str, Any], baselines: list[tuple[str, float | None]], kind: str) -> str:
    """A small horizontal scale with the CI band, the point and a tick per baseline."""
    value, low, high = metric.get("value"), metric.get("ci_low"), metric.get("ci_high")
    if value is None:
        return ""
    points = [v for v in (value, low, high, *(b for _, b in baselines)) if v is not None]
    if kind == "percent":
        start, stop = 0.0, max(1.0, *points)
    else:
        start, stop = min(0.0, *points), max(points) * 1.1 or 1.0
    span = (stop - start) or 1.0

    def at(number: float) -> str:
        return f"{(number - start) / span * 100:.2f}%"

    parts = []
    if low is not None and high is not None:
        width = (high - low) / span * 100
        parts.append(f'<span class="ci-bar" style="left:{at(low)};width:{width:.2f}%"></span>')
    for label, other in baselines:
        if other is not None:
            parts.append(f'<span class="base" style="left:{at(other)}" title="{esc(label)}"></span>')
    parts.append(f'<span class="ci-dot" style="left:{at(value)}"></span>')
    return f'<div class="ci-track" role="presentation">{"".join(parts)}</div>'
