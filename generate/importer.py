"""`sample-gen import`: a real catalogue (CSV, Parquet, JSON Lines or a hub dataset) into a sample set.

Steps, row by row in source order:

1. Read the source (`source_files.py`: CSV with --sep/--encoding, Parquet, JSON Lines or a hub id)
   and rename columns with the `--map` pairs (our name = theirs).
2. Clean the values (`clean.py` rules). A row without a product code, title or readable full price,
   a cell that is not a scalar (`bad_value`) or a text over its length limit (`too_long`) is a
   failure and nothing is downloaded for it.
3. Fetch its image (`download.py`): the `image` column (embedded bytes, base64 text or a path or
   URL), else `local_image_path`, else `imageurl`. A row without a usable image is a failure.
4. Duplicates are decided by outcome, in source order: the first row of a product code whose image
   imports keeps the code; a later row with it is a `duplicate_product_code` failure naming that row.
5. Write the good rows through `SampleSetWriter` (split by a hash of product_code, the same
   function sample-gen uses; `source` = "imported", no visual attributes, no oracle price).

Any exception met while handling one row is that row's failure (`unexpected_error`); only problems
of the whole run (the source cannot be read, the destination cannot be written, no row imports)
stop the import.

Every failure is a line of the failure file (CSV: row, product_code, url, reason, detail; `row`
is 1-based over the data rows) and is counted in the report; no row is dropped silently.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd
from productlens.core.atomic_writes import atomic_write_text, check_destination
from productlens.core.sample_set import DBQ_COLUMNS, ratios_field, validate_ratios
from productlens.generate.clean import (
    NA_VALUE,
    clean_category,
    clean_code,
    clean_text,
    is_missing,
    length_problem,
    parse_flag,
    parse_mapping,
    parse_price,
    value_problem,
)
from productlens.generate.download import (
    DownloadConfig,
    FetchStats,
    ImageFetcher,
    embedded_bytes,
    fetch_ordered,
)
from productlens.generate.fetch_errors import ImageFailure, short
from productlens.generate.sample_set_writer import SampleSetWriter
from productlens.generate.source_files import BAD_LINE, check_encoding, parse_sep, read_source
from productlens.generate.summary import SetSummary

REQUIRED = ("product_code", "title", "category3_code", "full_price")
IMAGE_COLUMNS = ("image", "local_image_path", "imageurl")
TARGET_COLUMNS = (*DBQ_COLUMNS, "image", "local_image_path")
FAILURE_FIELDS = ("row", "product_code", "url", "reason", "detail")
FAILURE_FILE = "import-failures.csv"


@dataclass
class ImportConfig:
    """Settings of `sample-gen import`."""

    source: str = field(metadata={"help": "CSV / Parquet / JSONL file, or a hub dataset id."})
    out: Path = field(
        default=Path("data/imported"),
        metadata={"help": "Directory of the new set.", "path": {"file_okay": False}},
    )
    column_map: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "help": "Column names for other schemas: ours=theirs pairs, e.g. title=name,full_price=price,image=photo.",
            "flag": "--map",
            "parse": parse_mapping,
        },
    )
    na_category: str | None = field(
        default=None,
        metadata={"help": "Replace missing (N.A.) categories by this value.", "default_text": "keep N.A."},
    )
    download: DownloadConfig = field(default_factory=DownloadConfig, metadata={"help": "Image fetching."})
    ratios: tuple[float, float, float] = ratios_field()
    failures_path: Path | None = field(
        default=None,
        metadata={
            "help": "Failure file (CSV).",
            "flag": "--failures",
            "path": {"dir_okay": False},
            "default_text": f"OUT/{FAILURE_FILE}",
        },
    )
    limit: int | None = field(
        default=None, metadata={"help": "Import only the first N rows.", "default_text": "all"}
    )
    hub_split: str | None = field(
        default=None, metadata={"help": "Split of a hub dataset.", "default_text": "all"}
    )
    overwrite: bool = field(
        default=False, metadata={"help": "Replace a non-empty --out (once the new set is complete)."}
    )
    sep: str | None = field(
        default=None,
        metadata={"help": "CSV field separator, e.g. ';' or '\\t'.", "default_text": "',', a tab for .tsv"},
    )
    encoding: str = field(default="utf-8-sig", metadata={"help": "Text encoding of a CSV or JSONL source."})

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.sep = parse_sep(self.sep)
        check_encoding(self.encoding)
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

    def to_dict(self) -> dict[str, Any]:
        """Plain values for rendering (reports/sample_set_view.py), the derived figures included."""
        return {
            **vars(self),  # not asdict(), which loses a Counter's counts
            "failures": [asdict(failure) for failure in self.failures],
            "fetch": vars(self.fetch),
            "summary": self.summary.to_dict(),
            "failure_counts": self.failure_counts,
        }

    @property
    def duplicates(self) -> int:
        return self.failure_counts["duplicate_product_code"]


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
    """Where a row's image comes from: embedded bytes, then a path or URL, in IMAGE_COLUMNS order.

    Raises ImageFailure (bad_value) for a cell that holds neither: a list, a number, undecodable bytes.
    """
    for column in IMAGE_COLUMNS:
        value = record.get(column)
        if isinstance(value, Mapping):
            if value.get("bytes") is not None and len(value["bytes"]):
                return embedded_bytes(value["bytes"])
            value = value.get("path")
        if isinstance(value, bytes | bytearray) and value:
            return bytes(value)
        if isinstance(value, str) and not is_missing(value):
            return value.strip()
        if value is not None and not is_missing(value) and not isinstance(value, str | bytes | bytearray):
            problem = (
                value_problem(column, value) or f"{column} is a {type(value).__name__}, not a path or URL"
            )
            raise ImageFailure("bad_value", problem)
    return None


TEXT_COLUMNS = (*DBQ_COLUMNS, "image", "local_image_path")


def clean_row(record: Mapping[str, Any], na_category: str | None) -> tuple[dict[str, Any], str | None]:
    """(row in the sample-set columns without image, failure reason or None) for one source record."""
    row, reason, _detail = clean_row_detailed(record, na_category)
    return row, reason


def clean_row_detailed(
    record: Mapping[str, Any], na_category: str | None
) -> tuple[dict[str, Any], str | None, str]:
    """(row, failure reason or None, failure detail) for one source record; the detail is this row's own."""
    if record.get(BAD_LINE) is not None and not is_missing(record.get(BAD_LINE)):
        return {"product_code": ""}, "bad_value", str(record[BAD_LINE])
    for column in TEXT_COLUMNS:
        if column in ("image",):
            continue  # bytes, a struct or a path: image_source decides
        problem = value_problem(column, record.get(column))
        if problem is not None:
            code = record.get("product_code")
            safe_code = clean_code(code) if value_problem("product_code", code) is None else None
            return {"product_code": safe_code or ""}, "bad_value", problem
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
    for column in DBQ_COLUMNS[:12]:
        problem = length_problem(column, row[column])
        if problem is not None:
            shown = row["product_code"] if column != "product_code" else row["product_code"][:40] + "..."
            return {**row, "product_code": shown}, "too_long", problem
    if not row["product_code"]:
        return row, "no_product_code", "product_code is missing"
    if row["title"] == NA_VALUE:
        return row, "no_title", "title is missing"
    if full_price is None:
        shown = repr(record.get("full_price"))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return row, "bad_price", f"full_price {shown} is not a positive price"
    return row, None, ""


def _describe(source: str | bytes | None) -> str:
    if isinstance(source, bytes):
        return f"<{len(source):,} embedded bytes>"
    text = source or ""
    return text if len(text) <= 500 else text[:497] + "..."


def import_set(config: ImportConfig, on_row: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import `config.source` into a new sample set at `config.out`; return what happened.

    `on_row(done, total)` is called as each row's outcome is known (possibly from download threads).
    Raises ValueError (naming the failure file) when no row has a usable image.
    """
    started = time.monotonic()
    check_destination(config.out, config.overwrite)
    table = apply_mapping(
        read_source(config.source, config.hub_split, sep=config.sep, encoding=config.encoding),
        config.column_map,
    )
    if config.limit is not None:
        table = table.head(config.limit)
    total = len(table)
    source_path = Path(config.source)
    base_dir = source_path.parent if source_path.is_file() else None  # a hub dataset: --local-root only
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

    kept: dict[str, int] = {}  # product_code -> the row that is in the set with it

    def fail(number: int, code: str, url: str, reason: str, detail: str) -> None:
        report.failures.append(ImportFailure(number, code, url, reason, detail))

    def jobs() -> Iterator[tuple[tuple[int, dict[str, Any], str], str | bytes | None]]:
        records = cast(list[dict[str, Any]], table.to_dict("records"))  # the column labels are strings
        for number, record in enumerate(records, start=1):
            url = ""
            try:
                url = _url_of(record)
                row, reason, detail = clean_row_detailed(record, config.na_category)
                code = row["product_code"]
                if reason is None:
                    source = image_source(record)
                    url = _describe(source) or url
            except ImageFailure as failure:
                row, code, reason, detail = {}, _code_of(record), failure.reason, failure.detail
            except Exception as error:  # a bug met by one row is that row's failure line
                row, code = {}, _code_of(record)
                reason, detail = "unexpected_error", f"{type(error).__name__}: {short(error)}"
            if reason is None and code in kept:  # known to be in the set already: no download
                reason, detail = "duplicate_product_code", f"same product_code as row {kept[code]}"
            if reason is not None:
                fail(number, code, url, reason, detail)
                tick()
                continue
            yield (number, row, url), source

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
        results = contextlib.closing(fetch_ordered(fetcher, jobs(), on_done=tick))
        with results as ordered:  # closed at once on Ctrl-C: downloads in flight stop within moments
            for (number, row, url), result in ordered:
                code = row["product_code"]
                if result.data is None:
                    fail(number, code, url, result.reason or "no_image", result.detail)
                    continue
                if code in kept:  # an earlier row with this code imported while this one was fetched
                    fail(
                        number, code, url, "duplicate_product_code", f"same product_code as row {kept[code]}"
                    )
                    continue
                writer.add({**row, "image": result.data})
                kept[code] = number
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


def _code_of(record: Mapping[str, Any]) -> str:
    code = record.get("product_code")
    if value_problem("product_code", code) is not None:
        return ""
    text = clean_code(code) or ""
    return text if len(text) <= 100 else text[:97] + "..."


def _url_of(record: Mapping[str, Any]) -> str:
    for column in ("local_image_path", "imageurl"):
        value = record.get(column)
        if isinstance(value, str) and not is_missing(value):
            text = value.strip()
            return text if len(text) <= 500 else text[:497] + "..."
    return ""


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
