"""`sample-gen --like DIR` follows a set's profile; `show A --compare B` measures how closely."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import read_manifest
from productlens.generate.cli import main
from productlens.generate.fidelity import compare_sets, distribution_distances, ks_statistic
from productlens.generate.like import assign_leaves, generate_like_set
from productlens.generate.profile import profile_set, read_metadata
from productlens.generate.sample_set_writer import SampleSetWriter
from productlens.generate.synthesize import GenerateConfig

# A catalogue unlike sample-gen's: its own category names, skewed frequencies, GBP, its own price levels.
CATEGORIES = {  # category3: (category1, category2, share, median price, title words)
    "TRENCH COATS": ("WOMEN", "OUTERWEAR", 0.35, 1890, "Heritage Kensington Trench Coat"),
    "SHIRTS": ("MEN", "CLOTHING", 0.25, 450, "Check Cotton Shirt"),
    "HANDBAGS": ("WOMEN", "BAGS", 0.2, 1490, "Small Leather Lola Bag"),
    "N.A.": ("N.A.", "N.A.", 0.1, 290, "Vintage Check Item"),
    "BABY GIFTS": ("KIDS", "ACCESSORIES", 0.1, 190, "Baby Gift Set"),
}
SOURCE_ROWS = 300


def _tiny_jpeg(rng: np.random.Generator) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), tuple(int(v) for v in rng.integers(0, 255, 3))).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-row 'imported' set with the categories above and log-normal prices."""
    out = tmp_path_factory.mktemp("like") / "catalogue"
    rng = np.random.default_rng(11)
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][2] for c in names])
    with SampleSetWriter(out, generator="test", seed=None) as writer:
        for index in range(SOURCE_ROWS):
            category = names[int(rng.choice(len(names), p=shares))]
            c1, c2, _share, median, words = CATEGORIES[category]
            price = float(round(median * np.exp(rng.normal(0, 0.25)) / 10) * 10)
            extra = " ".join(["Classic"] * int(rng.integers(0, 3)))
            writer.add(
                {
                    "website_name": "BURBERRY", "competence_date": "2023-11-10", "country_code": "GB",
                    "currency_code": "GBP", "brand": "BURBERRY", "category1_code": c1, "category2_code": c2,
                    "category3_code": category, "product_code": f"C{index:05d}", "title": f"{extra} {words}".strip(),
                    "itemurl": "N.A.", "imageurl": "N.A.", "full_price": price, "price": price,
                    "full_price_eur": round(price / 0.85, 2), "price_eur": round(price / 0.85, 2),
                    "flg_discount": 0, "image": _tiny_jpeg(rng), "source": "imported",
                }
            )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def like_set(catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("like") / "synthetic"
    config = GenerateConfig(count=500, out=out, seed=2, workers=1, width=64, height=64)
    generate_like_set(config, catalogue)
    return out


def test_profile_holds_the_aggregates(catalogue: Path) -> None:
    profile = profile_set(catalogue)
    assert profile.rows == SOURCE_ROWS and profile.currency == "GBP" and profile.country == "GB"
    assert profile.eur_rate == pytest.approx(0.85, rel=0.01)
    frequencies = profile.category3_frequencies
    assert next(iter(frequencies)) == "TRENCH COATS" and frequencies["TRENCH COATS"] == pytest.approx(
        0.35, abs=0.07
    )
    quantiles = profile.prices["SHIRTS"].quantiles
    assert quantiles == sorted(quantiles) and 350 < quantiles[10] < 550  # the median
    assert "Kensington" in profile.vocabulary and set(profile.title_lengths) == {3, 4, 5, 6}


def test_like_set_is_close_to_its_source_on_every_measure(catalogue: Path, like_set: Path) -> None:
    report = compare_sets(catalogue, like_set)
    assert report.category_tv < 0.08 and report.category_js < 0.02
    assert not report.only_in_a and not report.only_in_b
    assert report.currency_b == "GBP"
    for category in report.categories:  # each price distribution is consistent with its source's
        assert category.price_ks < 1.3 * category.ks_critical, category
        assert abs(category.median_b / category.median_a - 1) < 0.15, category
    assert abs(report.title_length_b - report.title_length_a) < 0.5
    assert report.title_length_ks < 0.15


def test_plain_sample_gen_set_is_far_from_the_source(catalogue: Path, sample_set: Path) -> None:
    """The measures can fail: an unrelated synthetic set shares one category of five."""
    report = compare_sets(catalogue, sample_set)
    assert report.category_tv > 0.9 and len(report.only_in_a) == 4
    assert report.currency_b != "GBP"


def test_like_rows_keep_price_tied_to_the_photo(like_set: Path) -> None:
    """Within a category, the price still rises with the noise-free price of the drawn attributes."""
    rows = read_metadata(like_set)
    oracle = __import__("pandas").read_parquet(like_set / "data", columns=["product_code", "oracle_price"])
    rows = rows.assign(oracle_price=oracle["oracle_price"].to_numpy())
    coats = rows[rows["category3_code"] == "TRENCH COATS"]
    assert np.corrcoef(np.log(coats["oracle_price"]), np.log(coats["full_price"]))[0, 1] > 0.7
    manifest = read_manifest(like_set)
    assert manifest["config"]["leaf_for"]["HANDBAGS"] == "TOTE BAGS"
    assert len(set(manifest["config"]["leaf_for"].values())) == len(CATEGORIES)


def test_leaf_assignment_prefers_keywords_and_keeps_categories_distinct() -> None:
    leaves = assign_leaves(["TOTE BAGS", "BAGS", "SCARVES", "N.A.", "OTHER"])
    assert leaves["TOTE BAGS"] == "TOTE BAGS" and leaves["BAGS"] == "CROSSBODY BAGS"
    assert leaves["SCARVES"] == "CASHMERE SCARVES"
    assert len(set(leaves.values())) == 5


def test_distance_functions_on_known_inputs() -> None:
    pd = __import__("pandas")
    assert distribution_distances(pd.Series(list("aabb")), pd.Series(list("aabb"))) == (0.0, 0.0)
    assert distribution_distances(pd.Series(list("aa")), pd.Series(list("bb"))) == (1.0, 1.0)
    assert ks_statistic(np.array([1, 2, 3]), np.array([1, 2, 3])) == 0.0
    assert ks_statistic(np.array([1, 2]), np.array([5, 6])) == 1.0


def test_cli_like_and_show_compare(catalogue: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "like"
    result = runner.invoke(
        main, ["--like", str(catalogue), "--out", str(out), "-n", "60", "--size", "48x48", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert read_manifest(out)["generator"]["name"] == "sample-gen --like"
    shown = runner.invoke(main, ["show", str(catalogue), "--compare", str(out)])
    assert shown.exit_code == 0, shown.output
    for text in ("fidelity of", "total variation", "Jensen-Shannon", "KS", "TRENCH COATS", "GBP"):
        assert text in shown.output
    missing = runner.invoke(main, ["show", str(catalogue), "--compare", str(tmp_path / "absent")])
    assert missing.exit_code != 0 and "no Parquet shards" in missing.output


def test_a_saved_profile_generates_the_same_set_as_the_directory(catalogue: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["profile", str(catalogue), "--out", str(tmp_path / "profile.json")])
    assert result.exit_code == 0, result.output
    assert "300 rows, 5 categories" in " ".join(result.output.split())
    text = (tmp_path / "profile.json").read_text()
    assert "C00001" not in text and "image" not in text  # aggregates only: no product code, no photo
    checksums = []
    for source, out in (
        (catalogue, "from-dir"),
        (tmp_path / "profile.json", "from-json"),
        (catalogue, "again"),
    ):
        config = GenerateConfig(count=40, out=tmp_path / out, seed=4, workers=1, width=48, height=48)
        generate_like_set(config, source)
        checksums.append(read_manifest(tmp_path / out)["checksum"])
    assert checksums[0] == checksums[2]  # same seed, same bytes
    assert read_metadata(tmp_path / "from-dir").equals(read_metadata(tmp_path / "from-json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(main, ["--like", str(bad), "--out", str(tmp_path / "x"), "-n", "5"])
    assert result.exit_code != 0 and "neither a sample set directory nor a profile JSON" in result.output
    clash = runner.invoke(
        main, ["--like", str(catalogue), "--price-sigma", "0.3", "--out", str(tmp_path / "y")]
    )
    assert clash.exit_code == 2 and "--price-sigma cannot be combined with --like" in clash.output
    assert not (tmp_path / "y").exists()


@pytest.mark.slow
def test_like_set_is_the_same_with_two_workers(catalogue: Path, tmp_path: Path) -> None:
    for workers in (1, 2):
        config = GenerateConfig(
            count=64, out=tmp_path / f"w{workers}", seed=1, workers=workers, width=48, height=48
        )
        generate_like_set(config, catalogue)
    assert read_manifest(tmp_path / "w1")["checksum"] == read_manifest(tmp_path / "w2")["checksum"]
