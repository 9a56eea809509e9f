"""The photo shows what the title says: hardware where it is named, finishes that differ, children's proportions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image
from productlens.generate.lighting import upsample
from productlens.generate.render import METAL, PhotoSettings, render_product
from productlens.generate.taxonomy import LEAVES, Attributes

SETTINGS = PhotoSettings(128, 128, prop_rate=0.0, crop_rate=0.0)


def photo(attrs: Attributes, seed: int = 0) -> np.ndarray:
    return np.asarray(render_product(attrs, np.random.default_rng(seed), SETTINGS), np.float32)


def item_mask(pixels: np.ndarray) -> np.ndarray:
    """Pixels of a saturated item against the grey-beige backdrop."""
    return pixels.max(axis=2) - pixels.min(axis=2) > 60


@pytest.mark.parametrize("leaf", [leaf for leaf in LEAVES if leaf.hardware_word], ids=lambda leaf: leaf.code)
def test_gold_hardware_named_in_the_title_shows_in_the_photo(leaf):
    plain = Attributes(
        leaf.code,
        leaf.audiences[0],
        "Navy",
        leaf.materials[0],
        "plain",
        "none",
        "Large" if leaf.sized else None,
    )
    gold = dataclasses.replace(plain, hardware="Gold")
    target = np.array(METAL["Gold"], np.float32)

    def gold_pixels(pixels: np.ndarray) -> int:
        return int((np.abs(pixels - target).max(axis=2) < 45).sum())

    with_gold, without = gold_pixels(photo(gold)), gold_pixels(photo(plain))
    assert with_gold >= without + 8, (
        f"{leaf.code}: {with_gold} gold pixels with gold hardware, {without} without"
    )


@pytest.mark.parametrize("leaf_code", ["CROSSBODY BAGS", "BOOTS", "BELTS"])
def test_leather_shines_and_suede_stays_matte(leaf_code):
    def highlights(material: str) -> float:
        """Item pixels far brighter than the item's median: the highlights."""
        counts = []
        for seed in range(4):
            attrs = Attributes(
                leaf_code,
                "WOMAN",
                "Red",
                material,
                "plain",
                "none",
                "Large" if leaf_code == "CROSSBODY BAGS" else None,
            )
            pixels = photo(attrs, seed)
            brightness = pixels[item_mask(pixels)].mean(axis=1)
            counts.append(int((brightness > np.median(brightness) + 45).sum()))
        return float(np.mean(counts))

    leather, suede = highlights("Leather"), highlights("Suede")
    assert leather > 1.8 * suede, (
        f"{leaf_code}: {leather:.0f} highlight pixels in leather, {suede:.0f} in suede"
    )


def test_a_plain_item_is_shaded_not_flat():
    attrs = Attributes("SWEATERS", "MAN", "Red", "Wool", "plain", "none", None)
    pixels = photo(attrs)
    red = pixels[item_mask(pixels)][:, 0]
    assert red.size > 2000
    low, high = np.percentile(red, [5, 95])
    assert high - low > 35, f"red channel across the sweater only spans {low:.0f}..{high:.0f}"


@pytest.mark.parametrize("leaf_code", ["T-SHIRTS", "SWEATERS", "TROUSERS", "HOODIES"])
def test_kids_garments_have_childrens_proportions_not_only_a_smaller_size(leaf_code):
    def aspect(audience: str) -> float:
        attrs = Attributes(leaf_code, audience, "Red", "Cotton", "plain", "none", None)
        mask = item_mask(photo(attrs))
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        return (rows[-1] - rows[0] + 1) / (cols[-1] - cols[0] + 1)

    kids, adult = aspect("KIDS"), aspect("MAN")
    assert kids < 0.93 * adult, f"height/width {kids:.2f} for KIDS vs {adult:.2f} for MAN"


def test_odd_and_wide_sizes_render_every_leaf():
    for leaf in LEAVES:
        attrs = Attributes(
            leaf.code,
            leaf.audiences[-1],
            "Camel",
            leaf.materials[-1],
            "check",
            "Gold" if leaf.hardware_word else "Logo",
            "Mini" if leaf.sized else None,
        )
        image = render_product(attrs, np.random.default_rng(3), PhotoSettings(333, 251))
        assert image.size == (333, 251) and image.mode == "RGB"


@pytest.mark.parametrize("factor", [2, 4])
def test_light_fields_are_brought_up_as_pil_resizes_them(factor):
    """The renderer lights at half and quarter size; `upsample` must agree with PIL's bilinear resize."""
    field = np.random.default_rng(0).random((13, 21), dtype=np.float32)
    expected = np.asarray(
        Image.fromarray(field, "F").resize((21 * factor, 13 * factor), Image.Resampling.BILINEAR)
    )
    np.testing.assert_allclose(upsample(field, factor), expected, atol=1e-5)
