"""The training data: a sample set's train and validation splits, checked, with a length per row.

The length (image placeholders + answer tokens) lets the Trainer group samples of similar length into
one batch, so right padding wastes little compute. It is computed from the image header and the answer
text, without running the HD transform over the whole set.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import datasets
import pyarrow.parquet as pq
from PIL import Image
from productlens.finetune.answer_format import PromptStyle
from productlens.finetune.collator import target_text
from productlens.finetune.errors import FinetuneError

REQUIRED_COLUMNS = ("product_code", "image", "title", "category3_code", "full_price")
LENGTH_COLUMN = "length"


@dataclass
class TrainingData:
    train: datasets.Dataset
    validation: datasets.Dataset | None  # None when the set has no (or an empty) validation split
    fingerprint: str


def first_rows(dataset: datasets.Dataset, n: int) -> list[dict[str, Any]]:
    """The first `n` rows (fewer if the split is shorter), formatted as iteration formats them."""
    rows = list(dataset.select(range(min(n, len(dataset)))))
    return cast(
        list[dict[str, Any]], rows
    )  # a Dataset without set_format yields dicts; datasets infers any format


def _fingerprint(path: Path) -> str:
    from productlens.core.sample_set import set_fingerprint

    try:
        return set_fingerprint(path)
    except (FileNotFoundError, KeyError, ValueError):
        return "unknown"


def load_training_data(path: Path, max_train_samples: int | None = None) -> TrainingData:
    """Read and check a sample set; errors name the directory, the split and the missing columns."""
    from productlens.core.sample_set import load_sample_set

    path = Path(path)
    if not path.is_dir():
        raise FinetuneError(
            f"no sample set at {path}: run `sample-gen` first (it writes data/products) or pass --data DIR"
        )
    shards = sorted((path / "data").glob("*.parquet"))
    for shard in shards:  # the files themselves: the loader fills absent columns with nulls
        missing = [column for column in REQUIRED_COLUMNS if column not in pq.read_schema(shard).names]
        if missing:
            raise FinetuneError(
                f"{shard} lacks the column(s) {', '.join(missing)} that training needs; "
                "regenerate the set with `sample-gen`"
            )
    train_rows = sum(pq.read_metadata(s).num_rows for s in shards if s.name.startswith("train-"))
    if shards and train_rows == 0:
        raise FinetuneError(f"{path}: the train split is empty; nothing to train on")
    for shard in shards:
        if pq.read_metadata(shard).num_rows == 0:
            raise FinetuneError(f"{shard} has no rows; remove the empty shard or regenerate the set")
    try:
        splits = load_sample_set(path)
    except FileNotFoundError as error:
        raise FinetuneError(str(error)) from error
    if "train" not in splits:
        raise FinetuneError(f"{path} has no train split (found: {', '.join(map(str, splits)) or 'none'})")
    train = splits["train"].select_columns(list(REQUIRED_COLUMNS))
    if max_train_samples is not None:
        train = train.select(range(min(max_train_samples, len(train))))
    if len(train) == 0:
        raise FinetuneError(f"{path}: the train split is empty; nothing to train on")
    validation = (
        splits["validation"].select_columns(list(REQUIRED_COLUMNS)) if "validation" in splits else None
    )
    if validation is not None and len(validation) == 0:
        validation = None
    return TrainingData(train=train, validation=validation, fingerprint=_fingerprint(path))


def with_lengths(dataset: datasets.Dataset, processor, style: PromptStyle) -> datasets.Dataset:
    """Add the LENGTH_COLUMN (placeholders + target tokens) the length-grouped sampler reads."""
    tokenizer, image_processor = processor.tokenizer, processor.image_processor
    headers = dataset.cast_column("image", datasets.Image(decode=False))

    def lengths(batch: dict) -> dict:
        image_tokens = []
        for image in batch["image"]:
            with Image.open(io.BytesIO(image["bytes"]) if image.get("bytes") else image["path"]) as opened:
                image_tokens.append(image_processor.num_tokens_for_image(*opened.size))
        rows = [dict(zip(batch, values, strict=True)) for values in zip(*batch.values(), strict=True)]
        answers = tokenizer([target_text(row, style) for row in rows], add_special_tokens=False)["input_ids"]
        return {LENGTH_COLUMN: [n + len(a) for n, a in zip(image_tokens, answers, strict=True)]}

    column = headers.map(lengths, batched=True, remove_columns=headers.column_names, desc=None)
    return dataset.add_column(LENGTH_COLUMN, column[LENGTH_COLUMN])
