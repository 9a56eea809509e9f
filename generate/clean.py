"""Cleaning rules for imported catalogue values: prices, categories, column mappings, missing markers.

The rules, in the order a value meets them:

- Missing: None, NaN, an empty string and the markers in `NA_MARKERS` (the DBQ datasets write
  `N.A.`) are missing values.
- Prices (`parse_price`): currency symbols and codes ($, €, £, USD, EUR...), spaces (also
  non-breaking and thin ones) and apostrophes are removed, and the rest is read by
  core/number_text.py with `lone_mark="thousands"` and strict groups: when both `,` and `.` occur,
  the one further right is the decimal mark (`1,290.50`, `1.290,50`); a lone `,` or `.` followed by
  exactly three digits after one to three digits (possibly repeated: `1,290,000`) is a thousands
  separator, also in `0.125` (125: catalogues write whole prices); otherwise it is the decimal mark
  (`12,5` -> 12.5). A missing, zero, negative or unreadable price is not a price (`None`), never 0.
- Categories (`clean_category`): stripped and upper-cased (the DBQ codes are upper case); a missing
  category is kept as `N.A.` (its own value) unless `na_category` maps it to another value.
- Other text: stripped; a missing value becomes `N.A.` for the DBQ text columns.
- Only scalars (`value_problem`): a cell holding a nested value (a JSON object or list, a Parquet
  struct) or text that is not valid Unicode is a `bad_value` failure, never stored as a Python repr;
  a title, category or product code longer than `MAX_CHARS` says is a `too_long` failure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from productlens.core.number_text import read_number

NA_MARKERS = frozenset({"", "n.a.", "n.a", "na", "n/a", "nan", "none", "null", "-"})
NA_VALUE = "N.A."

# Codes stand apart from letters but may touch digits: `USD890`, `890EUR` and `USD 890` all read.
_CURRENCY = re.compile(
    r"(?i)(?<![a-z])(?:usd|eur|gbp|chf|jpy|cny|rmb|aud|cad|hkd|sgd|krw|us)(?![a-z])|[$€£¥₩₹₽¤]"
)
# The longest text accepted per column, in characters (after spaces are collapsed). Real catalogue titles
# run to about 150 characters; a longer one is scraped page text, and one 51,000-character title becomes
# 24,000 tokens: enough to make fine-tuning allocate tens of GB for a single batch.
MAX_CHARS = {
    "title": 300,
    "category1_code": 100,
    "category2_code": 100,
    "category3_code": 100,
    "product_code": 100,
}
MAX_OTHER_CHARS = 4096  # URLs, names, dates
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']+")


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA and the text markers of a missing value (`N.A.`, empty...)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip().lower() in NA_MARKERS
    try:  # pandas.NA and numpy NaN-likes
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def parse_price(value: Any) -> float | None:
    """A positive price from a number or text such as `$1,290.00`, `1.290,50 €`, `USD 890`; else None."""
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _SPACES.sub("", _CURRENCY.sub("", str(value)))
        text = text.lstrip("+")
        read = read_number(text, lone_mark="thousands", strict_groups=True)
        if read is None:
            return None
        number = read
    if not math.isfinite(number) or number <= 0:
        return None
    return number


def clean_text(value: Any) -> str:
    """A stripped string; a missing value becomes `N.A.`."""
    if is_missing(value):
        return NA_VALUE
    return " ".join(str(value).split())


def clean_category(value: Any, na_category: str | None = None) -> str:
    """An upper-case category code; a missing one is `N.A.` or `na_category` when given."""
    if is_missing(value):
        return na_category if na_category else NA_VALUE
    return " ".join(str(value).split()).upper()


def clean_code(value: Any) -> str | None:
    """A product code as text (`80669601.0` read by pandas as a float becomes `80669601`); None if missing."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_flag(value: Any) -> int | None:
    """0/1 from 0, 1, true/false, yes/no; None when missing or unreadable."""
    if is_missing(value):
        return None
    text = str(value).strip().lower()
    if text in {"1", "1.0", "true", "yes", "y", "t"}:
        return 1
    if text in {"0", "0.0", "false", "no", "n", "f"}:
        return 0
    return None


def parse_mapping(text: str | None) -> dict[str, str]:
    """`title=name,full_price=price` -> {"title": "name", "full_price": "price"} (ours = theirs).

    Raises ValueError naming the bad pair when a pair is not `column=source_column`.
    """
    mapping: dict[str, str] = {}
    if not text:
        return mapping
    for pair in text.split(","):
        pair = pair.strip()
        if not pair:
            continue
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise ValueError(
                f"--map expects pairs like title=name,full_price=price (our column=your column); got {pair!r}"
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def value_problem(column: str, value: Any) -> str | None:
    """Why a source cell cannot be stored as text or a number (a `bad_value` detail), or None when it can."""
    if isinstance(value, Mapping | list | tuple | set | frozenset | np.ndarray):
        shown = repr(value if not isinstance(value, np.ndarray) else value.tolist())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"{column} is a nested value ({shown}); only text and numbers are read"
    if isinstance(value, bytes | bytearray):
        return f"{column} holds {len(value):,} bytes, not text"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{column} holds characters that are not valid Unicode (a lone surrogate)"
    return None


def length_problem(column: str, text: str) -> str | None:
    """Why a cleaned text is too long (a `too_long` detail), or None."""
    limit = MAX_CHARS.get(column, MAX_OTHER_CHARS)
    if len(text) > limit:
        return f"{column} has {len(text):,} characters, more than {limit:,}"
    return None
