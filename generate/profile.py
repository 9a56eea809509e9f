"""Profile a sample set: the aggregates a look-alike synthetic set follows (`sample-gen --like`).

A profile holds only aggregates, never a row: how often each (category1, category2, category3)
occurs, 21 quantiles of full_price per category3 with its discount rate, the distribution of title
lengths (in words), the words used in at least `min_titles` titles with their counts, and the
set's currency, country, EUR rate, brand and date. It is a plain JSON-able dataclass.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from productlens.core.json_files import read_json, write_json
from productlens.core.sample_set import DBQ_COLUMNS, read_manifest
from productlens.generate.clean import MAX_CHARS

# What a profile reads: the catalogue columns but the per-row identifiers and the derived price_eur.
METADATA_COLUMNS = (
    *(name for name in DBQ_COLUMNS if name not in {"product_code", "itemurl", "imageurl", "price_eur"}),
    "source",
)
QUANTILES = tuple(np.linspace(0.0, 1.0, 21).round(2).tolist())
_WORD = re.compile(r"[A-Za-z][A-Za-z&'-]*")


def read_metadata(path: str | Path) -> pd.DataFrame:
    """Every row's metadata (no images) with a `split` column, read straight from the shards."""
    data = Path(path) / "data"
    shards = sorted(data.glob("*.parquet")) if data.is_dir() else []
    if not shards:
        raise FileNotFoundError(f"no Parquet shards under {data}; is {path} a sample set?")
    frames = []
    for shard in shards:
        frame = pq.read_table(shard, columns=list(METADATA_COLUMNS)).to_pandas()
        frame["split"] = shard.name.split("-", 1)[0]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def title_words(title: str) -> list[str]:
    """The words of a title as a catalogue writes them (`with` and `&` count as words)."""
    return title.split()


@dataclass
class CategoryPrices:
    """The full_price distribution of one category3."""

    rows: int
    quantiles: list[float]  # full_price at QUANTILES
    discount_rate: float


@dataclass
class SetProfile:
    """Aggregates of a set that a synthetic look-alike follows; no row of the source is stored."""

    rows: int
    currency: str
    country: str
    eur_rate: float | None  # units of currency per EUR (median full_price / full_price_eur)
    brand: str
    website: str
    competence_date: str
    categories: list[tuple[str, str, str, int]]  # (category1, category2, category3, rows)
    prices: dict[str, CategoryPrices]  # by category3
    title_lengths: dict[int, int]  # words -> titles
    vocabulary: dict[str, int]  # word -> titles using it (words in >= min_titles titles)
    source: dict[str, Any] = field(default_factory=dict)  # path and checksum of the profiled set
    too_long_rows: int = 0  # rows left out: a title or category longer than clean.MAX_CHARS allows

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SetProfile:
        data = dict(data)
        data["categories"] = [tuple(c) for c in data["categories"]]
        data["prices"] = {k: CategoryPrices(**v) for k, v in data["prices"].items()}
        data["title_lengths"] = {int(k): v for k, v in data["title_lengths"].items()}
        profile = cls(**data)
        profile.check_lengths()
        return profile

    def check_lengths(self) -> None:
        """ValueError (too_long) for a category or title length a set may not hold (clean.MAX_CHARS)."""
        for triple in self.categories:
            for column, value in zip(
                ("category1_code", "category2_code", "category3_code"), triple, strict=False
            ):
                if len(str(value)) > MAX_CHARS[column]:
                    raise ValueError(
                        f"too_long: the profile's {column} {str(value)[:40]!r}... has {len(str(value)):,} "
                        f"characters, more than {MAX_CHARS[column]}; profile the set again with this version"
                    )
        longest = max(self.title_lengths, default=0)
        if longest > MAX_TITLE_WORDS:
            raise ValueError(
                f"too_long: the profile has titles of {longest:,} words; a title holds at most "
                f"{MAX_CHARS['title']} characters ({MAX_TITLE_WORDS} words); profile the set again with this version"
            )

    @property
    def category3_frequencies(self) -> dict[str, float]:
        counts: Counter[str] = Counter()
        for _c1, _c2, c3, n in self.categories:
            counts[c3] += n
        return {c: n / self.rows for c, n in counts.most_common()}


def save_profile(profile: SetProfile, path: str | Path) -> None:
    """Write a profile as JSON (atomically): it can be shared instead of the set it describes."""
    write_json(path, profile.to_dict(), ensure_ascii=False)


def load_profile(path: str | Path) -> SetProfile:
    """The profile of a sample set directory, or one saved by `save_profile` (a .json file)."""
    path = Path(path)
    if path.is_dir():
        return profile_set(path)
    try:
        return SetProfile.from_dict(read_json(path))
    except FileNotFoundError:
        raise
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            f"{path} is neither a sample set directory nor a profile JSON written by `sample-gen profile` ({error})"
        ) from None


def _mode(values: pd.Series, default: str) -> str:
    values = values.dropna()
    return str(values.mode().iloc[0]) if len(values) else default


MAX_TITLE_WORDS = MAX_CHARS["title"] // 2  # one-letter words and spaces


def profile_set(path: str | Path, min_titles: int = 2) -> SetProfile:
    """The profile of the sample set at `path` (metadata only; images are not read).

    Rows whose title or category is longer than `clean.MAX_CHARS` allows (a scraped page pasted into a
    title) are left out and counted in `too_long_rows`, so a look-alike never copies such outliers.
    """
    rows = read_metadata(path)
    too_long = np.zeros(len(rows), dtype=bool)
    for column in ("title", "category1_code", "category2_code", "category3_code"):
        too_long |= rows[column].astype(str).str.len().to_numpy() > MAX_CHARS[column]
    rows = rows[~too_long]
    if rows.empty:
        raise ValueError(f"{path}: every row has a title or category over the length limit (too_long)")
    triples = rows.groupby(["category1_code", "category2_code", "category3_code"], dropna=False).size()
    categories = [
        (str(c1), str(c2), str(c3), int(n))
        for c1, c2, c3, n in triples.sort_values(ascending=False)
        .reset_index()
        .itertuples(index=False, name=None)
    ]
    prices = {}
    for category, group in rows.groupby("category3_code"):
        values = group["full_price"].astype(float).to_numpy()
        prices[str(category)] = CategoryPrices(
            rows=len(group),
            quantiles=[float(v) for v in np.quantile(values, QUANTILES)],
            discount_rate=float((group["flg_discount"] == 1).mean()),
        )
    lengths = Counter(len(title_words(t)) for t in rows["title"])
    vocabulary: Counter[str] = Counter()
    for title in rows["title"]:
        vocabulary.update(set(title_words(title)))
    eur = rows.dropna(subset=["full_price_eur"])
    eur = eur[eur["full_price_eur"] > 0]
    eur_rate = float((eur["full_price"] / eur["full_price_eur"]).median()) if len(eur) else None
    try:
        checksum = read_manifest(path).get("checksum")
    except FileNotFoundError:
        checksum = None
    return SetProfile(
        rows=len(rows),
        currency=_mode(rows["currency_code"], "USD"),
        country=_mode(rows["country_code"], "US"),
        eur_rate=eur_rate,
        brand=_mode(rows["brand"], "N.A."),
        website=_mode(rows["website_name"], "N.A."),
        competence_date=_mode(rows["competence_date"], "2024-05-01"),
        categories=categories,
        prices=prices,
        title_lengths=dict(sorted(lengths.items())),
        vocabulary={w: n for w, n in vocabulary.most_common() if n >= min_titles},
        source={"path": str(path), "checksum": checksum},
        too_long_rows=int(too_long.sum()),
    )
