"""Export a sample set to the layouts other tools read: the CookBook CSV, LLaVA JSON, CookBook JSONL.

- cookbook-csv: `Dataset.csv` (the 17 DBQ columns + `local_image_path`) and `images/<product_code>.<ext>`,
  the layout of the Phi-3 CookBook's data-preparation script.
- llava: `<split>.json`, a list of {id, image, conversations: [{from: human}, {from: gpt}]}.
- phi3v-jsonl: `<split>.jsonl`, one {id, source, conversations: [{images, user, assistant}]} per line,
  the CookBook's vision fine-tuning annotation format.

The question and answer are the CookBook's Burberry example strings (the project's configurable
prompt lives in finetune/answer_format.py, a later stage this one does not import).
Rows are read shard by shard in batches, so memory stays flat for any set size.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pyarrow.parquet as pq
from PIL import Image
from productlens.core.atomic_writes import atomic_directory
from productlens.core.price_text import format_price
from productlens.core.sample_set import DBQ_COLUMNS, SPLITS

ExportFormat = Literal["cookbook-csv", "llava", "phi3v-jsonl"]
EXPORT_FORMATS: tuple[str, ...] = ("cookbook-csv", "llava", "phi3v-jsonl")
QUESTION = "What is shown in this image?"


def cookbook_answer(row: dict[str, Any]) -> str:
    """The CookBook answer, its price written as trained answers write it ("680", not "680.0")."""
    price = format_price(float(row["full_price"]))
    return f"Product: {row['title']}, Category: {row['category3_code']}, Full Price: {price}"


def iter_rows(path: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(split, row) for every row of a set, split by split, in shard order."""
    data = Path(path) / "data"
    shards = sorted(data.glob("*.parquet")) if data.is_dir() else []
    if not shards:
        raise FileNotFoundError(f"no Parquet shards under {data}; is {path} a sample set?")
    for split in SPLITS:
        for shard in (s for s in shards if s.name.startswith(f"{split}-")):
            for batch in pq.ParquetFile(shard).iter_batches(batch_size=64):
                for row in batch.to_pylist():
                    yield split, row


def _image_file(image: dict[str, Any], product_code: str) -> tuple[str, bytes]:
    """File name and bytes; JPEG and PNG are copied as stored, anything else is re-encoded as PNG."""
    data = image["bytes"]
    if data.startswith(b"\xff\xd8\xff"):
        return f"{product_code}.jpg", data
    if data.startswith(b"\x89PNG"):
        return f"{product_code}.png", data
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buffer, format="PNG")
    return f"{product_code}.png", buffer.getvalue()


def export_set(
    path: str | Path, out: str | Path, export_format: ExportFormat, overwrite: bool = False
) -> dict[str, int]:
    """Write `path` in `export_format` to the directory `out` (atomically); returns rows per split."""
    if export_format not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {export_format!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    counts: dict[str, int] = {}
    rows = iter_rows(path)
    with atomic_directory(out, overwrite=overwrite) as root:
        images = root / "images"
        images.mkdir()
        csv_handle = (root / "Dataset.csv").open("w", newline="") if export_format == "cookbook-csv" else None
        writer = csv.DictWriter(csv_handle, [*DBQ_COLUMNS, "local_image_path"]) if csv_handle else None
        if writer:
            writer.writeheader()
        llava: dict[str, list[dict[str, Any]]] = {}
        jsonl: dict[str, Any] = {}
        try:
            for split, row in rows:
                counts[split] = counts.get(split, 0) + 1
                name, data = _image_file(row["image"], row["product_code"])
                (images / name).write_bytes(data)
                relative = f"images/{name}"
                if writer:
                    writer.writerow({**{c: row[c] for c in DBQ_COLUMNS}, "local_image_path": relative})
                elif export_format == "llava":
                    llava.setdefault(split, []).append(
                        {
                            "id": row["product_code"],
                            "image": relative,
                            "conversations": [
                                {"from": "human", "value": f"<image>\n{QUESTION}"},
                                {"from": "gpt", "value": cookbook_answer(row)},
                            ],
                        }
                    )
                else:
                    if split not in jsonl:
                        jsonl[split] = (root / f"{split}.jsonl").open("w")
                    record = {
                        "id": row["product_code"],
                        "source": row["source"],
                        "conversations": [
                            {"images": [relative], "user": QUESTION, "assistant": cookbook_answer(row)}
                        ],
                    }
                    jsonl[split].write(json.dumps(record) + "\n")
        finally:
            if csv_handle:
                csv_handle.close()
            for handle in jsonl.values():
                handle.close()
        # LLaVA files are one JSON list each: only the per-row dicts (no images) are held in memory.
        for split, records in llava.items():
            (root / f"{split}.json").write_text(json.dumps(records, indent=1))
    return counts
