"""The price section's error by band: price metrics per quintile of the training prices, with 95 % CIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.reports.html_page import esc
from productlens.reports.metric_format import format_metric

BAND_METRICS = (
    ("price_mdape", "Median APE"),
    ("price_smape", "SMAPE"),
    ("price_mape", "MAPE"),
    ("price_within_10pct", "Within 10 %"),
    ("price_mae", "MAE"),
)


def price_bands_html(results: Mapping[str, Any], currency: str = "") -> str:
    """A table of the bands (true-price range, n, the main price metrics); empty without price_bands."""
    bands = (results.get("price_bands") or {}).get("bands") or []
    if not bands:
        return ""
    unit = f" ({esc(currency)})" if currency else ""
    head = "".join(f'<th class="num">{esc(label)}</th>' for _, label in BAND_METRICS)
    rows = []
    for band in bands:
        metrics = band.get("metrics") or {}
        cells = "".join(
            f'<td class="num">{esc(format_metric(metrics.get(name) or {}, name))}</td>'
            for name, _ in BAND_METRICS
        )
        rows.append(
            f'<tr data-band="{esc(band.get("name"))}"><td>{esc(band.get("name", "").upper())}</td>'
            f'<td class="num">{esc(band.get("label", ""))}</td><td class="num">{esc(band.get("n", ""))}</td>{cells}</tr>'
        )
    return (
        f"<h3>Error by price band</h3>"
        f'<div class="table-wrap"><table class="price-bands"><thead><tr><th>Band</th>'
        f'<th class="num">True price{unit}</th><th class="num">n</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="legend">Bands are the quintiles of the true full price in the training split (a fifth of the '
        "training items each), so cheap and dear items are scored apart; each figure with its 95% bootstrap "
        "interval. SMAPE is the Amazon ML Challenge 2025 metric (0-200%).</p>"
    )
