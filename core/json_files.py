"""JSON files: read one with an error that names it, write one atomically (one place for both).

Every JSON document the stages hand on (manifest.json, run.json, results.json, ...) is written by
`write_json`: `json.dumps` with the caller's formatting plus a final newline, through `atomic_write_text`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from productlens.core.atomic_writes import atomic_write_text


def write_json(
    path: str | os.PathLike[str],
    data: Any,
    *,
    indent: int | None = 2,
    sort_keys: bool = False,
    ensure_ascii: bool = True,
    allow_nan: bool = True,
    default: Callable[[Any], Any] | None = None,
) -> None:
    """Write `data` as JSON (then a newline) to `path` atomically; the options are `json.dumps`'s."""
    text = json.dumps(
        data,
        indent=indent,
        sort_keys=sort_keys,
        ensure_ascii=ensure_ascii,
        allow_nan=allow_nan,
        default=default,
    )
    atomic_write_text(path, text + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """The JSON document in `path`; a ValueError naming the file and the position when it is not JSON."""
    file = Path(path)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{file} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from error
