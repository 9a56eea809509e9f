"""The dataset card's YAML is in the schema `datasets` reads: loading a set warns of nothing."""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import yaml
from productlens.core.sample_set import read_manifest


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_load_dataset_on_a_set_logs_no_warning(sample_set: Path, tmp_path: Path):
    copy = tmp_path / "set"
    shutil.copytree(sample_set, copy)  # a fresh path, so `datasets` reads the card instead of a cache
    records = _Records()
    logger = logging.getLogger("datasets")
    logger.addHandler(records)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = datasets.load_dataset(str(copy), cache_dir=str(tmp_path / "cache"))
    finally:
        logger.removeHandler(records)
    assert records.messages == []
    assert [str(w.message) for w in caught if "datasets" in w.filename] == []
    assert {name: len(split) for name, split in loaded.items()} == read_manifest(copy)["counts"]


def test_card_splits_carry_name_examples_and_bytes(sample_set: Path):
    card = (sample_set / "README.md").read_text()
    header = yaml.safe_load(card.split("---\n")[1])
    info = header["dataset_info"]
    manifest = read_manifest(sample_set)
    shards = sorted((sample_set / "data").glob("*.parquet"))
    assert info["download_size"] == sum(path.stat().st_size for path in shards)
    for split in info["splits"]:
        files = [path for path in shards if path.name.startswith(f"{split['name']}-")]
        uncompressed = 0
        for path in files:
            metadata = pq.ParquetFile(path).metadata
            uncompressed += sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        assert split["num_examples"] == manifest["counts"][split["name"]]
        assert split["num_bytes"] == uncompressed > 0
    assert info["dataset_size"] == sum(split["num_bytes"] for split in info["splits"])
    features = datasets.Features._from_yaml_list(info["features"])
    assert isinstance(features["image"], datasets.Image) and features["full_price"].dtype == "float64"
