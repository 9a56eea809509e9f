"""Plots as inline SVG: self-contained, prefixed ids, no data text outside escaping, robust to odd input."""

from __future__ import annotations

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
