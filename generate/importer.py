"""`sample-gen import`: a real catalogue (CSV, Parquet, JSON Lines or a hub dataset) into a sample set.

Steps, row by row in source order:

1. Read the source (`read_source`) and rename columns with the `--map` pairs (our name = theirs).
2. Clean the values (`clean.py` rules). A row without a product code, title or readable full price,
   or whose product code was already seen, is a failure and nothing is downloaded for it.
3. Fetch its image (`download.py`): the `image` column (embedded bytes or a path or URL), else
   `local_image_path`, else `imageurl`. A row without a usable image is a failure.
4. Write the good rows through `SampleSetWriter` (split by a hash of product_code, the same
   function sample-gen uses; `source` = "imported", no visual attributes, no oracle price).

Every failure is a line of the failure file (CSV: row, product_code, url, reason, detail; `row`
is 1-based over the data rows) and is counted in the report; no row is dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from productlens.generate.atomic import atomic_write_text, check_destination
from productlens.generate.clean import (
    NA_VALUE,
    clean_category,
    clean_code,
    clean_text,
    is_missing,
    parse_flag,
    parse_price,
)
from productlens.generate.download import DownloadConfig, FetchStats, ImageFetcher, fetch_ordered
from productlens.generate.sampleset import DBQ_COLUMNS, DEFAULT_RATIOS, SampleSetWriter, validate_ratios
from productlens.generate.summary import SetSummary

REQUIRED = ("product_code", "title", "category3_code", "full_price")
IMAGE_COLUMNS = ("image", "local_image_path", "imageurl")
TARGET_COLUMNS = (*DBQ_COLUMNS, "image", "local_image_path")
FAILURE_FIELDS = ("row", "product_code", "url", "reason", "detail")
FAILURE_FILE = "import-failures.csv"
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass
class ImportConfig:
    """Settings of `sample-gen import`."""

    source: str = field(metadata={"help": "CSV / Parquet / JSONL file, or a hub dataset id"})
    out: Path = field(default=Path("data/imported"), metadata={"help": "the set directory to create"})
    column_map: dict[str, str] = field(
        default_factory=dict, metadata={"help": "our column -> the source's column (--map)"}
    )
    na_category: str | None = field(
        default=None, metadata={"help": "value for missing categories; None keeps `N.A.`"}
    )
    download: DownloadConfig = field(default_factory=DownloadConfig, metadata={"help": "image fetching"})
    ratios: tuple[float, float, float] = field(
        default=DEFAULT_RATIOS, metadata={"help": "train,validation,test by a hash of product_code"}
    )
    failures_path: Path | None = field(
        default=None, metadata={"help": f"failure file; None = <out>/{FAILURE_FILE}"}
    )
    limit: int | None = field(default=None, metadata={"help": "import only the first N rows; None = all"})
    hub_split: str | None = field(default=None, metadata={"help": "hub dataset split; None = all splits"})
    overwrite: bool = field(default=False, metadata={"help": "replace a non-empty --out"})

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.ratios = validate_ratios(tuple(self.ratios))  # type: ignore[arg-type]
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1 (or None for all rows), got {self.limit}")
        unknown = sorted(set(self.column_map) - set(TARGET_COLUMNS))
        if unknown:
            raise ValueError(
                f"--map names unknown target columns {', '.join(unknown)}; "
                f"the targets are {', '.join(TARGET_COLUMNS)}"
            )

    def resolved_failures_path(self) -> Path:
        return self.failures_path if self.failures_path is not None else self.out / FAILURE_FILE


@dataclass(frozen=True)
class ImportFailure:
    """One row that is not in the set, and why."""

    row: int  # 1-based position among the source's data rows
    product_code: str
    url: str
    reason: str
    detail: str


@dataclass
class ImportReport:
    """What an import did: counts, failures by reason, the set summary and the fetcher's figures."""

    out: Path
    rows_read: int = 0
    rows_imported: int = 0
    failures: list[ImportFailure] = field(default_factory=list)
    failures_path: Path | None = None
    summary: SetSummary = field(default_factory=SetSummary)
    fetch: FetchStats = field(default_factory=FetchStats)
    elapsed_s: float = 0.0

    @property
    def failure_counts(self) -> Counter[str]:
        return Counter(failure.reason for failure in self.failures)

    @property
    def duplicates(self) -> int:
        return self.failure_counts["duplicate_product_code"]


def read_source(source: str, hub_split: str | None = None) -> pd.DataFrame:
    """The source table with its own column names; text stays text (`N.A.` is not turned into NaN)."""
    path = Path(source)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else ","
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv, .tsv, .parquet or .jsonl")
    if path.exists():
        raise ValueError(f"{path} is a directory; give the CSV, Parquet or JSONL file inside it")
    if not _HUB_ID.match(source):
        raise FileNotFoundError(f"{source} does not exist (and is not a hub dataset id like owner/name)")
    return _read_hub(source, hub_split)


def _read_hub(dataset_id: str, split: str | None) -> pd.DataFrame:
    import datasets

    try:
        loaded = datasets.load_dataset(dataset_id, split=split)
    except Exception as error:  # offline, unknown id, no access: all are the user's to fix
        raise ValueError(
            f"cannot load hub dataset {dataset_id!r} ({type(error).__name__}: {error}); "
            "check the id and that the hub is reachable (HF_HUB_OFFLINE unset), or pass a local file"
        ) from None
    parts = [loaded] if isinstance(loaded, datasets.Dataset) else list(loaded.values())
    if "image" in parts[0].features:  # keep the encoded bytes; do not decode every image here
        parts = [part.cast_column("image", datasets.Image(decode=False)) for part in parts]
    return pd.concat([part.to_pandas() for part in parts], ignore_index=True)


def apply_mapping(table: pd.DataFrame, column_map: Mapping[str, str]) -> pd.DataFrame:
    """Rename the source's columns to ours; ValueError naming the column and those available."""
    missing = [theirs for theirs in column_map.values() if theirs not in table.columns]
    if missing:
        raise ValueError(
            f"--map names source columns that do not exist: {', '.join(missing)}; "
            f"the source has {', '.join(map(str, table.columns))}"
        )
    renamed = table.rename(columns={theirs: ours for ours, theirs in column_map.items()})
    absent = [c for c in REQUIRED if c not in renamed.columns]
    if absent:
        raise ValueError(
            f"the source has no column for {', '.join(absent)}; its columns are "
            f"{', '.join(map(str, table.columns))}. Map them with --map, e.g. --map {absent[0]}=<column>"
        )
    if not any(c in renamed.columns for c in IMAGE_COLUMNS):
        raise ValueError(
            f"the source has no image column ({', '.join(IMAGE_COLUMNS)}); "
            "map one with --map image=<column holding paths or URLs>"
        )
    return renamed


def image_source(record: Mapping[str, Any]) -> str | bytes | None:
    """Where a row's image comes from: embedded bytes, then a path or URL, in IMAGE_COLUMNS order."""
    for column in IMAGE_COLUMNS:
        value = record.get(column)
        if isinstance(value, Mapping):
            if value.get("bytes"):
                return bytes(value["bytes"])
            value = value.get("path")
        if isinstance(value, bytes | bytearray) and value:
            return bytes(value)
        if isinstance(value, str) and not is_missing(value):
            return value.strip()
    return None


def clean_row(record: Mapping[str, Any], na_category: str | None) -> tuple[dict[str, Any], str | None]:
    """(row in the sample-set columns without image, failure reason or None) for one source record."""
    full_price = parse_price(record.get("full_price"))
    price = parse_price(record.get("price"))
    price = full_price if price is None else price
    discount = parse_flag(record.get("flg_discount"))
    if discount is None and price is not None and full_price is not None:
        discount = int(price < full_price)
    row: dict[str, Any] = {column: clean_text(record.get(column)) for column in DBQ_COLUMNS[:12]}
    for column in ("category1_code", "category2_code", "category3_code"):
        row[column] = clean_category(record.get(column), na_category)
    for column in ("country_code", "currency_code"):
        row[column] = row[column].upper()
    row["product_code"] = clean_code(record.get("product_code")) or ""
    row.update(
        full_price=full_price,
        price=price,
        full_price_eur=parse_price(record.get("full_price_eur")),
        price_eur=parse_price(record.get("price_eur")),
        flg_discount=discount or 0,
        source="imported",
        parent_code=None,
    )
    if not row["product_code"]:
        return row, "no_product_code"
    if row["title"] == NA_VALUE:
        return row, "no_title"
    if full_price is None:
        return row, "bad_price"
    return row, None


def _describe(source: str | bytes | None) -> str:
    if isinstance(source, bytes):
        return f"<{len(source):,} embedded bytes>"
    return source or ""


def import_set(config: ImportConfig, on_row: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import `config.source` into a new sample set at `config.out`; return what happened.

    `on_row(done, total)` is called as each row's outcome is known (possibly from download threads).
    Raises ValueError (naming the failure file) when no row has a usable image.
    """
    started = time.monotonic()
    check_destination(config.out, config.overwrite)
    table = apply_mapping(read_source(config.source, config.hub_split), config.column_map)
    if config.limit is not None:
        table = table.head(config.limit)
    total = len(table)
    source_path = Path(config.source)
    base_dir = source_path.parent if source_path.is_file() else Path(".")
    fetcher = ImageFetcher(config.download, base_dir=base_dir)
    report = ImportReport(out=config.out, rows_read=total, fetch=fetcher.stats)
    done = 0
    lock = threading.Lock()

    def tick(_result: object = None) -> None:
        nonlocal done
        with lock:
            done += 1
            current = done
        if on_row is not None:
            on_row(current, total)

    first_seen: dict[str, int] = {}

    def jobs() -> Iterator[tuple[tuple[int, dict[str, Any], str], str | bytes | None]]:
        for number, record in enumerate(table.to_dict("records"), start=1):
            row, reason = clean_row(record, config.na_category)
            source = image_source(record)
            code = row["product_code"]
            if reason is None and code in first_seen:
                reason = "duplicate_product_code"
            if reason is not None:
                detail = f"same product_code as row {first_seen[code]}" if code in first_seen else ""
                detail = detail or _value_detail(reason, record)
                url = _describe(source) or clean_text(record.get("imageurl"))
                report.failures.append(ImportFailure(number, code, url, reason, detail))
                tick()
                continue
            first_seen[code] = number
            yield (number, row, _describe(source) or clean_text(record.get("imageurl"))), source

    writer = SampleSetWriter(
        config.out,
        overwrite=config.overwrite,
        ratios=config.ratios,
        generator="sample-gen import",
        config={
            "source": config.source,
            "column_map": config.column_map,
            "na_category": config.na_category,
            "limit": config.limit,
        },
        seed=None,
        description=f"Products imported from {config.source}.",
    )
    failures_path = config.resolved_failures_path()
    with writer:
        for (number, row, url), result in fetch_ordered(fetcher, jobs(), on_done=tick):
            if result.data is None:
                reason = result.reason or "no_image"
                report.failures.append(ImportFailure(number, row["product_code"], url, reason, result.detail))
                continue
            writer.add({**row, "image": result.data})
            report.rows_imported += 1
        report.failures.sort(key=lambda failure: failure.row)
        writer.config["result"] = {
            "rows_read": report.rows_read,
            "rows_imported": report.rows_imported,
            "failures": dict(sorted(report.failure_counts.items())),
        }
        if report.rows_imported == 0:
            if config.failures_path is None:
                failures_path = config.out.with_name(f"{config.out.name}.{FAILURE_FILE}")
            write_failures(failures_path, report.failures)
            reasons = ", ".join(f"{r} {n}" for r, n in report.failure_counts.most_common())
            raise ValueError(
                f"no row of {config.source} could be imported ({total} rows: {reasons or 'no rows'}); "
                f"every row and its reason is in {failures_path}"
            )
    write_failures(failures_path, report.failures)
    report.failures_path = failures_path
    report.summary = writer.summary
    report.elapsed_s = time.monotonic() - started
    return report


def _value_detail(reason: str, record: Mapping[str, Any]) -> str:
    if reason == "bad_price":
        return f"full_price {record.get('full_price')!r} is not a positive price"
    if reason == "no_title":
        return "title is missing"
    return "product_code is missing"


def write_failures(path: Path, failures: list[ImportFailure]) -> None:
    """The failure file: a CSV with a header line, one line per failed row (header only if none)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(FAILURE_FIELDS)
    for failure in failures:
        out.writerow([failure.row, failure.product_code, failure.url, failure.reason, failure.detail])
    atomic_write_text(path, buffer.getvalue())


def read_failures(path: str | Path) -> list[dict[str, str]]:
    """The failure file's rows as dicts (for tests and for re-running the failed rows)."""
    with Path(path).open(newline="") as handle:
        return list(csv.DictReader(handle))
