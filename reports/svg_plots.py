"""Plots as inline SVG strings, drawn with matplotlib's SVG backend (no GUI backend, no pyplot state).

Text is drawn as glyph paths (svg.fonttype "path"), so the SVG needs no font from anywhere. Each
SVG gets its own id prefix because several of them share one HTML document, and matplotlib's
comments (which repeat label text) are removed so no data text reaches the page unescaped.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter

MAX_LEGEND_CATEGORIES = 8
PALETTE = ("#2f5bd3", "#e07b00", "#1a9e5b", "#c2185b", "#7b4bd1", "#00838f", "#8d6e63", "#5f6b7a")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
STYLE = {
    "svg.fonttype": "path",
    "svg.hashsalt": "productlens",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#8a94a3",
    "axes.labelcolor": "#1c2430",
    "xtick.color": "#5b6675",
    "ytick.color": "#5b6675",
    "axes.grid": True,
    "grid.color": "#e6e9ee",
    "grid.linewidth": 0.8,
}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')


def plain_label(text: Any) -> str:
    """Data text for a matplotlib label: `$` would start mathtext (and can raise), so it is escaped."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def figure_to_svg(figure: Figure, prefix: str, title: str) -> str:
    """The figure as an <svg> element for inline use: ids prefixed, comments gone, sized by CSS."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = _COMMENT.sub("", svg)
    svg = _METADATA.sub("", svg)
    ids = set(_ID.findall(svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
    svg = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"<svg\1", svg, count=1)
    from productlens.reports.html_page import esc

    return svg.replace("<svg", f'<svg class="plot" role="img" aria-label="{esc(title)}"', 1)


def _new_figure(width: float = 6.0, height: float = 4.4) -> Figure:
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
        figure.add_subplot()
    return figure


def price_scatter_svg(points: Sequence[tuple[float, float, str]], currency: str = "") -> str:
    """Predicted vs true price on log axes with y = x and a ±25 % band; one marker shape per category.

    `points`: (true price, predicted price, category3) for rows whose price was parsed and positive.
    """
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(7.2, 4.6)
        axes = figure.axes[0]
        usable = [(t, p, c) for t, p, c in points if t > 0 and p > 0]
        if usable:
            low = min(min(t, p) for t, p, _ in usable) / 1.3
            high = max(max(t, p) for t, p, _ in usable) * 1.3
        else:
            low, high = 1.0, 1000.0
        line = [low, high]
        axes.fill_between(
            line,
            [v / 1.25 for v in line],
            [v * 1.25 for v in line],
            color="#2f5bd3",
            alpha=0.07,
            linewidth=0,
            label="within ±25 %",
        )
        axes.plot(line, line, color="#1c2430", linewidth=1.2, linestyle="--", label="predicted = true")
        counts: dict[str, int] = {}
        for _, _, category in usable:
            counts[category] = counts.get(category, 0) + 1
        ranked = sorted(counts, key=lambda c: (-counts[c], c))
        shown = ranked[:MAX_LEGEND_CATEGORIES]
        for number, category in enumerate([*shown, None]):
            if category is None:
                group = [(t, p) for t, p, c in usable if c not in shown]
                label = f"other categories ({len(ranked) - len(shown)})"
            else:
                group = [(t, p) for t, p, c in usable if c == category]
                label = plain_label(category)
            if not group:
                continue
            axes.scatter(
                [t for t, _ in group],
                [p for _, p in group],
                s=22,
                alpha=0.75,
                color=PALETTE[number % len(PALETTE)],
                marker=MARKERS[number % len(MARKERS)],
                edgecolors="white",
                linewidths=0.4,
                label=label,
            )
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlim(low, high)
        axes.set_ylim(low, high)
        for axis in (axes.xaxis, axes.yaxis):
            axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FuncFormatter(_price_label))
            axis.set_minor_formatter(NullFormatter())
        axes.set_aspect("equal", adjustable="box")
        unit = f" ({plain_label(currency)})" if currency else ""
        axes.set_xlabel(f"true full price{unit}")
        axes.set_ylabel(f"predicted full price{unit}")
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False, borderaxespad=0)
        return figure_to_svg(figure, "scatter", "Predicted against true price, log scale")


def _price_label(value: float, _position: int) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


RATIO_TICKS = (0.1, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 10.0)


def _ratio_label(value: float, _position: int) -> str:
    return f"×{math.exp(value):.3g}"


def log_error_histogram_svg(log_errors: Sequence[float]) -> str:
    """Histogram of log(1 + predicted) - log(1 + true); the axis reads as the ratio predicted/true."""
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(6.0, 4.0)
        axes = figure.axes[0]
        values = [v for v in log_errors if math.isfinite(v)]
        if values:
            bound = max(0.3, min(2.4, max(abs(v) for v in values) * 1.05))
            clipped = [max(-bound, min(bound, v)) for v in values]
            axes.hist(
                clipped,
                bins=min(60, max(10, len(values) // 4)),
                range=(-bound, bound),
                color="#2f5bd3",
                alpha=0.8,
                edgecolor="white",
                linewidth=0.5,
            )
            median = sorted(values)[len(values) // 2]
            axes.axvline(median, color="#e07b00", linewidth=1.5, label=f"median {_ratio_label(median, 0)}")
        if not values:
            bound = 1.0
        axes.set_xlim(-bound, bound)
        axes.axvline(0.0, color="#1c2430", linewidth=1.2, linestyle="--", label="exact (×1)")
        for edge in (math.log(1.1), -math.log(1.1)):
            axes.axvline(edge, color="#1a9e5b", linewidth=0.9, linestyle=":")
        axes.plot([], [], color="#1a9e5b", linestyle=":", label="±10 %")
        axes.xaxis.set_major_locator(FixedLocator([math.log(r) for r in RATIO_TICKS]))
        axes.xaxis.set_major_formatter(FuncFormatter(_ratio_label))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("predicted / true price (log axis; values beyond the edges are piled there)")
        axes.set_ylabel("samples")
        axes.legend(loc="upper right", fontsize=8, frameon=False)
        return figure_to_svg(figure, "errors", "Distribution of the price error, log scale")


def scatter_points(predictions: Sequence[Mapping[str, Any]]) -> list[tuple[float, float, str]]:
    """(true, predicted, category3) for every record whose price was parsed."""
    points = []
    for record in predictions:
        predicted = (record.get("parsed") or {}).get("price")
        reference = record.get("reference") or {}
        if predicted is None or reference.get("price") is None:
            continue
        points.append((float(reference["price"]), float(predicted), str(reference.get("category3", ""))))
    return points


def log_errors(predictions: Sequence[Mapping[str, Any]]) -> list[float]:
    return [
        float(value)
        for record in predictions
        if (value := (record.get("scores") or {}).get("price_log_error")) is not None
    ]
