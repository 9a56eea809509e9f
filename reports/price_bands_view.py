"""The price section's error by band: price metrics per quintile of the training prices, with 95 % CIs."""

from __future__ import annotations

from markupsafe import Markup
from productlens.core.results_schema import Results
from productlens.reports.metric_format import format_metric
from productlens.reports.templating import render

BAND_METRICS = (
    ("price_mdape", "Median APE"),
    ("price_smape", "SMAPE"),
    ("price_mape", "MAPE"),
    ("price_within_10pct", "Within 10 %"),
    ("price_mae", "MAE"),
)


def price_bands_html(results: Results, currency: str = "") -> Markup:
    """A table of the bands (true-price range, n, the main price metrics); empty without price_bands."""
    if "price_bands" not in results or not results["price_bands"]["bands"]:
        return Markup("")
    bands = [
        {
            "name": band["name"],
            "label": band["label"],
            "n": band["n"],
            "cells": [format_metric(band["metrics"].get(name), name) for name, _ in BAND_METRICS],
        }
        for band in results["price_bands"]["bands"]
    ]
    headers = [label for _, label in BAND_METRICS]
    return render("price_bands.html.j2", bands=bands, headers=headers, currency=currency)
