"""One synthetic product row from (set settings, row index): attributes, title, price, photo, DBQ fields.

A row depends only on the settings and its index (its own random stream `default_rng([seed, index])`),
never on which process makes it or in which order, so any number of workers gives the same set.

Prices: `full_price = catalogue_round(oracle_eur * rate * lognormal(0, price_sigma))`, where
`oracle_eur` is `taxonomy.oracle_price_eur` (the documented function of visible attributes) and
`rate` converts EUR into the set's currency. `oracle_price` stores `catalogue_round(oracle_eur * rate)`.
Catalogue rounding: to the nearest 10 below 1,000 and to the nearest 50 from 1,000 up.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from faker import Faker
from productlens.core.constants import DEFAULT_PRICE_SIGMA
from productlens.generate.render import PhotoSettings, encode_photo, render_product
from productlens.generate.taxonomy import (
    COLOURS,
    LEAVES,
    PATTERNS,
    SIZES,
    Attributes,
    Leaf,
    hardware_options,
    make_title,
    oracle_price_eur,
)

# country -> (currency, units of currency per EUR). The rate is stated in the manifest and the card.
MARKETS: dict[str, tuple[str, float]] = {
    "US": ("USD", 1.08),
    "GB": ("GBP", 0.85),
    "FR": ("EUR", 1.0),
    "IT": ("EUR", 1.0),
    "DE": ("EUR", 1.0),
}
PATTERN_WEIGHTS = (0.45, 0.25, 0.15, 0.15)  # plain, check, stripe, monogram
HARDWARE_WEIGHTS = {"none": 0.4, "Gold": 0.2, "Silver": 0.2, "Logo": 0.2}


@dataclass(frozen=True)
class ProductSettings:
    """Everything a row depends on besides its index (picklable, sent once to each worker)."""

    seed: int = 0
    price_sigma: float = DEFAULT_PRICE_SIGMA
    country: str = "US"
    discount_rate: float = 0.15
    competence_date: str = "2024-05-01"
    image_format: Literal["jpeg", "png"] = "jpeg"
    jpeg_quality: int = 90
    artefact_rate: float = 0.1  # share of photos re-encoded as low-quality JPEG (quality 25-50)
    photo: PhotoSettings = field(default_factory=PhotoSettings)


def catalogue_round(value: float) -> float:
    """Round like a price list: nearest 10 below 1,000, nearest 50 from 1,000 up (never below 10)."""
    step = 10 if value < 1000 else 50
    return float(max(step, round(value / step) * step))


def sample_attributes(rng: np.random.Generator) -> Attributes:
    leaf = LEAVES[int(rng.integers(len(LEAVES)))]
    return leaf_attributes(leaf, leaf.audiences[int(rng.integers(len(leaf.audiences)))], rng)


def leaf_attributes(leaf: Leaf, audience: str, rng: np.random.Generator) -> Attributes:
    """The visible attributes of one item of `leaf`: colour, material, pattern, hardware, size (weighted)."""
    hardware = hardware_options(leaf)
    weights = np.array([HARDWARE_WEIGHTS[h] for h in hardware])
    return Attributes(
        leaf=leaf.code,
        audience=audience,
        colour=COLOURS[int(rng.integers(len(COLOURS)))].name,
        material=leaf.materials[int(rng.integers(len(leaf.materials)))],
        pattern=PATTERNS[int(rng.choice(len(PATTERNS), p=PATTERN_WEIGHTS))].name,
        hardware=hardware[int(rng.choice(len(hardware), p=weights / weights.sum()))],
        size=SIZES[int(rng.integers(len(SIZES)))].name if leaf.sized else None,
    )


def product_code(seed: int, index: int) -> str:
    """An 8-digit code like a catalogue's, unique per index within a set (a permutation of 10**6)."""
    # 999_983 is prime, so index -> index * 7_919 mod 999_983 never repeats for index < 999_983.
    return f"8{(seed % 9) + 1}{(index * 7_919 + seed * 104_729) % 999_983:06d}"


@lru_cache(maxsize=1)
def _faker() -> Faker:
    return Faker("en_US")


def brands_for(seed: int, count: int = 3) -> list[str]:
    """A few house names for a set, fixed by its seed (e.g. 'HARTWELL & MOORE')."""
    return list(_brands(seed, count))


@lru_cache(maxsize=8)
def _brands(seed: int, count: int) -> tuple[str, ...]:  # every row asks: made once per set and process
    fake = _faker()
    fake.seed_instance(seed)
    return tuple(f"{fake.last_name()} & {fake.last_name()}".upper() for _ in range(count))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_product(settings: ProductSettings, index: int) -> dict[str, Any]:
    """The full row for one index: DBQ columns, encoded photo, source, attributes, oracle price."""
    rng = np.random.default_rng([settings.seed, index])
    attrs = sample_attributes(rng)
    currency, rate = MARKETS[settings.country]
    oracle_eur = oracle_price_eur(attrs)
    full_price = catalogue_round(oracle_eur * rate * float(np.exp(rng.normal(0.0, settings.price_sigma))))
    discounted = bool(rng.random() < settings.discount_rate)
    price = (
        catalogue_round(full_price * (1 - float(rng.choice([0.2, 0.3, 0.4, 0.5]))))
        if discounted
        else full_price
    )
    code = product_code(settings.seed, index)
    title = make_title(attrs)
    brand = brands_for(settings.seed)[int(rng.integers(3))]
    fake = _faker()
    fake.seed_instance(int(rng.integers(2**31)))
    domain = f"www.{_slug(brand).replace('-', '')}.{fake.random_element(['com', 'co', 'store'])}"
    date = dt.date.fromisoformat(settings.competence_date) + dt.timedelta(days=int(rng.integers(0, 7)))

    photo = product_photo(attrs, rng, settings)
    return {
        "website_name": brand,
        "competence_date": date.isoformat(),
        "country_code": settings.country,
        "currency_code": currency,
        "brand": brand,
        "category1_code": attrs.audience,
        "category2_code": next(leaf.category2 for leaf in LEAVES if leaf.code == attrs.leaf),
        "category3_code": attrs.leaf,
        "product_code": code,
        "title": title,
        "itemurl": f"https://{domain}/{settings.country.lower()}/{_slug(title)}-p{code}",
        "imageurl": f"https://assets.{domain.removeprefix('www.')}/images/{fake.uuid4()}.jpg",
        **priced_columns(
            attrs, photo, full_price, price, discounted, rate, catalogue_round(oracle_eur * rate)
        ),
    }


def product_photo(attrs: Attributes, rng: np.random.Generator, settings: ProductSettings) -> bytes:
    """The encoded photo of one product; a share (`artefact_rate`) saved as low-quality JPEG."""
    image = render_product(attrs, rng, settings.photo)
    artefacts = settings.image_format == "jpeg" and rng.random() < settings.artefact_rate
    quality = int(rng.integers(25, 51)) if artefacts else settings.jpeg_quality
    return encode_photo(image, settings.image_format, quality)


def priced_columns(
    attrs: Attributes,
    photo: bytes,
    full_price: float,
    price: float,
    discounted: bool,
    rate: float,
    oracle_price: float,
) -> dict[str, Any]:
    """The columns of a synthetic row from `full_price` on: prices (and EUR at `rate`), photo, attributes."""
    return {
        "full_price": full_price,
        "price": price,
        "full_price_eur": round(full_price / rate, 2),
        "price_eur": round(price / rate, 2),
        "flg_discount": int(discounted),
        "image": photo,
        "source": "synthetic",
        "parent_code": None,
        "attr_colour": attrs.colour,
        "attr_material": attrs.material,
        "attr_pattern": attrs.pattern,
        "attr_hardware": attrs.hardware,
        "attr_size": attrs.size,
        "oracle_price": oracle_price,
    }
