"""What a sample set holds: rows per split and category, price range (for the Rich summary and `show`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from productlens.core.sample_set import SPLITS


@dataclass
class SetSummary:
    """Counts and ranges of one sample set; built while writing or read back from the shards."""

    rows_per_split: dict[str, int] = field(default_factory=dict)
    rows_per_category3: Counter[str] = field(default_factory=Counter)
    rows_per_split_category3: Counter[tuple[str, str]] = field(default_factory=Counter)
    rows_per_category1: Counter[str] = field(default_factory=Counter)
    rows_per_source: Counter[str] = field(default_factory=Counter)
    currency: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    price_sum: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.rows_per_split.values())

    @property
    def price_mean(self) -> float | None:
        return self.price_sum / self.rows if self.rows else None

    def to_dict(self) -> dict[str, Any]:
        """Plain values for rendering (reports/sample_set_view.py), the derived figures included."""
        # vars(), not asdict(): asdict rebuilds a Counter from (key, count) pairs and loses the counts
        return {**vars(self), "rows": self.rows, "price_mean": self.price_mean}

    def add(self, split: str, row: Mapping[str, Any]) -> None:
        """Count one row of `split` (a dict with the category, source, currency and full_price columns)."""
        category1, category3, source = row["category1_code"], row["category3_code"], row["source"]
        currency, price = row["currency_code"], float(row["full_price"])
        self.rows_per_split[split] = self.rows_per_split.get(split, 0) + 1
        self.rows_per_category3[category3] += 1
        self.rows_per_split_category3[(split, category3)] += 1
        self.rows_per_category1[category1] += 1
        self.rows_per_source[source] += 1
        self.currency = self.currency or currency
        self.price_min = price if self.price_min is None else min(self.price_min, price)
        self.price_max = price if self.price_max is None else max(self.price_max, price)
        self.price_sum += price


def summarize_set(path: str | Path) -> SetSummary:
    """Read the metadata columns (never the images) of every shard under `path/data/`."""
    data = Path(path) / "data"
    shards = sorted(data.glob("*.parquet")) if data.is_dir() else []
    if not shards:
        raise FileNotFoundError(f"no Parquet shards under {data}; is {path} a sample set?")
    summary = SetSummary()
    columns = ["category1_code", "category3_code", "source", "currency_code", "full_price"]
    for shard in shards:
        split = shard.name.split("-", 1)[0]
        table = pq.read_table(shard, columns=columns)
        for row in table.to_pylist():
            summary.add(split, row)
    summary.rows_per_split = {s: summary.rows_per_split[s] for s in SPLITS if s in summary.rows_per_split}
    return summary
