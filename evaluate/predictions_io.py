"""predictions.jsonl: reading, resumable appending (flushed per batch), and references from set rows."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from productlens.core.atomic_writes import atomic_file
from productlens.core.results_schema import PredictionRecord, Reference

REQUIRED_KEYS = ("id", "generated", "reference")
ATTRIBUTE_COLUMNS = ("attr_colour", "attr_material", "attr_pattern", "attr_hardware", "attr_size")


def reference_from_row(row: Mapping[str, Any]) -> Reference:
    """The reference fields of one sample-set row (DBQ columns, plus oracle_price when present)."""
    oracle = row.get("oracle_price")
    reference = Reference(
        title=str(row["title"]),
        category1=row.get("category1_code"),
        category2=row.get("category2_code"),
        category3=str(row["category3_code"]),
        price=float(row["full_price"]),
        currency=row.get("currency_code"),
        oracle_price=None
        if oracle is None or (isinstance(oracle, float) and math.isnan(oracle))
        else float(oracle),
    )
    # Visual attributes (synthetic rows) and the --holdout flag, for the breakdowns in evaluate/groups.py.
    attributes = {name.removeprefix("attr_"): row.get(name) for name in ATTRIBUTE_COLUMNS}
    if any(value is not None for value in attributes.values()):
        reference["attributes"] = attributes
    if row.get("combination_seen") is not None:
        reference["combination_seen"] = bool(row["combination_seen"])
    return reference


def read_predictions(path: str | Path) -> list[PredictionRecord]:
    """All records of a predictions.jsonl; an unreadable line is an error naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no predictions file at {path}")
    records: list[PredictionRecord] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                # A line cut short by an interrupted run is the last one; anything else is corruption.
                raise ValueError(f"{path}, line {number}: not valid JSON ({error.msg})") from None
            missing = [key for key in REQUIRED_KEYS if key not in record]
            if missing:
                raise ValueError(
                    f"{path}, line {number}: missing {missing}; each line needs {list(REQUIRED_KEYS)}"
                )
            records.append(record)
    return records


def completed_ids(path: str | Path) -> set[str]:
    """Ids already in a predictions file (empty when there is none); a torn last line is dropped."""
    path = Path(path)
    if not path.is_file():
        return set()
    _drop_torn_tail(path)
    return {str(record["id"]) for record in read_predictions(path)}


class PredictionWriter:
    """Appends records to predictions.jsonl and flushes after each batch, so a rerun can resume."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_file():
            _drop_torn_tail(self.path)
        self._handle = self.path.open("a", encoding="utf-8")

    def write_batch(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_predictions(path: str | Path, records: Iterable[PredictionRecord]) -> None:
    """Write a whole predictions file atomically (temporary path, then rename)."""
    with atomic_file(path) as temporary, temporary.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a write interrupted mid-line) so appending stays valid JSONL."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with path.open("r+b") as handle:
            handle.truncate(cut)
