"""The dataset card (README.md) of a sample set: a YAML header in the schema the Hugging Face `datasets`
library reads (configs, and dataset_info with features and splits), then a short description.

`datasets.load_dataset(<set>)` takes the features and the split sizes from `dataset_info`; each split
needs name, num_examples and num_bytes (the uncompressed size of its data, as `datasets` counts it),
and the set's download_size is the size of its Parquet files. The card is written after the shards
and is not part of the content checksum in manifest.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import yaml
from productlens.core.sample_set import FEATURES


def _feature_list() -> list[dict[str, str]]:
    features = []
    for name, feature in FEATURES.items():
        dtype = "image" if isinstance(feature, datasets.Image) else feature.dtype
        features.append({"name": name, "dtype": dtype})
    return features


def _split_sizes(root: Path, shards: list[str]) -> tuple[dict[str, int], int]:
    """Uncompressed bytes per split (from the Parquet row groups) and the bytes of all shard files."""
    per_split: dict[str, int] = {}
    files = 0
    for shard in shards:
        path = root / shard
        split = path.name.split("-", 1)[0]
        metadata = pq.ParquetFile(path).metadata
        data = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        per_split[split] = per_split.get(split, 0) + data
        files += path.stat().st_size
    return per_split, files


def dataset_card(root: str | Path, manifest: Mapping[str, Any], description: str = "") -> str:
    """The README.md text for the set in `root`, whose shards and counts `manifest` lists."""
    counts = manifest["counts"]
    num_bytes, download_size = _split_sizes(Path(root), list(manifest["shards"]))
    header = {
        "pretty_name": "productlens sample set",
        "task_categories": ["image-to-text"],
        "tags": ["productlens", "fashion", "price-estimation"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}-*"} for s in counts],
            }
        ],
        "dataset_info": {
            "features": _feature_list(),
            "splits": [
                {"name": s, "num_bytes": num_bytes.get(s, 0), "num_examples": n} for s, n in counts.items()
            ],
            "download_size": download_size,
            "dataset_size": sum(num_bytes.values()),
        },
        "productlens": {
            "generator": manifest["generator"]["name"],
            "generator_version": manifest["generator"]["version"],
            "seed": manifest["seed"],
            "checksum": manifest["checksum"],
        },
    }
    rows = "\n".join(f"| {split} | {n} |" for split, n in counts.items())
    body = (
        "# productlens sample set\n\n"
        f"{description or 'Product photos with catalogue metadata (title, category, price).'}\n\n"
        "| split | rows |\n|---|---|\n"
        f"{rows}\n\n"
        "Columns: the 17 columns of the DBQ product price datasets, then `image` (encoded photo), "
        "`source` (synthetic / imported / augmented), `parent_code`, the visual attributes `attr_*` "
        "and `oracle_price` (the price without noise) for synthetic rows.\n\n"
        f"Generator: `{manifest['generator']['name']}` {manifest['generator']['version']}, "
        f"seed {manifest['seed']}. Settings and checksum: `manifest.json`.\n"
    )
    return "---\n" + yaml.safe_dump(header, sort_keys=False) + "---\n\n" + body
