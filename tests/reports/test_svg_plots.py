"""Plots as inline SVG: self-contained, prefixed ids, no data text outside escaping, robust to odd input."""

from __future__ import annotations

import itertools
import math
import re

from productlens.reports.svg_plots import log_error_histogram_svg, price_scatter_svg


def test_scatter_is_an_inline_svg_with_prefixed_ids_and_no_comments_or_metadata():
    svg = price_scatter_svg([(100.0, 110.0, "COATS"), (50.0, 40.0, "<!-- -->SHIRTS"), (20.0, 25.0, "HATS")])
    assert svg.startswith('<svg class="plot" role="img"')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg and "<metadata" not in svg
    assert 'width="' not in svg.split(">", 1)[0]  # sized by CSS through the viewBox
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("scatter-") for i in ids)
    assert all(ref[1:].startswith("scatter-") for ref in re.findall(r'href="(#[^"]+)"', svg))
    assert "<text" not in svg  # labels are glyph paths: no font needed


def test_dollar_signs_in_categories_are_not_mathtext():
    svg = price_scatter_svg([(10.0, 12.0, "US$ 5 $x"), (12.0, 9.0, "$")], currency="$")
    assert svg.startswith("<svg")


def test_many_categories_fold_into_other_and_empty_inputs_render():
    points = [(10.0 + i, 11.0 + i, f"C{i}") for i in range(20)]
    assert "<svg" in price_scatter_svg(points)
    assert "<svg" in price_scatter_svg([])
    assert "<svg" in log_error_histogram_svg([])
    assert "<svg" in log_error_histogram_svg([0.0, 0.1, -5.0, 7.0, float("nan")])


def _markers(svg: str) -> dict[str, tuple[str, str]]:
    """gid of each point group -> (its marker path, its fill colour)."""
    found = {}
    for gid in re.findall(r'<g id="(scatter-points-\d+)">', svg):
        group = svg[svg.index(f'<g id="{gid}">') :]
        path = re.search(r'<path id="[^"]+" d="([^"]+)"', group).group(1)
        fill = re.search(r"fill: (#[0-9a-f]{6})", group).group(1)
        found[gid] = (" ".join(path.split()), fill)
    return found


def test_other_categories_get_a_marker_and_colour_no_named_category_has():
    points = [(10.0 * (i + 1), 11.0 * (i + 1), f"C{i:02d}") for i in range(12) for _ in range(12 - i)]
    markers = _markers(price_scatter_svg(points))
    assert len(markers) == 9  # eight named categories and "other categories"
    other = markers["scatter-points-8"]
    assert all(other[0] != shape or other[1] != colour for shape, colour in list(markers.values())[:8])
    assert other[1] not in {colour for _, colour in list(markers.values())[:8]}
    assert len({shape for shape, _ in markers.values()}) == 9  # a shape of its own for each


def test_points_and_bars_carry_escaped_tooltips():
    points = [(590.0, 600.0, "SHIRTS"), (450.0, 520.0, "SCARVES"), (420.0, 150.0, "SHIRTS")]
    labels = ["P001 · Check Shirt", "P003 · <b>Silk</b> & Scarf", "P005 · Wool"]
    svg = price_scatter_svg(points, "USD", labels)
    titles = re.findall(r"<title>(.*?)</title>", svg)
    assert sorted(titles) == sorted(
        ["P001 · Check Shirt", "P003 · &lt;b&gt;Silk&lt;/b&gt; &amp; Scarf", "P005 · Wool"]
    )
    assert "<b>" not in svg
    histogram = log_error_histogram_svg([0.0, 0.05, -0.2, 0.4] * 5)
    bars = re.findall(r"<title>(\d+) samples with predicted / true from", histogram)
    assert len(bars) == 10 and sum(map(int, bars)) == 20


def test_ratio_ticks_never_crowd():
    from productlens.reports.svg_plots import ratio_ticks

    wide = [round(math.exp(t), 2) for t in ratio_ticks(2.4)]
    assert 0.8 not in wide and 1.25 not in wide and 1.0 in wide  # x0.8 x1 x1.25 would overlap here
    narrow = [round(math.exp(t), 2) for t in ratio_ticks(0.3)]
    assert narrow == [0.8, 1.0, 1.25]
    for bound in (0.3, 0.7, 1.2, 2.4):
        ticks = ratio_ticks(bound)
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert min(gaps) >= 0.14 * 2 * bound - 1e-9
