"""What the baselines and the category taxonomy need from the training split, and nothing else."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from productlens.core.category_labels import normalise_category
from productlens.evaluate.category_metrics import Hierarchy
from productlens.evaluate.price_bands import price_band_edges

TRAINING_COLUMNS = ("category1_code", "category2_code", "category3_code", "full_price")


@dataclass(frozen=True)
class TrainingStats:
    """Summary of the training split: price medians, the majority category and the taxonomy."""

    n: int
    median_price: float
    category_median_price: dict[str, float]  # normalised category3 -> median full_price
    majority_category: str  # category3 as written in the data
    hierarchy: Hierarchy  # normalised category3 -> (category1, category2)
    # addition: the price-band edges (quintiles of full_price); empty in stats saved before it existed
    price_quintiles: tuple[float, ...] = ()

    @classmethod
    def from_columns(
        cls,
        category1: Sequence[str | None],
        category2: Sequence[str | None],
        category3: Sequence[str],
        full_price: Sequence[float],
    ) -> TrainingStats:
        if len(category3) == 0:
            raise ValueError("the training split is empty; baselines need at least one training row")
        prices = np.asarray(full_price, dtype=np.float64)
        by_category: dict[str, list[float]] = defaultdict(list)
        parents: dict[str, Counter] = defaultdict(Counter)
        for level1, level2, level3, price in zip(category1, category2, category3, prices, strict=True):
            key = normalise_category(level3)
            by_category[key].append(price)
            parents[key][(level1, level2)] += 1
        return cls(
            n=len(category3),
            median_price=float(np.median(prices)),
            category_median_price={key: float(np.median(values)) for key, values in by_category.items()},
            majority_category=Counter(category3).most_common(1)[0][0],
            hierarchy={key: counts.most_common(1)[0][0] for key, counts in parents.items()},
            price_quintiles=price_band_edges(prices),
        )

    @classmethod
    def from_dataset(cls, train) -> TrainingStats:
        """From a `datasets.Dataset` (the train split), reading only the needed columns (no images)."""
        missing = [column for column in TRAINING_COLUMNS if column not in train.column_names]
        if missing:
            raise ValueError(
                f"the training split lacks columns {missing}; a sample set has all of {TRAINING_COLUMNS}"
            )
        columns = train.select_columns(list(TRAINING_COLUMNS)).to_dict()
        return cls.from_columns(*(columns[name] for name in TRAINING_COLUMNS))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainingStats:
        hierarchy = {key: tuple(value) for key, value in data["hierarchy"].items()}
        return cls(
            **{**data, "hierarchy": hierarchy, "price_quintiles": tuple(data.get("price_quintiles", ()))}
        )
