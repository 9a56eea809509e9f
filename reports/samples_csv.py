"""The samples as CSV, offered in the report as a download link that needs no network (a data: URL).

One row per prediction: the reference, the answer, the parsed fields, the per-sample scores and the
verdicts the gallery shows. Text cells that a spreadsheet would run as a formula (=, +, -, @ first)
get a leading apostrophe, so opening the file cannot execute anything a title or answer says.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from typing import Any

from productlens.core.results_schema import PredictionRecord
from productlens.reports.sample_view import field_verdicts, overall_verdict

REFERENCE_COLUMNS = ("title", "category1", "category2", "category3", "price", "currency", "oracle_price")
PARSED_COLUMNS = ("title", "category", "price")
SCORE_COLUMNS = (
    "title_exact",
    "title_f1",
    "category3_correct",
    "price_abs_error",
    "price_ape",
    "price_log_error",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Any) -> str:
    return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


def samples_csv(predictions: Sequence[PredictionRecord]) -> str:
    """The CSV text: a header row, then one row per record in the given order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "id",
            *(f"true_{c}" for c in REFERENCE_COLUMNS),
            "generated",
            *(f"predicted_{c}" for c in PARSED_COLUMNS),
            "parse_error",
            *SCORE_COLUMNS,
            "title_verdict",
            "category_verdict",
            "price_verdict",
            "overall",
        ]
    )
    for record in predictions:
        reference, parsed, scores = record["reference"], record["parsed"], record["scores"]
        verdicts = field_verdicts(record)
        writer.writerow(
            [
                _text(record["id"]),
                *(
                    _number(reference[c]) if c in ("price", "oracle_price") else _text(reference[c])
                    for c in REFERENCE_COLUMNS
                ),
                _text(record["generated"]),
                _text(parsed["title"]),
                _text(parsed["category"]),
                _number(parsed["price"]),
                _text(record["parse_error"]),
                *(_number(scores[c]) for c in SCORE_COLUMNS),
                *(str(verdicts[field]) for field in ("title", "category", "price")),
                overall_verdict(verdicts),
            ]
        )
    return buffer.getvalue()


def samples_csv_url(predictions: Sequence[PredictionRecord]) -> str:
    """The whole CSV as a data: URL for an <a download> (UTF-8 with a BOM, so spreadsheets read the accents)."""
    payload = base64.b64encode(("\ufeff" + samples_csv(predictions)).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{payload}"
