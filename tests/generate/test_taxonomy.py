"""The taxonomy: enough leaves, a distinct silhouette each, titles from a closed vocabulary, a price model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from productlens.generate.render import PhotoSettings
from productlens.generate.silhouettes import SHAPES
from productlens.generate.taxonomy import (
    CATEGORY1,
    CATEGORY2,
    COLOURS,
    KIDS_PRICE_FACTOR,
    LEAVES,
    PATTERNS,
    SIZES,
    Attributes,
    hardware_options,
    make_title,
    oracle_price_eur,
    title_vocabulary,
)


def test_catalogue_shape():
    assert CATEGORY1 == ("WOMAN", "MAN", "KIDS")
    assert len(CATEGORY2) >= 8
    assert len(LEAVES) >= 20
    assert len({leaf.code for leaf in LEAVES}) == len(LEAVES)
    assert set(SHAPES) == {leaf.code for leaf in LEAVES}


def test_every_title_word_is_in_the_vocabulary():
    vocabulary = title_vocabulary()
    assert vocabulary == sorted(set(vocabulary)) == title_vocabulary()
    words = set(vocabulary)
    for leaf in LEAVES:
        assert set(leaf.code.split()) <= words and set(leaf.category2.split()) <= words
        sizes = [s.name for s in SIZES] if leaf.sized else [None]
        for colour, material, pattern, hardware, size in itertools.product(
            COLOURS, leaf.materials, PATTERNS, hardware_options(leaf), sizes
        ):
            attrs = Attributes(
                leaf.code, leaf.audiences[0], colour.name, material, pattern.name, hardware, size
            )
            assert set(make_title(attrs).split()) <= words


def test_title_reads_like_a_catalogue_title():
    attrs = Attributes("CASHMERE SCARVES", "WOMAN", "Camel", "Cashmere", "check", "none", None)
    assert make_title(attrs) == "Camel Check Cashmere Scarf"
    bag = Attributes("TOTE BAGS", "WOMAN", "Black", "Leather", "plain", "Gold", "Small")
    assert make_title(bag) == "Small Black Leather Tote Bag with Gold Hardware"


def test_price_grows_with_visible_value():
    small = Attributes("TOTE BAGS", "WOMAN", "Black", "Leather", "plain", "none", "Small")
    large = Attributes("TOTE BAGS", "WOMAN", "Black", "Leather", "plain", "none", "Large")
    nylon = Attributes("TOTE BAGS", "WOMAN", "Black", "Nylon", "plain", "none", "Small")
    assert oracle_price_eur(large) > oracle_price_eur(small) > oracle_price_eur(nylon)
    adult = Attributes("T-SHIRTS", "MAN", "Red", "Cotton", "plain", "none", None)
    kids = Attributes("T-SHIRTS", "KIDS", "Red", "Cotton", "plain", "none", None)
    assert oracle_price_eur(kids) == pytest.approx(KIDS_PRICE_FACTOR * oracle_price_eur(adult))


def test_each_leaf_draws_its_own_silhouette():
    from productlens.generate.render import render_product

    settings = PhotoSettings(64, 64, prop_rate=0.0, crop_rate=0.0)
    masks = {}
    for leaf in LEAVES:
        attrs = Attributes(
            leaf.code,
            leaf.audiences[0],
            "Black",
            leaf.materials[0],
            "plain",
            "none",
            "Large" if leaf.sized else None,
        )
        pixels = np.asarray(render_product(attrs, np.random.default_rng(0), settings).convert("L"))
        masks[leaf.code] = pixels < 90  # the black item against a light background
        assert masks[leaf.code].mean() > 0.08, f"{leaf.code} fills too little of a 64 px frame"
    for a, b in itertools.combinations(masks, 2):
        overlap = (masks[a] & masks[b]).sum() / (masks[a] | masks[b]).sum()
        assert overlap < 0.85, f"{a} and {b} look alike at 64 px (IoU {overlap:.2f})"
