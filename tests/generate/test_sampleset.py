"""The sample-set format: what datasets, pandas and the manifest show a user."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pandas as pd
import pytest
import yaml
from PIL import Image
from productlens.core.sample_set import (
    DBQ_COLUMNS,
    load_sample_set,
    read_manifest,
    set_fingerprint,
    split_for,
)
from productlens.generate.sample_set_writer import SampleSetWriter


def test_load_dataset_reads_three_splits_with_image_feature_and_dbq_columns(sample_set: Path):
    loaded = datasets.load_dataset(str(sample_set))
    assert set(loaded) == {"train", "validation", "test"}
    for split in loaded.values():
        assert list(split.column_names[: len(DBQ_COLUMNS)]) == list(DBQ_COLUMNS)
        assert isinstance(split.features["image"], datasets.Image)
        assert {"source", "parent_code", "oracle_price", "attr_colour"} <= set(split.column_names)
    row = loaded["train"][0]
    assert isinstance(row["image"], Image.Image) and row["image"].size == (96, 96)
    assert sum(len(s) for s in loaded.values()) == 120


def test_load_sample_set_and_pandas_agree(sample_set: Path):
    loaded = load_sample_set(sample_set)
    frames = [pd.read_parquet(p) for p in sorted((sample_set / "data").glob("*.parquet"))]
    table = pd.concat(frames)
    assert len(table) == sum(len(s) for s in loaded.values()) == 120
    assert table["product_code"].is_unique
    assert (table["source"] == "synthetic").all()
    assert table["parent_code"].isna().all()


def test_manifest_card_and_fingerprint(sample_set: Path):
    manifest = read_manifest(sample_set)
    assert manifest["seed"] == 7 and manifest["generator"]["name"] == "sample-gen"
    assert sum(manifest["counts"].values()) == 120
    assert set_fingerprint(sample_set) == manifest["checksum"].strip()
    assert manifest["checksum"].startswith("sha256:")
    card = (sample_set / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    splits = {s["name"]: s["num_examples"] for s in header["dataset_info"]["splits"]}
    assert splits == manifest["counts"]
    assert header["productlens"]["seed"] == 7
    assert {f["name"] for f in header["dataset_info"]["features"]} >= set(DBQ_COLUMNS)
    names = sorted(p.name for p in (sample_set / "data").iterdir())
    assert all(n.endswith("-of-00001.parquet") for n in names), names


def test_split_is_a_stable_hash_of_product_code():
    codes = [f"80{i:06d}" for i in range(2000)]
    splits = [split_for(c) for c in codes]
    assert splits == [split_for(c) for c in codes]
    share = splits.count("train") / len(splits)
    assert 0.75 < share < 0.85


def _row(code: str, **overrides) -> dict:
    row = {c: "x" for c in DBQ_COLUMNS}
    row.update(product_code=code, full_price=100.0, price=100.0, full_price_eur=90.0, price_eur=90.0)
    row.update(flg_discount=0, image=Image.new("RGB", (8, 8)), source="imported")
    row.update(overrides)
    return row


def test_writer_rejects_duplicate_codes_and_leaves_nothing(tmp_path: Path):
    dest = tmp_path / "set"
    with pytest.raises(ValueError, match="already used"), SampleSetWriter(dest) as writer:
        writer.add(_row("A1"))
        writer.add(_row("A1"))
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


def test_writer_names_missing_columns(tmp_path: Path):
    row = _row("B2")
    del row["title"]
    with (
        pytest.raises(ValueError, match="row B2: missing columns title"),
        SampleSetWriter(tmp_path / "s") as writer,
    ):
        writer.add(row)


def test_writer_refuses_non_empty_destination(tmp_path: Path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="--overwrite"):
        SampleSetWriter(tmp_path / "set")
    assert (tmp_path / "set" / "keep.txt").read_text() == "mine"


def test_writer_explicit_split_and_small_shards(tmp_path: Path):
    with SampleSetWriter(tmp_path / "set", rows_per_shard=2, batch_rows=1, generator="import") as writer:
        for i in range(5):
            writer.add(_row(f"C{i}"), split="validation")
    names = sorted(p.name for p in (tmp_path / "set" / "data").iterdir())
    assert names == [f"validation-0000{i}-of-00003.parquet" for i in range(3)]
    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    assert manifest["counts"] == {"validation": 5} and manifest["generator"]["name"] == "import"
    assert len(load_sample_set(tmp_path / "set")["validation"]) == 5
