"""Generate a synthetic sample set: rows made in parallel processes, streamed in order into the writer.

Rows are made in chunks of consecutive indices by a process pool and consumed in index order, with
a bounded number of chunks in flight, so memory stays flat as the count grows and the output is
the same for any number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from productlens.core.constants import DEFAULT_PRICE_SIGMA
from productlens.core.ordered_map import ordered_map
from productlens.core.sample_set import ratios_field, validate_ratios
from productlens.generate.holdout import parse_holdout
from productlens.generate.products import MARKETS, ProductSettings, brands_for, make_product
from productlens.generate.render import PhotoSettings
from productlens.generate.sample_set_writer import SampleSetWriter
from productlens.generate.summary import SetSummary

MAX_COUNT = 999_983  # product codes are a permutation of this many values
CHUNK = 16


@dataclass
class GenerateConfig:
    """Settings of `sample-gen`; every field has a default so plain `sample-gen` makes a usable set."""

    count: int = field(default=6000, metadata={"help": "Number of products.", "flag": ("-n", "--count")})
    out: Path = field(
        default=Path("data/products"),
        metadata={"help": "Directory of the new set.", "path": {"file_okay": False}},
    )
    seed: int = field(default=0, metadata={"help": "Random seed (equal seeds, equal bytes)."})
    workers: int | None = field(
        default=None, metadata={"help": "Worker processes.", "default_text": "all cores"}
    )
    width: int = field(default=336, metadata={"help": "Photo width in pixels."})
    height: int = field(default=336, metadata={"help": "Photo height in pixels."})
    price_sigma: float = field(
        default=DEFAULT_PRICE_SIGMA,
        metadata={"help": "Log-normal price noise (sigma of the log; 0 = none, the oracle price)."},
    )
    ratios: tuple[float, float, float] = ratios_field()
    image_format: Literal["jpeg", "png"] = field(default="jpeg", metadata={"help": "Photo encoding."})
    jpeg_quality: int = field(default=90, metadata={"help": "JPEG quality of the photos (1-100)."})
    artefact_rate: float = field(
        default=0.1, metadata={"help": "Share of photos saved at JPEG quality 25-50.", "flag": "--artefacts"}
    )
    prop_rate: float = field(default=0.15, metadata={"help": "Share of photos with a prop beside the item."})
    crop_rate: float = field(
        default=0.06, metadata={"help": "Share of photos where the item runs off an edge."}
    )
    discount_rate: float = field(default=0.15, metadata={"help": "Share of products on discount."})
    country: str = field(default="US", metadata={"help": "Market and currency.", "choices": tuple(MARKETS)})
    competence_date: str = field(default="2024-05-01", metadata={"help": "First scrape date (ISO)."})
    overwrite: bool = field(
        default=False, metadata={"help": "Replace a non-empty --out (only once the new set is complete)."}
    )
    rows_per_shard: int = field(default=1000, metadata={"help": "Rows per Parquet file."})
    holdout: str | None = field(
        default=None,
        metadata={
            "help": "Attribute combinations kept out of train, in validation and test only: "
            "'colour=Burgundy&leaf=TOTE BAGS,material=Suede&leaf=SNEAKERS' or 'random:10%' (a seeded tenth "
            "of the (colour, leaf) and (material, leaf) pairs). Rows get combination_seen."
        },
    )

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.ratios = validate_ratios(tuple(self.ratios))  # type: ignore[arg-type]
        if not 1 <= self.count <= MAX_COUNT:
            raise ValueError(f"count must be between 1 and {MAX_COUNT:,}, got {self.count}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1 (or None for all cores), got {self.workers}")
        if not (32 <= self.width <= 4096 and 32 <= self.height <= 4096):
            raise ValueError(
                f"image size must be between 32 and 4096 pixels a side, got {self.width}x{self.height}"
            )
        if not 0 <= self.price_sigma <= 2:
            raise ValueError(f"price sigma must be between 0 and 2, got {self.price_sigma}")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"JPEG quality must be between 1 and 100, got {self.jpeg_quality}")
        for name in ("artefact_rate", "prop_rate", "crop_rate", "discount_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(
                    f"{name.replace('_', ' ')} must be between 0 and 1, got {getattr(self, name)}"
                )
        if self.country not in MARKETS:
            raise ValueError(f"unknown country {self.country!r}; choose one of {', '.join(MARKETS)}")
        if self.image_format not in ("jpeg", "png"):
            raise ValueError(f"image format must be jpeg or png, got {self.image_format!r}")
        if self.holdout is not None:
            parse_holdout(self.holdout, self.seed)  # raises naming the bad part of the spec

    @property
    def resolved_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    def product_settings(self) -> ProductSettings:
        return ProductSettings(
            seed=self.seed,
            price_sigma=self.price_sigma,
            country=self.country,
            discount_rate=self.discount_rate,
            competence_date=self.competence_date,
            image_format=self.image_format,
            jpeg_quality=self.jpeg_quality,
            artefact_rate=self.artefact_rate,
            photo=PhotoSettings(self.width, self.height, self.prop_rate, self.crop_rate),
        )

    def manifest_config(self) -> dict[str, Any]:
        """The settings that shape the content (not out/workers/overwrite, which do not)."""
        config = asdict(self)
        for key in ("out", "workers", "overwrite"):
            config.pop(key)
        config["ratios"] = list(self.ratios)
        currency, rate = MARKETS[self.country]
        config["currency"] = currency
        config["eur_rate"] = rate
        config["eur_rate_note"] = f"1 EUR = {rate} {currency}; *_eur columns = price / rate, rounded to cents"
        config["brands"] = brands_for(self.seed)
        if self.holdout is not None:
            config["holdout"] = parse_holdout(self.holdout, self.seed).to_manifest()
        return config


def _make_chunk(settings: ProductSettings, indices: range) -> list[dict[str, Any]]:
    return [make_product(settings, index) for index in indices]


def iter_products(config: GenerateConfig) -> Generator[dict[str, Any], None, None]:
    """Rows in index order, made by `config.resolved_workers` processes (in this process for 1)."""
    settings = config.product_settings()
    chunks = [range(start, min(start + CHUNK, config.count)) for start in range(0, config.count, CHUNK)]
    workers = max(1, min(config.resolved_workers, len(chunks)))
    with closing(ordered_map(partial(_make_chunk, settings), chunks, workers=workers)) as made:
        for _chunk, rows in made:
            yield from rows


def generate_set(config: GenerateConfig, on_row: Callable[[int], None] | None = None) -> SetSummary:
    """Write a synthetic sample set to `config.out` atomically and return its summary.

    `on_row(done)` is called after each row is written (for a progress bar).
    """
    writer = SampleSetWriter(
        config.out,
        overwrite=config.overwrite,
        ratios=config.ratios,
        generator="sample-gen",
        config=config.manifest_config(),
        seed=config.seed,
        description=(
            f"{config.count} synthetic fashion products rendered at {config.width}x{config.height}: "
            "the title, category and price follow from what the photo shows."
        ),
        rows_per_shard=config.rows_per_shard,
    )
    holdout = None if config.holdout is None else parse_holdout(config.holdout, config.seed)
    # closing(): on any error the row generator stops its pool at once, before the writer cleans up.
    with writer, closing(iter_products(config)) as rows:
        for done, row in enumerate(rows, start=1):
            if holdout is None:
                writer.add(row)
            else:
                writer.add({**row, "combination_seen": holdout.seen(row)}, holdout.split(row, config.ratios))
            if on_row is not None:
                on_row(done)
    return writer.summary
