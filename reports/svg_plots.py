"""Plots as inline SVG strings, drawn with matplotlib's SVG backend (no GUI backend, no pyplot state).

Text is drawn as glyph paths (svg.fonttype "path"), so the SVG needs no font from anywhere. Each
SVG gets its own id prefix because several of them share one HTML document, and matplotlib's
comments (which repeat label text) are removed so no data text reaches the page unescaped.
Points and bars carry an escaped SVG <title> (the browser's tooltip). Each plot also comes in a
`narrow` layout (legend below, larger type) that the page shows on a phone-width screen.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
from markupsafe import Markup, escape
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter
from productlens.core.results_schema import PredictionRecord

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

MAX_LEGEND_CATEGORIES = 8
PALETTE = ("#2f5bd3", "#e07b00", "#1a9e5b", "#c2185b", "#7b4bd1", "#00838f", "#8d6e63", "#d4a100")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# The folded "other categories" group: a colour and shape no named category gets.
OTHER_COLOUR, OTHER_MARKER = "#9aa3ae", "h"
NARROW_FONT_SIZE = 13  # a narrow plot is drawn about 380 px wide: 13 pt glyphs stay readable there
STYLE: dict[RcKeyType, Any] = {
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


def plot_style(narrow: bool = False) -> dict[RcKeyType, Any]:
    """STYLE, with larger glyphs for a narrow plot."""
    return {**STYLE, "font.size": NARROW_FONT_SIZE} if narrow else STYLE


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')


def plain_label(text: Any) -> str:
    """Data text for a matplotlib label: `$` would start mathtext (and can raise), so it is escaped."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def figure_to_svg(figure: Figure, prefix: str, title: str) -> Markup:
    """The figure as an <svg> element for inline use: ids prefixed, comments gone, sized by CSS.

    Markup, safe to place in a page as it is: its text is drawn as paths, matplotlib's comments and
    metadata (which repeat label text) are removed, the ids are matplotlib's and ours, and the title is
    escaped."""
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
    return Markup(svg.replace("<svg", f'<svg class="plot" role="img" aria-label="{escape(title)}"', 1))


def add_tooltips(svg: Markup, tooltips: Mapping[str, Sequence[str]]) -> Markup:
    """Give the i-th marker (<use>) or bar (<path>) inside the group with id `gid` the i-th text as an
    escaped <title>. A group whose element count differs from its texts is left without tooltips."""
    document = str(svg)  # spliced as text: Markup's own methods would escape the pieces again
    for gid, texts in tooltips.items():
        start = document.find(f'<g id="{gid}">')
        if start == -1:
            continue
        end = _group_end(document, start)
        group = document[start:end]
        body_start = group.find("</defs>") + len("</defs>") if "</defs>" in group else len(f'<g id="{gid}">')
        body = group[body_start:]
        shapes = list(re.finditer(r"<(use|path)\b[^>]*?/>", body))
        if len(shapes) != len(texts):
            continue
        pieces, last = [], 0
        for match, text in zip(shapes, texts, strict=True):
            pieces.append(body[last : match.end() - 2])
            pieces.append(f"><title>{escape(text)}</title></{match.group(1)}>")
            last = match.end()
        pieces.append(body[last:])
        document = document[:start] + group[:body_start] + "".join(pieces) + document[end:]
    return Markup(document)


def _group_end(svg: str, start: int) -> int:
    """The index just past the </g> that closes the <g> opened at `start`."""
    depth, position = 0, start
    for match in re.finditer(r"<g\b[^>]*?(/?)>|</g>", svg[start:]):
        position = start + match.end()
        if match.group(0) == "</g>":
            depth -= 1
        elif not match.group(1):
            depth += 1
        if depth == 0:
            return position
    return len(svg)


def _new_figure(width: float = 6.0, height: float = 4.4) -> Figure:
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
        figure.add_subplot()
    return figure


def price_scatter_svg(
    points: Sequence[tuple[float, float, str]],
    currency: str = "",
    labels: Sequence[str] | None = None,
    narrow: bool = False,
) -> Markup:
    """Predicted vs true price on log axes with y = x and a ±25 % band; a colour and marker shape per
    category, the folded "other categories" in grey hexagons.

    `points`: (true price, predicted price, category3) for rows whose price was parsed; `labels`, one
    per point, become the points' tooltips.
    """
    with matplotlib.rc_context(plot_style(narrow)):
        figure = _new_figure(4.2, 6.4) if narrow else _new_figure(7.2, 4.6)
        axes = figure.axes[0]
        texts = list(labels) if labels is not None and len(labels) == len(points) else [""] * len(points)
        usable = [(t, p, c, x) for (t, p, c), x in zip(points, texts, strict=True) if t > 0 and p > 0]
        if usable:
            low = min(min(t, p) for t, p, _, _ in usable) / 1.3
            high = max(max(t, p) for t, p, _, _ in usable) * 1.3
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
        for _, _, category, _ in usable:
            counts[category] = counts.get(category, 0) + 1
        ranked = sorted(counts, key=lambda c: (-counts[c], c))
        shown = ranked[:MAX_LEGEND_CATEGORIES]
        tooltips: dict[str, list[str]] = {}
        for number, category in enumerate([*shown, None]):
            if category is None:
                group = [(t, p, x) for t, p, c, x in usable if c not in shown]
                label = f"other categories ({len(ranked) - len(shown)})"
                colour, marker = OTHER_COLOUR, OTHER_MARKER
            else:
                group = [(t, p, x) for t, p, c, x in usable if c == category]
                label = plain_label(category)
                colour, marker = PALETTE[number % len(PALETTE)], MARKERS[number % len(MARKERS)]
            if not group:
                continue
            collection = axes.scatter(
                [t for t, _, _ in group],
                [p for _, p, _ in group],
                s=30 if narrow else 22,
                alpha=0.75,
                color=colour,
                marker=marker,
                edgecolors="white",
                linewidths=0.4,
                label=label,
            )
            collection.set_gid(f"points-{number}")
            tooltips[f"points-{number}"] = [x for _, _, x in group]
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
        if narrow:
            axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=10, frameon=False)
        else:
            axes.legend(
                loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False, borderaxespad=0
            )
        prefix = "scatter-narrow" if narrow else "scatter"
        svg = figure_to_svg(figure, prefix, "Predicted against true price, log scale")
        if any(any(texts) for texts in tooltips.values()):
            svg = add_tooltips(svg, {f"{prefix}-{gid}": texts for gid, texts in tooltips.items()})
        return svg


def _price_label(value: float, _position: int) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


RATIO_TICKS = (0.1, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 10.0)
# Which ratio ticks go first when they cannot all be labelled: x1, then x0.5 / x2, and so on.
RATIO_TICK_PRIORITY = (1.0, 0.5, 2.0, 0.25, 4.0, 0.1, 10.0, 0.8, 1.25)
MIN_TICK_GAP = 0.14  # labels closer than this share of the axis would run into each other


def ratio_ticks(bound: float, min_gap: float = MIN_TICK_GAP) -> list[float]:
    """The RATIO_TICKS inside ±bound (log scale) that are at least `min_gap` of the axis apart."""
    chosen: list[float] = []
    for ratio in RATIO_TICK_PRIORITY:
        position = math.log(ratio)
        if abs(position) > bound + 1e-9:
            continue
        if all(abs(position - other) >= min_gap * 2 * bound for other in chosen):
            chosen.append(position)
    return sorted(chosen)


def _ratio_label(value: float, _position: int) -> str:
    return f"×{math.exp(value):.3g}"


def log_error_histogram_svg(log_errors: Sequence[float], narrow: bool = False) -> Markup:
    """Histogram of log(1 + predicted) - log(1 + true); the axis reads as the ratio predicted/true.

    Each bar's tooltip gives its count and its range of ratios."""
    tooltips: dict[str, list[str]] = {}
    with matplotlib.rc_context(plot_style(narrow)):
        figure = _new_figure(4.2, 4.4) if narrow else _new_figure(6.0, 4.0)
        axes = figure.axes[0]
        values = [v for v in log_errors if math.isfinite(v)]
        if values:
            bound = max(0.3, min(2.4, max(abs(v) for v in values) * 1.05))
            clipped = [max(-bound, min(bound, v)) for v in values]
            counts, edges, bars = axes.hist(
                clipped,
                bins=min(60, max(10, len(values) // 4)),
                range=(-bound, bound),
                color="#2f5bd3",
                alpha=0.8,
                edgecolor="white",
                linewidth=0.5,
            )
            assert isinstance(bars, BarContainer)  # one data set drawn as bars
            for number, (bar, count, low, high) in enumerate(
                zip(bars, counts, edges[:-1], edges[1:], strict=True)
            ):
                bar.set_gid(f"bar-{number}")
                tooltips[f"bar-{number}"] = [
                    f"{int(count)} samples with predicted / true from ×{math.exp(low):.3g} to ×{math.exp(high):.3g}"
                ]
            median = sorted(values)[len(values) // 2]
            axes.axvline(median, color="#e07b00", linewidth=1.5, label=f"median {_ratio_label(median, 0)}")
        else:
            bound = 1.0
        axes.set_xlim(-bound, bound)
        axes.axvline(0.0, color="#1c2430", linewidth=1.2, linestyle="--", label="exact (×1)")
        for edge in (math.log(1.1), -math.log(1.1)):
            axes.axvline(edge, color="#1a9e5b", linewidth=0.9, linestyle=":")
        axes.plot([], [], color="#1a9e5b", linestyle=":", label="±10 %")
        # Fewer labels on the narrow plot, whose glyphs are larger against its width.
        axes.xaxis.set_major_locator(FixedLocator(ratio_ticks(bound, 0.2 if narrow else MIN_TICK_GAP)))
        axes.xaxis.set_major_formatter(FuncFormatter(_ratio_label))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if narrow:
            axes.set_xlabel("predicted / true price (log axis)")
        else:
            axes.set_xlabel("predicted / true price (log axis; values beyond the edges are piled there)")
        axes.set_ylabel("samples")
        axes.legend(loc="upper right", fontsize=10 if narrow else 8, frameon=False)
        prefix = "errors-narrow" if narrow else "errors"
        svg = figure_to_svg(figure, prefix, "Distribution of the price error, log scale")
        return add_tooltips(svg, {f"{prefix}-{gid}": texts for gid, texts in tooltips.items()})


def point_labels(predictions: Sequence[PredictionRecord]) -> list[str]:
    """The tooltip of each scatter point, in scatter_points' order: id, title, true and predicted price."""
    from productlens.reports.metric_format import format_price

    labels = []
    for record in predictions:
        predicted, reference = record["parsed"]["price"], record["reference"]
        if predicted is None:
            continue
        currency = reference["currency"] or ""
        labels.append(
            f"{record['id']} · {reference['title']} · {reference['category3']}\n"
            f"true {format_price(reference['price'], currency)}, predicted {format_price(predicted, currency)}"
        )
    return labels


def scatter_points(predictions: Sequence[PredictionRecord]) -> list[tuple[float, float, str]]:
    """(true, predicted, category3) for every record whose price was parsed."""
    return [
        (record["reference"]["price"], predicted, record["reference"]["category3"])
        for record in predictions
        if (predicted := record["parsed"]["price"]) is not None
    ]


def log_errors(predictions: Sequence[PredictionRecord]) -> list[float]:
    return [value for record in predictions if (value := record["scores"]["price_log_error"]) is not None]
