"""Reading an import's source: CSV / TSV, Parquet, JSON Lines or a hub dataset id, into a table of raw cells.

Problems of the whole file stop the import with an error that names the file (and the line where
there is one); problems of one record are left to the row checks, which make them failure lines:

- CSV / TSV: `sep` (default `,`, or a tab for `.tsv`) and `encoding` (default UTF-8, a BOM is
  skipped). Text that does not decode names the line and suggests `--encoding`; a line with more
  or fewer fields than the header names the line and its field count (a shifted column would put
  prices into titles, so the file is refused rather than guessed at).
- JSON Lines: one object per line; a line that is not a JSON object becomes a record holding only
  `BAD_LINE` (its reason), so it is one failure line. Values keep their JSON types (a nested
  object stays a dict, for the `bad_value` check).
- A path that does not exist is reported as such; only a text shaped like `owner/name` that is not
  a local path (no file suffix, no existing first folder) is read as a hub dataset id.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

BAD_LINE = "__bad_line__"
FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_FIELD_LIMIT = 64 * 1024 * 1024  # one cell may be huge; the too_long check turns it into a failure line


def parse_sep(text: str | None) -> str | None:
    """`--sep`: one character; `\\t` and `tab` mean a tab. ValueError otherwise."""
    if text is None:
        return None
    value = {"\\t": "\t", "tab": "\t"}.get(text.lower(), text)
    if len(value) != 1 or value in ('"', "\n", "\r"):
        raise ValueError(f"--sep must be one character such as , ; | or \\t (tab); got {text!r}")
    return value


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(
            f"--encoding {encoding!r} is not a known text encoding (try utf-8 or latin-1)"
        ) from None


def read_source(
    source: str, hub_split: str | None = None, sep: str | None = None, encoding: str = "utf-8-sig"
) -> pd.DataFrame:
    """The source table with its own column names; text stays text (`N.A.` is not turned into NaN)."""
    path = Path(source)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv", ".txt"):
            return read_csv(path, sep or ("\t" if suffix == ".tsv" else ","), encoding)
        if suffix in (".parquet", ".pq"):
            try:
                return pd.read_parquet(path)
            except Exception as error:  # pyarrow raises several types for a file that is not Parquet
                raise ValueError(f"cannot read {path} as Parquet: {error}") from None
        if suffix in (".jsonl", ".ndjson"):
            return read_jsonl(path, encoding)
        raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv, .tsv, .parquet or .jsonl")
    if path.exists():
        raise ValueError(f"{path} is not a file; give the CSV, Parquet or JSONL file inside it")
    first = source.split("/", 1)[0]
    looks_local = (
        path.suffix.lower() in FILE_SUFFIXES
        or source.startswith((".", "/", "~", "\\"))
        or (bool(first) and Path(first).is_dir())
    )
    if looks_local or not _HUB_ID.match(source):
        raise FileNotFoundError(
            f"{source} does not exist (a local path; a hub dataset id looks like owner/name)"
        )
    return _read_hub(source, hub_split)


def _decode(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode(check_encoding(encoding))
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{path}, line {line}: byte {data[error.start : error.start + 1]!r} is not {encoding} text; "
            "pass the file's encoding with --encoding (e.g. --encoding latin-1 or cp1252)"
        ) from None


def read_csv(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    """A CSV as a table of strings; ValueError naming the line on a wrong field count or bad text."""
    text = _decode(path, encoding)
    previous = csv.field_size_limit(_FIELD_LIMIT)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path} is empty; expected a header line with the column names") from None
        except csv.Error as error:
            raise ValueError(f"{path}, line 1: {error}") from None
        header = [name.strip() for name in header]
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise ValueError(f"{path}: the header names the column(s) {', '.join(repeated)} more than once")
        records: list[list[str]] = []
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise ValueError(f"{path}, line {reader.line_num}: {error}") from None
            if not record or record == [""]:
                continue  # a blank line
            if len(record) != len(header):
                raise ValueError(
                    f"{path}, line {reader.line_num}: {len(record)} fields, but the header has "
                    f"{len(header)} (separator {sep!r}); fix the quoting of that line, or pass --sep "
                    "if the file uses another separator"
                )
            records.append(record)
    finally:
        csv.field_size_limit(previous)
    others = [c for c in ",;\t|" if c != sep and c in header[0]]
    if len(header) == 1 and others:
        raise ValueError(
            f"{path}: with separator {sep!r} the header is one column ({header[0][:60]!r}...); the file "
            f"seems to use {others[0]!r}: pass it with --sep"
        )
    return pd.DataFrame(records, columns=header, dtype=object)


def read_jsonl(path: Path, encoding: str) -> pd.DataFrame:
    """JSON Lines as a table of JSON values; a line that is not an object becomes a BAD_LINE record."""
    records: list[dict] = []
    for number, line in enumerate(_decode(path, encoding).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            records.append({BAD_LINE: f"line {number} is not valid JSON ({str(error)[:80]})"})
            continue
        if not isinstance(value, dict):
            records.append({BAD_LINE: f"line {number} is a JSON {type(value).__name__}, not an object"})
            continue
        records.append(value)
    if not records:
        raise ValueError(f"{path} holds no JSON lines")
    return pd.DataFrame(records, dtype=object)  # object: a code such as 12345678901234567 stays exact


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
    # datasets types to_pandas() as DataFrame | Iterator[DataFrame]; the iterator comes only with batched=True
    return pd.concat([part.to_pandas() for part in parts], ignore_index=True)  # pyright: ignore[reportArgumentType, reportCallIssue]
