"""`sample-gen --like DIR`: a synthetic set that follows another set's profile, drawn with sample-gen's renderer.

How a row follows the profile (`make_like_product`, one random stream per (seed, index)):

- Categories: (category1, category2, category3) drawn with the profile's frequencies. Each
  category3 is drawn as one of sample-gen's leaves (`assign_leaves`: by keywords such as BAG,
  COAT, SCARF, SNEAKER, else the next unused leaf), so distinct categories look distinct.
- Price: the visible attributes are drawn as sample-gen draws them; their noise-free price gives a
  percentile `u` within the leaf (uniform by construction), which is blurred by a Gaussian copula
  (`price_correlation`) and mapped through the category's price quantiles. So the price follows
  the source's distribution for that category while still rising with what the photo shows.
  `oracle_price` is the quantile at `u` before the blur; prices are rounded like a catalogue.
- Titles: a length is drawn from the profile; a title that would be longer loses its hardware,
  then its pattern (`fit_attributes`: in the attributes, so the photo loses them too); a shorter
  one is lengthened with words of the profile's vocabulary that name nothing visible ("Heritage").
- Currency, country, EUR rate, brand and date come from the profile.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from productlens.core.ordered_map import ordered_map
from productlens.generate.products import (
    MARKETS,
    ProductSettings,
    catalogue_round,
    leaf_attributes,
    priced_columns,
    product_code,
    product_photo,
)
from productlens.generate.profile import QUANTILES, SetProfile, load_profile
from productlens.generate.sample_set_writer import SampleSetWriter
from productlens.generate.summary import SetSummary
from productlens.generate.synthesize import GenerateConfig
from productlens.generate.taxonomy import (
    LEAF_BY_CODE,
    LEAVES,
    Attributes,
    make_title,
    oracle_price_eur,
    title_vocabulary,
)

# (keyword in a category3 code, leaf) in the order they are tried; the first match not yet taken wins.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("TOTE", "TOTE BAGS"),
    ("CROSSBODY", "CROSSBODY BAGS"),
    ("SHOULDER", "CROSSBODY BAGS"),
    ("BACKPACK", "BACKPACKS"),
    ("CLUTCH", "CLUTCHES"),
    ("POUCH", "CLUTCHES"),
    ("BAG", "TOTE BAGS"),
    ("BAG", "CROSSBODY BAGS"),
    ("TRENCH", "TRENCH COATS"),
    ("COAT", "TRENCH COATS"),
    ("PUFFER", "PUFFER JACKETS"),
    ("JACKET", "PUFFER JACKETS"),
    ("OUTERWEAR", "PUFFER JACKETS"),
    ("SILK SCAR", "SILK SCARVES"),
    ("SCARF", "CASHMERE SCARVES"),
    ("SCARVES", "CASHMERE SCARVES"),
    ("SNEAKER", "SNEAKERS"),
    ("TRAINER", "SNEAKERS"),
    ("BOOT", "BOOTS"),
    ("LOAFER", "LOAFERS"),
    ("SHOE", "LOAFERS"),
    ("WALLET", "WALLETS & CARD CASES"),
    ("CARD", "WALLETS & CARD CASES"),
    ("BELT", "BELTS"),
    ("SUNGLASS", "SUNGLASSES"),
    ("EYEWEAR", "SUNGLASSES"),
    ("CAP", "CAPS"),
    ("HAT", "BUCKET HATS"),
    ("SWEATER", "SWEATERS"),
    ("KNIT", "SWEATERS"),
    ("CARDIGAN", "SWEATERS"),
    ("VEST", "KNITTED VESTS"),
    ("T-SHIRT", "T-SHIRTS"),
    ("SHIRT", "T-SHIRTS"),
    ("POLO", "T-SHIRTS"),
    ("TOP", "T-SHIRTS"),
    ("HOOD", "HOODIES"),
    ("SWEATSHIRT", "HOODIES"),
    ("TROUSER", "TROUSERS"),
    ("PANT", "TROUSERS"),
    ("JEAN", "TROUSERS"),
    ("SHORT", "SHORTS"),
    ("DRESS", "DRESSES"),
    ("SKIRT", "SKIRTS"),
)
KIDS_WORDS = ("KID", "CHILD", "BABY", "GIRL", "BOY", "JUNIOR")
ORACLE_SAMPLES = 4000


def assign_leaves(categories: list[str]) -> dict[str, str]:
    """category3 -> a sample-gen leaf, distinct while leaves last (most frequent categories first)."""
    taken: set[str] = set()
    assigned: dict[str, str] = {}
    for category in categories:
        text = category.upper()
        choice = next(
            (leaf for word, leaf in KEYWORDS if word in text and leaf not in taken),
            LEAF_BY_CODE[text].code if text in LEAF_BY_CODE and text not in taken else None,
        )
        if choice is None:
            free = [leaf.code for leaf in LEAVES if leaf.code not in taken]
            choice = free[0] if free else LEAVES[sum(map(ord, category)) % len(LEAVES)].code
        assigned[category] = choice
        taken.add(choice)
    return assigned


def sample_leaf_attributes(leaf_code: str, kids: bool, rng: np.random.Generator) -> Attributes:
    """sample-gen's attribute draw (same weights) for a given leaf."""
    leaf = LEAF_BY_CODE[leaf_code]
    adults = [a for a in leaf.audiences if a != "KIDS"] or list(leaf.audiences)
    audience = "KIDS" if kids and "KIDS" in leaf.audiences else adults[int(rng.integers(len(adults)))]
    return leaf_attributes(leaf, audience, rng)


def fit_attributes(attrs: Attributes, target_words: int) -> Attributes:
    """Drop hardware, then pattern, until the title has at most `target_words` words (or no more to drop).

    The photo is rendered from the returned attributes, so the shorter title still names what it shows.
    """
    for change in ({"hardware": "none"}, {"pattern": "plain"}):
        if len(make_title(attrs).split()) <= target_words:
            break
        attrs = replace(attrs, **change)
    return attrs


@dataclass(frozen=True)
class LikePlan:
    """Everything a look-alike row depends on besides its index (picklable, sent once to workers)."""

    triples: tuple[tuple[str, str, str], ...]
    weights: tuple[float, ...]
    leaf_for: dict[str, str]
    quantiles: dict[str, tuple[float, ...]]
    discount_rates: dict[str, float]
    oracle_cdf: dict[tuple[str, bool], tuple[float, ...]]  # sorted noise-free prices per (leaf, kids)
    lengths: tuple[int, ...]
    length_weights: tuple[float, ...]
    extra_words: tuple[str, ...]  # profile words that name nothing visible
    extra_weights: tuple[float, ...]
    currency: str
    country: str
    eur_rate: float
    brand: str
    website: str
    competence_date: str
    price_correlation: float


def _is_kids(category1: str) -> bool:
    return any(word in category1.upper() for word in KIDS_WORDS)


def make_plan(profile: SetProfile, seed: int, price_correlation: float = 0.9) -> LikePlan:
    """The sampling tables for a profile (the oracle CDFs are drawn with sample-gen's attribute weights)."""
    if not 0 <= price_correlation <= 1:
        raise ValueError(f"price correlation must be between 0 and 1, got {price_correlation}")
    if not profile.categories:
        raise ValueError("the profile has no categories; is the profiled set empty?")
    frequencies = profile.category3_frequencies
    leaf_for = assign_leaves(list(frequencies))
    triples = tuple((c1, c2, c3) for c1, c2, c3, _n in profile.categories)
    total = sum(n for *_c, n in profile.categories)
    lengths = np.array(list(profile.title_lengths))
    length_weights = np.array(list(profile.title_lengths.values()), dtype=float) / profile.rows
    oracle_cdf = {}
    for c1, _c2, c3 in triples:
        key = (leaf_for[c3], _is_kids(c1))
        if key not in oracle_cdf:  # the noise-free prices of the attributes exactly as rows draw them
            rng = np.random.default_rng([seed, 7_001])
            draws = []
            for _ in range(ORACLE_SAMPLES):
                attrs = sample_leaf_attributes(key[0], key[1], rng)
                target = int(rng.choice(lengths, p=length_weights))
                draws.append(oracle_price_eur(fit_attributes(attrs, target)))
            oracle_cdf[key] = tuple(sorted(draws))
    visible = {word.lower() for word in title_vocabulary()}
    extra = [(w, n) for w, n in profile.vocabulary.items() if w.lower() not in visible and w.isalpha()]
    currency_rate = MARKETS.get(profile.country, (profile.currency, 1.0))[1]
    return LikePlan(
        triples=triples,
        weights=tuple(n / total for *_c, n in profile.categories),
        leaf_for=leaf_for,
        quantiles={c: tuple(p.quantiles) for c, p in profile.prices.items()},
        discount_rates={c: p.discount_rate for c, p in profile.prices.items()},
        oracle_cdf=oracle_cdf,
        lengths=tuple(int(n) for n in lengths),
        length_weights=tuple(float(w) for w in length_weights),
        extra_words=tuple(w for w, _n in extra) or ("Classic",),
        extra_weights=tuple(n for _w, n in extra) or (1,),
        currency=profile.currency,
        country=profile.country,
        eur_rate=profile.eur_rate or currency_rate,
        brand=profile.brand,
        website=profile.website,
        competence_date=profile.competence_date,
        price_correlation=price_correlation,
    )


_NORMAL = statistics.NormalDist()


def _quantile(quantiles: tuple[float, ...], u: float) -> float:
    """Linear interpolation of the price quantiles at u in [0, 1]."""
    return float(np.interp(u, QUANTILES, quantiles))


def _fit_title(words: list[str], target: int, plan: LikePlan, rng: np.random.Generator) -> str:
    if len(words) < target:
        weights = np.array(plan.extra_weights, dtype=float)
        picks = rng.choice(len(plan.extra_words), size=target - len(words), p=weights / weights.sum())
        words = [plan.extra_words[int(i)] for i in picks] + words
    return " ".join(words)


def make_like_product(settings: ProductSettings, plan: LikePlan, index: int) -> dict[str, Any]:
    """One synthetic row following the plan: the same columns sample-gen writes."""
    rng = np.random.default_rng([settings.seed, index, 1_117])
    c1, c2, c3 = plan.triples[int(rng.choice(len(plan.triples), p=plan.weights))]
    kids = _is_kids(c1)
    attrs = sample_leaf_attributes(plan.leaf_for[c3], kids, rng)
    target = int(rng.choice(plan.lengths, p=plan.length_weights))
    attrs = fit_attributes(attrs, target)
    cdf = plan.oracle_cdf[(attrs.leaf, kids)]
    oracle = oracle_price_eur(attrs)
    low = np.searchsorted(cdf, oracle, side="left")
    high = np.searchsorted(cdf, oracle, side="right")
    u = float(np.clip((low + rng.uniform() * (high - low)) / len(cdf), 1e-6, 1 - 1e-6))
    rho = plan.price_correlation
    z = rho * _NORMAL.inv_cdf(u) + math.sqrt(1 - rho * rho) * float(rng.normal())
    full_price = catalogue_round(_quantile(plan.quantiles[c3], _NORMAL.cdf(z)))
    discounted = bool(rng.random() < plan.discount_rates.get(c3, 0.0))
    price = (
        catalogue_round(full_price * (1 - float(rng.choice([0.2, 0.3, 0.4, 0.5]))))
        if discounted
        else full_price
    )
    code = product_code(settings.seed, index)
    title = _fit_title(make_title(attrs).split(), target, plan, rng)
    photo = product_photo(attrs, rng, settings)
    date = (
        dt.date.fromisoformat(plan.competence_date[:10])
        if _is_date(plan.competence_date)
        else dt.date(2024, 5, 1)
    )
    slug = "-".join(title.lower().split())
    return {
        "website_name": plan.website,
        "competence_date": date.isoformat(),
        "country_code": plan.country,
        "currency_code": plan.currency,
        "brand": plan.brand,
        "category1_code": c1,
        "category2_code": c2,
        "category3_code": c3,
        "product_code": code,
        "title": title,
        "itemurl": f"https://synthetic.invalid/{plan.country.lower()}/{slug}-p{code}",
        "imageurl": f"https://synthetic.invalid/images/{code}.jpg",
        **priced_columns(
            attrs,
            photo,
            full_price,
            price,
            discounted,
            plan.eur_rate,
            catalogue_round(_quantile(plan.quantiles[c3], u)),
        ),
    }


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def _make_chunk(settings: ProductSettings, plan: LikePlan, indices: range) -> list[dict[str, Any]]:
    return [make_like_product(settings, plan, index) for index in indices]


def iter_like_products(config: GenerateConfig, plan: LikePlan) -> Generator[dict[str, Any], None, None]:
    """Rows in index order; several processes work on windows of chunks (memory stays flat)."""
    settings = config.product_settings()
    chunks = [range(start, min(start + 16, config.count)) for start in range(0, config.count, 16)]
    workers = max(1, min(config.resolved_workers, len(chunks)))
    with closing(ordered_map(partial(_make_chunk, settings, plan), chunks, workers=workers)) as made:
        for _chunk, rows in made:
            yield from rows


def generate_like_set(
    config: GenerateConfig,
    like: str | Path | SetProfile,
    on_row: Callable[[int], None] | None = None,
    price_correlation: float = 0.9,
) -> SetSummary:
    """Write `config.count` synthetic rows following `like`: a set directory, a profile JSON or a profile."""
    profile = like if isinstance(like, SetProfile) else load_profile(like)
    plan = make_plan(profile, config.seed, price_correlation)
    manifest_config = config.manifest_config()
    manifest_config.update(
        like=profile.source,
        currency=plan.currency,
        eur_rate=plan.eur_rate,
        country=plan.country,
        price_correlation=price_correlation,
        eur_rate_note=f"1 EUR = {plan.eur_rate:g} {plan.currency} (from the profiled set)",
        leaf_for=plan.leaf_for,
    )
    writer = SampleSetWriter(
        config.out,
        overwrite=config.overwrite,
        ratios=config.ratios,
        generator="sample-gen --like",
        config=manifest_config,
        seed=config.seed,
        description=(
            f"{config.count} synthetic products following the profile of {profile.source.get('path')} "
            "(category frequencies, per-category prices, title lengths, currency); no source row is copied."
        ),
        rows_per_shard=config.rows_per_shard,
    )
    # closing(): on any error the row generator stops its pool at once, before the writer cleans up.
    with writer, closing(iter_like_products(config, plan)) as rows:
        for done, row in enumerate(rows, start=1):
            writer.add(row)
            if on_row is not None:
                on_row(done)
    return writer.summary
