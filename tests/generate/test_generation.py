"""sample-gen output: deterministic bytes, consistent prices, configurable photos."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from productlens.generate.products import MARKETS, catalogue_round
from productlens.generate.synthesize import GenerateConfig, generate_set


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_same_seed_is_byte_identical_with_one_and_two_workers(tmp_path: Path):
    one = tmp_path / "one"
    two = tmp_path / "two"
    other = tmp_path / "other"
    generate_set(GenerateConfig(count=70, out=one, seed=5, workers=1, width=64, height=64, rows_per_shard=30))
    generate_set(GenerateConfig(count=70, out=two, seed=5, workers=2, width=64, height=64, rows_per_shard=30))
    generate_set(
        GenerateConfig(count=70, out=other, seed=6, workers=1, width=64, height=64, rows_per_shard=30)
    )
    assert _files(one) == _files(two)
    assert len([n for n in _files(one) if n.endswith(".parquet")]) >= 4  # several shards per split
    differing = [n for n in _files(one) if n.endswith(".parquet") and _files(one)[n] != _files(other).get(n)]
    assert differing, "a different seed must give different shards"


def _frame(path: Path) -> pd.DataFrame:
    return pd.concat(pd.read_parquet(p) for p in sorted((path / "data").glob("*.parquet")))


def test_prices_look_like_a_catalogue_and_eur_columns_follow_the_rate(sample_set: Path):
    rows = _frame(sample_set)
    currency, rate = MARKETS["US"]
    assert (rows["currency_code"] == currency).all()
    for _, row in rows.iterrows():
        step = 10 if row["full_price"] < 1000 else 50
        assert row["full_price"] % step == 0, row["full_price"]
        assert row["full_price_eur"] == pytest.approx(row["full_price"] / rate, abs=0.01)
        assert row["price_eur"] == pytest.approx(row["price"] / rate, abs=0.01)
        assert (row["price"] < row["full_price"]) == bool(row["flg_discount"])
        assert row["oracle_price"] % 10 == 0
    assert rows["full_price"].nunique() > 20


def test_titles_name_the_visible_attributes(sample_set: Path):
    rows = _frame(sample_set)
    for _, row in rows.iterrows():
        words = row["title"]
        assert row["attr_colour"] in words and row["attr_material"] in words
        if isinstance(row["attr_size"], str):
            assert words.startswith(row["attr_size"])
        if row["attr_hardware"] == "Logo":
            assert words.endswith("with Logo")


def test_zero_sigma_gives_the_oracle_price(tmp_path: Path):
    out = tmp_path / "oracle"
    generate_set(GenerateConfig(count=30, out=out, workers=1, width=48, height=48, price_sigma=0.0))
    rows = _frame(out)
    assert (rows["full_price"] == rows["oracle_price"]).all()


def test_non_square_photos_and_png(tmp_path: Path):
    out = tmp_path / "wide"
    generate_set(GenerateConfig(count=12, out=out, workers=1, width=160, height=96, image_format="png"))
    rows = _frame(out)
    for data in rows["image"]:
        image = Image.open(io.BytesIO(data["bytes"]))
        assert image.format == "PNG" and image.size == (160, 96)


def test_catalogue_rounding():
    assert catalogue_round(994) == 990
    assert catalogue_round(996) == 1000
    assert catalogue_round(1324) == 1300
    assert catalogue_round(1326) == 1350
    assert catalogue_round(2) == 10


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("count", 0, "count must be between 1"),
        ("ratios", (0.5, 0.5, 0.5), "summing to 1"),
        ("width", 8, "image size"),
        ("price_sigma", -1.0, "price sigma"),
        ("jpeg_quality", 0, "JPEG quality"),
        ("workers", 0, "workers must be at least 1"),
        ("country", "XX", "unknown country"),
    ],
)
def test_bad_settings_are_refused_with_the_field_named(field: str, value: object, message: str):
    with pytest.raises(ValueError, match=message):
        GenerateConfig(**{field: value})


def test_an_error_mid_way_stops_the_workers_and_leaves_nothing(tmp_path: Path):
    class Stop(Exception):
        pass

    def fail_at_20(done: int) -> None:
        if done == 20:
            raise Stop

    out = tmp_path / "products"
    with pytest.raises(Stop):
        generate_set(GenerateConfig(count=400, out=out, workers=2, width=64, height=64), on_row=fail_at_20)
    assert list(tmp_path.iterdir()) == []
