"""The streaming writer every producer of a sample set (sample-gen, import, augment) uses.

The format it writes is core/sample_set.py's (columns, features, splits) and core/dataset_card.py's card.

    with SampleSetWriter("data/products", generator="sample-gen", config=cfg_dict, seed=0) as writer:
        for row in rows:           # a dict with the COLUMNS; image = encoded bytes or a PIL image
            writer.add(row)        # the split comes from a hash of product_code unless given
    writer.summary                 # SetSummary: rows per split / category, price range

Rows stream into per-split Parquet shards in a temporary sibling directory; on a clean exit the
shards get their final `-of-N` names, the card and the manifest are written, and the directory is
renamed onto the destination. On an exception nothing appears at the destination.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image
from productlens.core.atomic_writes import atomic_directory, atomic_write_text, check_destination
from productlens.core.dataset_card import dataset_card
from productlens.core.json_files import write_json
from productlens.core.sample_set import (
    COLUMNS,
    DEFAULT_RATIOS,
    FEATURES,
    FORMAT_VERSION,
    OPTIONAL_COLUMNS,
    SCHEMA,
    SOURCES,
    SPLITS,
    split_for,
    validate_ratios,
)
from productlens.generate.summary import SetSummary

# Encoded photos do not compress; zstd would spend CPU on them for nothing.
COMPRESSION = {name: "zstd" for name in COLUMNS if name != "image"} | {
    "image.bytes": "none",
    "image.path": "zstd",
}


def encode_image(image: Any) -> dict[str, Any]:
    """The Image feature's storage {bytes, path} from encoded bytes, a PIL image or such a dict."""
    if isinstance(image, bytes | bytearray):
        return {"bytes": bytes(image), "path": None}
    if isinstance(image, Image.Image):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return {"bytes": buffer.getvalue(), "path": None}
    if isinstance(image, Mapping) and image.get("bytes"):
        return {"bytes": bytes(image["bytes"]), "path": image.get("path")}
    raise TypeError(
        f"image must be encoded bytes, a PIL image or a {{bytes, path}} dict, not {type(image).__name__}"
    )


class _ShardStream:
    """Rows of one split, buffered in small batches and written as row groups of numbered shards."""

    def __init__(self, directory: Path, split: str, rows_per_shard: int, batch_rows: int) -> None:
        self.directory = directory
        self.split = split
        self.rows_per_shard = rows_per_shard
        self.batch_rows = batch_rows
        self.buffer: list[dict[str, Any]] = []
        self.writer: pq.ParquetWriter | None = None
        self.rows_in_shard = 0
        self.shards: list[Path] = []

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        if (
            len(self.buffer) >= self.batch_rows
            or self.rows_in_shard + len(self.buffer) >= self.rows_per_shard
        ):
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None:
            path = self.directory / f"{self.split}-{len(self.shards):05d}.parquet.part"
            self.shards.append(path)
            # pyarrow takes a codec per column; its stub says one str only
            self.writer = pq.ParquetWriter(
                path,
                SCHEMA,
                compression=COMPRESSION,  # pyright: ignore[reportArgumentType]
            )
        self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=SCHEMA))
        self.rows_in_shard += len(self.buffer)
        self.buffer = []
        if self.rows_in_shard >= self.rows_per_shard:
            self.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.rows_in_shard = 0

    def finish(self) -> list[Path]:
        """Flush, close and rename shards to their hub names `<split>-0000k-of-0000N.parquet`."""
        self.flush()
        self.close()
        total = len(self.shards)
        final = []
        for index, part in enumerate(self.shards):
            name = part.with_name(f"{self.split}-{index:05d}-of-{total:05d}.parquet")
            part.rename(name)
            final.append(name)
        return final


class SampleSetWriter:
    """Stream rows into a new sample set at `dest`, published atomically when the `with` block ends.

    Args:
        dest: the set directory to create (e.g. data/products).
        overwrite: replace a non-empty `dest` (only at the very end; until then it is untouched).
        ratios: train/validation/test fractions used when `add` is not given a split.
        generator: the producing command, recorded in the card and manifest ("sample-gen", "import", ...).
        config: the producer's settings (JSON-serialisable), recorded in the manifest.
        seed: the random seed, recorded in the card and manifest (None when not random).
        description: a paragraph for the dataset card.
        rows_per_shard: rows per Parquet file; batch_rows: rows per row group (bounds memory).
    """

    def __init__(
        self,
        dest: str | Path,
        *,
        overwrite: bool = False,
        ratios: tuple[float, float, float] = DEFAULT_RATIOS,
        generator: str = "sample-gen",
        config: Mapping[str, Any] | None = None,
        seed: int | None = None,
        description: str = "",
        rows_per_shard: int = 1000,
        batch_rows: int = 50,
    ) -> None:
        if rows_per_shard < 1 or batch_rows < 1:
            raise ValueError("rows_per_shard and batch_rows must be at least 1")
        self.dest = check_destination(dest, overwrite)
        self.overwrite = overwrite
        self.ratios = validate_ratios(ratios)
        self.generator = generator
        self.config = dict(config or {})
        self.seed = seed
        self.description = description
        self.rows_per_shard = rows_per_shard
        self.batch_rows = batch_rows
        self.summary = SetSummary()
        self._codes: set[str] = set()
        self._streams: dict[str, _ShardStream] = {}
        self._context: Any = None
        self._root: Path | None = None

    def __enter__(self) -> SampleSetWriter:
        self._context = atomic_directory(self.dest, overwrite=self.overwrite)
        root: Path = self._context.__enter__()
        self._root = root
        (root / "data").mkdir()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self._finish()
        except BaseException as error:
            for stream in self._streams.values():
                stream.close()
            self._context.__exit__(type(error), error, error.__traceback__)
            raise
        if exc_type is not None:
            for stream in self._streams.values():
                stream.close()
        self._context.__exit__(exc_type, exc, tb)

    def add(self, row: Mapping[str, Any], split: str | None = None) -> str:
        """Append one row; returns its split. Raises ValueError naming the row and field on bad input."""
        if self._root is None:
            raise RuntimeError("use SampleSetWriter inside a `with` block")
        code = row.get("product_code")
        if not isinstance(code, str) or not code:
            raise ValueError(f"row has no product_code (a non-empty string): {dict(row).get('title')!r}")
        missing = [c for c in COLUMNS if c not in row and c not in OPTIONAL_COLUMNS]
        if missing:
            raise ValueError(f"row {code}: missing columns {', '.join(missing)}")
        unknown = [c for c in row if c not in FEATURES]
        if unknown:
            raise ValueError(
                f"row {code}: unknown columns {', '.join(unknown)}; expected {', '.join(COLUMNS)}"
            )
        if code in self._codes:
            raise ValueError(f"row {code}: product_code already used in this set (it must be unique)")
        if row["source"] not in SOURCES:
            raise ValueError(f"row {code}: source must be one of {', '.join(SOURCES)}, got {row['source']!r}")
        split = split or split_for(code, self.ratios)
        if split not in SPLITS:
            raise ValueError(f"row {code}: split must be one of {', '.join(SPLITS)}, got {split!r}")
        self._codes.add(code)
        record = {column: row.get(column) for column in COLUMNS}
        record["image"] = encode_image(row["image"])
        stream = self._streams.get(split)
        if stream is None:
            stream = _ShardStream(self._root / "data", split, self.rows_per_shard, self.batch_rows)
            self._streams[split] = stream
        stream.add(record)
        self.summary.add(split, row)
        return split

    def _finish(self) -> None:
        assert self._root is not None
        if not self._codes:
            raise ValueError("no rows were written; a sample set needs at least one row")
        shards: list[Path] = []
        for split in SPLITS:
            if split in self._streams:
                shards.extend(self._streams[split].finish())
        counts = {s: self.summary.rows_per_split[s] for s in SPLITS if s in self.summary.rows_per_split}
        self.summary.rows_per_split = counts
        manifest = {
            "format": "productlens-sample-set",
            "format_version": FORMAT_VERSION,
            "generator": {"name": self.generator, "version": _package_version()},
            "seed": self.seed,
            "config": self.config,
            "ratios": list(self.ratios),
            "counts": counts,
            "columns": list(COLUMNS),
            "shards": [f"data/{p.name}" for p in shards],
            "checksum": _content_checksum(shards),
        }
        write_json(self._root / "manifest.json", manifest, sort_keys=True)
        atomic_write_text(self._root / "README.md", dataset_card(self._root, manifest, self.description))


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("productlens")
    except Exception:  # an uninstalled checkout still writes a valid manifest
        return "0+unknown"


def _content_checksum(shards: list[Path]) -> str:
    digest = hashlib.sha256()
    for shard in sorted(shards, key=lambda p: p.name):
        digest.update(shard.name.encode("utf-8"))
        with shard.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return f"sha256:{digest.hexdigest()}"
