"""Price metrics per price band, so errors on cheap and dear items are seen apart.

The bands are the quintiles of the true full price in the training split (one fifth of the training
items each), so their edges do not depend on the model or on the evaluated split. A sample belongs
to band k when edge[k-1] < price <= edge[k]. Every price metric of `price_specs` is computed on each
band's samples, in the same joint bootstrap as the headline metrics (the same resamples).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from productlens.core.results_schema import MetricValue, PriceBand, PriceBands, Reference
from productlens.evaluate.aggregate import MetricSpec
from productlens.evaluate.price_metrics import price_specs

QUANTILES = (0.2, 0.4, 0.6, 0.8)


def price_band_edges(prices: Sequence[float] | np.ndarray) -> tuple[float, ...]:
    """The four inner quintile edges of the prices (the training split's full_price)."""
    prices = np.asarray(prices, dtype=np.float64)
    if prices.size == 0:
        return ()
    return tuple(float(edge) for edge in np.quantile(prices, QUANTILES))


def price_band_index(true_price: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Band number per sample, 0 (cheapest) to len(edges): the count of edges below the price."""
    return np.searchsorted(np.asarray(edges, dtype=np.float64), np.asarray(true_price), side="left")


def band_label(low: float | None, high: float | None) -> str:
    if low is None:
        return f"≤ {high:,.0f}"
    if high is None:
        return f"> {low:,.0f}"
    return f"{low:,.0f}–{high:,.0f}"


def price_band_specs(
    column: Mapping[str, np.ndarray], references: Sequence[Reference], edges: Sequence[float]
) -> list[MetricSpec]:
    """Specs named "q<k>/<price metric>" for every band (none without edges)."""
    if not edges:
        return []
    true_price = np.array([ref["price"] for ref in references], dtype=np.float64)
    band = price_band_index(true_price, edges)
    specs = []
    for k in range(len(edges) + 1):
        band_specs = price_specs(
            column["price_abs_error"],
            column["price_ape"],
            column["price_log_error"],
            column["price_parsed"],
            smape=column["price_smape"],
            rows=band == k,
        )
        specs += [
            MetricSpec(f"q{k + 1}/{spec.name}", spec.label, spec.higher_is_better, spec.statistic, spec.n)
            for spec in band_specs
        ]
    return specs


def price_bands_result(
    estimates: Mapping[str, MetricValue], references: Sequence[Reference], edges: Sequence[float]
) -> PriceBands | None:
    """results.json's price_bands from the estimates of `price_band_specs`; None without edges."""
    if not edges:
        return None
    true_price = np.array([ref["price"] for ref in references], dtype=np.float64)
    counts = np.bincount(price_band_index(true_price, edges), minlength=len(edges) + 1)
    bounds = [None, *edges, None]
    bands = []
    for k in range(len(edges) + 1):
        prefix = f"q{k + 1}/"
        low, high = bounds[k], bounds[k + 1]
        bands.append(
            PriceBand(
                name=f"q{k + 1}",
                label=band_label(low, high),
                low=low,
                high=high,
                n=int(counts[k]),
                metrics={
                    name[len(prefix) :]: value for name, value in estimates.items() if name.startswith(prefix)
                },
            )
        )
    return PriceBands(edges=[float(edge) for edge in edges], bands=bands)
