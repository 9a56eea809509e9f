"""How closely one sample set follows another (`sample-gen show A --compare B`).

Measures, all from metadata (no images):

- category3 distribution: total variation distance (half the L1 distance, 0 = same, 1 = disjoint)
  and Jensen-Shannon divergence (base 2, also 0..1);
- full_price per category3 present in both: the two-sample Kolmogorov-Smirnov statistic (largest
  gap between the two empirical CDFs) with the 5% critical value for those sample sizes, and the
  medians; the same over all rows;
- title length in words: means and the KS statistic; currency and country of each set.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from productlens.generate.profile import read_metadata, title_words
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """sup |F_a(x) - F_b(x)| of the two empirical CDFs (0 when identical, 1 when disjoint; NaN when empty)."""
    if len(a) == 0 or len(b) == 0:
        return math.nan
    result = ks_2samp(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return float(result.statistic)  # pyright: ignore[reportAttributeAccessIssue]  # scipy's decorator hides KstestResult


def ks_critical(n: int, m: int, alpha: float = 0.05) -> float:
    """The asymptotic two-sample KS critical value c(alpha) * sqrt((n + m) / (n m))."""
    return math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((n + m) / (n * m))


def distribution_distances(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """(total variation, Jensen-Shannon divergence in bits) between two categorical samples."""
    p = a.value_counts(normalize=True)
    q = b.value_counts(normalize=True)
    labels = p.index.union(q.index)
    p, q = p.reindex(labels, fill_value=0).to_numpy(), q.reindex(labels, fill_value=0).to_numpy()
    tv = 0.5 * float(np.abs(p - q).sum())
    return tv, float(jensenshannon(p, q, base=2) ** 2)  # scipy gives the distance, the divergence's root


@dataclass(frozen=True)
class CategoryFidelity:
    """full_price of one category3 in both sets."""

    category3: str
    rows_a: int
    rows_b: int
    share_a: float
    share_b: float
    median_a: float
    median_b: float
    price_ks: float
    ks_critical: float  # 5% critical value: a KS statistic below it is consistent with one distribution


@dataclass
class FidelityReport:
    """Set B measured against set A."""

    name_a: str
    name_b: str
    rows_a: int
    rows_b: int
    category_tv: float
    category_js: float
    price_ks: float  # all rows
    title_length_a: float
    title_length_b: float
    title_length_ks: float
    currency_a: str
    currency_b: str
    categories: list[CategoryFidelity] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)

    @property
    def categories_within_critical(self) -> int:
        return sum(c.price_ks <= c.ks_critical for c in self.categories)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for rendering (reports/fidelity_view.py), the derived count included."""
        return {**asdict(self), "categories_within_critical": self.categories_within_critical}


def compare_sets(a: str | Path, b: str | Path) -> FidelityReport:
    """Fidelity of set `b` to set `a` on categories, prices and titles."""
    rows_a, rows_b = read_metadata(a), read_metadata(b)
    return compare_metadata(rows_a, rows_b, str(a), str(b))


def compare_metadata(rows_a: pd.DataFrame, rows_b: pd.DataFrame, name_a: str, name_b: str) -> FidelityReport:
    tv, js = distribution_distances(rows_a["category3_code"], rows_b["category3_code"])
    len_a = rows_a["title"].map(lambda t: len(title_words(str(t)))).to_numpy()
    len_b = rows_b["title"].map(lambda t: len(title_words(str(t)))).to_numpy()
    cats_a, cats_b = set(rows_a["category3_code"]), set(rows_b["category3_code"])
    by_a, by_b = rows_a.groupby("category3_code"), rows_b.groupby("category3_code")
    categories = []
    for category in sorted(cats_a & cats_b, key=lambda c: (-len(by_a.get_group(c)), c)):
        prices_a = by_a.get_group(category)["full_price"].to_numpy(dtype=float)
        prices_b = by_b.get_group(category)["full_price"].to_numpy(dtype=float)
        categories.append(
            CategoryFidelity(
                category3=category,
                rows_a=len(prices_a),
                rows_b=len(prices_b),
                share_a=len(prices_a) / len(rows_a),
                share_b=len(prices_b) / len(rows_b),
                median_a=float(np.median(prices_a)),
                median_b=float(np.median(prices_b)),
                price_ks=ks_statistic(prices_a, prices_b),
                ks_critical=ks_critical(len(prices_a), len(prices_b)),
            )
        )

    def mode(rows: pd.DataFrame) -> str:
        values = rows["currency_code"].dropna()
        return str(values.mode().iloc[0]) if len(values) else "?"

    return FidelityReport(
        name_a=name_a,
        name_b=name_b,
        rows_a=len(rows_a),
        rows_b=len(rows_b),
        category_tv=tv,
        category_js=js,
        price_ks=ks_statistic(rows_a["full_price"].to_numpy(), rows_b["full_price"].to_numpy()),
        title_length_a=float(len_a.mean()),
        title_length_b=float(len_b.mean()),
        title_length_ks=ks_statistic(len_a, len_b),
        currency_a=mode(rows_a),
        currency_b=mode(rows_b),
        categories=categories,
        only_in_a=sorted(cats_a - cats_b),
        only_in_b=sorted(cats_b - cats_a),
    )
