"""The sample-set format on disk: the contract between sample-gen (which writes sets) and finetune and
evaluate (which read them).

    <set>/data/{train,validation,test}-00000-of-0000N.parquet   Hugging Face hub layout
    <set>/README.md        dataset card with a YAML header (core/dataset_card.py)
    <set>/manifest.json    generator, config, seed, counts, content checksum

The columns and their features are FEATURES; `load_sample_set` reads a set back with them, and the
split of a row is a hash of its product_code (`split_for`). The writer is generate/sample_set_writer.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
from productlens.core.json_files import read_json

SPLITS = ("train", "validation", "test")
FORMAT_VERSION = 1

DBQ_COLUMNS: tuple[str, ...] = (
    "website_name",
    "competence_date",
    "country_code",
    "currency_code",
    "brand",
    "category1_code",
    "category2_code",
    "category3_code",
    "product_code",
    "title",
    "itemurl",
    "imageurl",
    "full_price",
    "price",
    "full_price_eur",
    "price_eur",
    "flg_discount",
)
ATTR_COLUMNS: tuple[str, ...] = ("attr_colour", "attr_material", "attr_pattern", "attr_hardware", "attr_size")
SOURCES = ("synthetic", "imported", "augmented")

_STRING = datasets.Value("string")
_FLOAT = datasets.Value("float64")
FEATURES = datasets.Features(
    {
        **{name: _STRING for name in DBQ_COLUMNS[:12]},
        "full_price": _FLOAT,
        "price": _FLOAT,
        "full_price_eur": _FLOAT,
        "price_eur": _FLOAT,
        "flg_discount": datasets.Value("int64"),
        "image": datasets.Image(),
        "source": _STRING,
        "parent_code": _STRING,
        **{name: _STRING for name in ATTR_COLUMNS},
        "oracle_price": _FLOAT,
        "combination_seen": datasets.Value("bool"),  # sets made with --holdout; null otherwise
    }
)
COLUMNS: tuple[str, ...] = tuple(FEATURES)
# Columns a row may omit (they are stored as null); every other column is required.
OPTIONAL_COLUMNS = frozenset({"parent_code", "oracle_price", "combination_seen", *ATTR_COLUMNS})
SCHEMA: pa.Schema = FEATURES.arrow_schema

DEFAULT_RATIOS = (0.8, 0.1, 0.1)


def validate_ratios(ratios: tuple[float, float, float]) -> tuple[float, float, float]:
    """Check train/validation/test ratios: three non-negative numbers summing to 1."""
    if len(ratios) != 3 or any(r < 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6:
        raise ValueError(
            f"split ratios must be three non-negative numbers summing to 1 (train,validation,test); "
            f"got {','.join(str(r) for r in ratios)} (sum {sum(ratios):g})"
        )
    return (float(ratios[0]), float(ratios[1]), float(ratios[2]))


def ratios_field() -> Any:
    """The `ratios` field of a config that writes a set (sample-gen, import): its default, --split and check."""
    return field(
        default=DEFAULT_RATIOS,
        metadata={
            "help": "train,validation,test ratios (by a hash of product_code).",
            "flag": "--split",
            "check": validate_ratios,
        },
    )


def split_for(product_code: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> str:
    """The split of a product: a hash of its code, so it never changes when rows are added."""
    digest = hashlib.sha256(product_code.encode("utf-8")).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < ratios[0]:
        return "train"
    if position < ratios[0] + ratios[1]:
        return "validation"
    return "test"


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest.json of a sample set; FileNotFoundError names the directory if there is none."""
    manifest = Path(path) / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} not found; is {path} a sample set written by productlens?")
    return read_json(manifest)


def set_fingerprint(path: str | Path) -> str:
    """The content checksum of a sample set (from its manifest): changes whenever any shard changes."""
    return str(read_manifest(path)["checksum"])


def load_sample_set(path: str | Path, cache_dir: str | None = None) -> datasets.DatasetDict:
    """Load the splits present (train / validation / test) with images decoding to PIL images."""
    data = Path(path) / "data"
    files = {s: sorted(str(p) for p in data.glob(f"{s}-*.parquet")) for s in SPLITS}
    files = {s: f for s, f in files.items() if f}
    if not files:
        raise FileNotFoundError(f"no Parquet shards under {data}; is {path} a sample set?")
    return datasets.load_dataset("parquet", data_files=files, features=FEATURES, cache_dir=cache_dir)
