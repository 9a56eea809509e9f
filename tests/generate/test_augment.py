"""`sample-gen augment`: parents and children share a split, equal seeds give equal bytes, photos survive."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import read_manifest
from productlens.generate.augment import AugmentConfig, augment_set
from productlens.generate.augment_ops import AugmentSettings, augment_image, background_mask, flip_allowed
from productlens.generate.cli import main


def _rows(path: Path) -> pd.DataFrame:
    frames = []
    for shard in sorted((path / "data").glob("*.parquet")):
        frame = pd.read_parquet(shard)
        frame["split"] = shard.name.split("-", 1)[0]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def augmented(sample_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("augment") / "aug"
    result = CliRunner().invoke(
        main,
        [
            "augment",
            str(sample_set),
            "--out",
            str(out),
            "--copies",
            "2",
            "--seed",
            "3",
            "--splits",
            "train,validation,test",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_children_keep_their_parent_split_and_metadata(sample_set: Path, augmented: Path) -> None:
    source = _rows(sample_set)
    rows = _rows(augmented)
    children = rows[rows["source"] == "augmented"]
    assert len(rows) == 3 * len(source) and len(children) == 2 * len(source)
    assert rows["product_code"].is_unique
    parents = source.set_index("product_code")
    assert set(children["parent_code"]) == set(parents.index)
    for column in ("split", "title", "category3_code", "full_price", "attr_colour"):
        assert (children[column].to_numpy() == parents.loc[children["parent_code"], column].to_numpy()).all()
    originals = rows[rows["source"] == "synthetic"].set_index("product_code")
    assert (originals.loc[parents.index, "split"] == parents["split"]).all()
    assert originals.loc[parents.index, "image"].tolist() == parents["image"].tolist()


def test_children_still_look_like_their_parent(sample_set: Path, augmented: Path) -> None:
    """Nearest parent of each child by a 12x12 colour thumbnail: mostly its own parent, else same category."""

    def thumb(image: dict) -> np.ndarray:
        with Image.open(io.BytesIO(image["bytes"])) as photo:
            return np.asarray(photo.convert("RGB").resize((12, 12)), dtype=np.float32).ravel()

    source = _rows(sample_set)
    rows = _rows(augmented)
    children = rows[rows["source"] == "augmented"]
    parent_thumbs = np.stack([thumb(image) for image in source["image"]])
    own = same_category = 0
    for _, child in children.iterrows():
        distances = np.abs(parent_thumbs - thumb(child["image"])).mean(axis=1)
        nearest = source.iloc[int(distances.argmin())]
        own += nearest["product_code"] == child["parent_code"]
        same_category += nearest["category3_code"] == child["category3_code"]
    assert own / len(children) > 0.6
    assert same_category / len(children) > 0.7


def test_same_seed_same_bytes_and_different_seed_differs(
    sample_set: Path, augmented: Path, tmp_path: Path
) -> None:
    config = AugmentConfig(
        source=sample_set, out=tmp_path / "again", copies=2, seed=3, splits=("train", "validation", "test")
    )
    augment_set(config)
    assert read_manifest(tmp_path / "again")["checksum"] == read_manifest(augmented)["checksum"]
    for shard in (augmented / "data").glob("*.parquet"):
        assert (tmp_path / "again" / "data" / shard.name).read_bytes() == shard.read_bytes()
    config.seed, config.out = 4, tmp_path / "other"
    augment_set(config)
    assert read_manifest(tmp_path / "other")["checksum"] != read_manifest(augmented)["checksum"]


@pytest.mark.slow
def test_two_worker_processes_give_the_same_bytes(sample_set: Path, tmp_path: Path) -> None:
    one = augment_set(AugmentConfig(source=sample_set, out=tmp_path / "one", copies=1, seed=5, workers=1))
    augment_set(AugmentConfig(source=sample_set, out=tmp_path / "two", copies=1, seed=5, workers=2))
    assert one.children["train"] > 0
    assert read_manifest(tmp_path / "one")["checksum"] == read_manifest(tmp_path / "two")["checksum"]


def test_default_augments_train_only_and_balancing_lifts_rare_categories(
    sample_set: Path, tmp_path: Path
) -> None:
    report = augment_set(AugmentConfig(source=sample_set, out=tmp_path / "bal", copies=1, balance_to=12))
    rows = _rows(tmp_path / "bal")
    children = rows[rows["source"] == "augmented"]
    assert set(children["split"]) == {"train"}
    train = rows[rows["split"] == "train"]
    counts = Counter(train["category3_code"])
    assert min(counts.values()) >= 12
    source_train = Counter(_rows(sample_set).query("split == 'train'")["category3_code"])
    extra = sum(max(0, 12 - 2 * n) for n in source_train.values())
    assert report.balancing_copies == extra > 0
    assert len(children) == sum(source_train.values()) + extra


def test_flips_are_refused_for_text_and_logos() -> None:
    assert flip_allowed("Camel Check Cashmere Scarf", "CASHMERE SCARVES")
    assert not flip_allowed("Black Leather Wallet with Logo", "WALLETS & CARD CASES")
    assert not flip_allowed("Monogram Print T-shirt")
    rng = np.random.default_rng(0)
    image = Image.new("RGB", (64, 64), (240, 240, 240))
    image.paste((200, 20, 20), (4, 20, 30, 44))  # an asymmetric item on the left
    settings = AugmentSettings(flip_rate=1.0, max_rotation_deg=0, scale_range=(1, 1), max_crop=0)
    for _ in range(5):
        data, steps = augment_image(image, rng, settings, allow_flip=False)
        assert "flip" not in steps
        left = np.asarray(Image.open(io.BytesIO(data)))[:, :32, 0].mean()
        assert left > np.asarray(Image.open(io.BytesIO(data)))[:, 32:, 0].mean() - 40  # still on the left


def test_background_change_keeps_the_item_and_leaves_busy_backdrops_alone() -> None:
    pixels = np.full((64, 64, 3), 235, dtype=np.uint8)
    pixels[16:48, 20:44] = (30, 40, 100)
    mask = background_mask(pixels)
    assert mask is not None and not mask[16:48, 20:44].any() and mask[:8].all()
    noisy = np.random.default_rng(0).integers(0, 255, size=(64, 64, 3), dtype=np.uint8)
    assert background_mask(noisy) is None


def test_bad_options_give_clear_errors(sample_set: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["augment", str(sample_set), "--out", str(tmp_path / "x"), "--splits", "dev"]
    )
    assert result.exit_code != 0 and "splits must be among train, validation, test" in result.output
    result = runner.invoke(main, ["augment", str(sample_set), "--out", str(sample_set), "--overwrite"])
    assert result.exit_code != 0 and "must differ" in result.output
