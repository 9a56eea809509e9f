"""One prediction record as a reader sees it: a verdict per field and how bad the answer is overall.

Only reads the per-sample scores that scoring wrote into predictions.jsonl; nothing is re-scored.
Each verdict carries a symbol and a word, so its meaning survives without colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from productlens.core.results_schema import DisagreementAnswer, PredictionRecord

Answer = PredictionRecord | DisagreementAnswer  # a compare answer has the scores, not the parsed fields

Level = Literal["good", "partial", "bad", "missing"]
FIELDS = ("title", "category", "price")

# An answer counts as right on price within this relative error, as partly right within the second.
PRICE_GOOD_APE = 0.10
PRICE_PARTIAL_APE = 0.25

SYMBOLS: dict[Level, str] = {"good": "✓", "partial": "≈", "bad": "✗", "missing": "—"}


@dataclass(frozen=True)
class FieldVerdict:
    level: Level
    text: str  # e.g. "exact", "F1 0.67", "+12.0%", "unparsed"

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.level]

    def __str__(self) -> str:
        return f"{self.symbol} {self.text}"


def _unparsed(record: Answer, field: Literal["title", "category", "price"]) -> bool:
    """The parsed field is None; a compare answer carries only scores, whose None then says it."""
    return "parsed" in record and record["parsed"][field] is None


def title_verdict(record: Answer) -> FieldVerdict:
    scores = record["scores"]
    f1 = scores["title_f1"]
    if _unparsed(record, "title") or f1 is None:
        return FieldVerdict("missing", "unparsed")
    if scores["title_exact"] == 1:
        return FieldVerdict("good", "exact")
    return FieldVerdict("partial" if f1 >= 0.5 else "bad", f"F1 {f1:.2f}")


def category_verdict(record: Answer) -> FieldVerdict:
    correct = record["scores"]["category3_correct"]
    if _unparsed(record, "category") or correct is None:
        return FieldVerdict("missing", "unparsed")
    return FieldVerdict("good", "right") if correct == 1 else FieldVerdict("bad", "wrong")


def price_verdict(record: Answer) -> FieldVerdict:
    ape = record["scores"]["price_ape"]
    if _unparsed(record, "price") or (ape is None and record["scores"]["price_abs_error"] is None):
        return FieldVerdict("missing", "unparsed")
    if ape is None:
        return FieldVerdict("partial", "no reference")
    signed = signed_price_error(record)
    text = f"{signed * 100:+.1f}%" if signed is not None else f"{ape * 100:.1f}% off"
    if ape <= PRICE_GOOD_APE:
        return FieldVerdict("good", text)
    return FieldVerdict("partial" if ape <= PRICE_PARTIAL_APE else "bad", text)


def field_verdicts(record: Answer) -> dict[str, FieldVerdict]:
    """title, category and price verdicts of one record."""
    return {
        "title": title_verdict(record),
        "category": category_verdict(record),
        "price": price_verdict(record),
    }


def signed_price_error(record: Answer) -> float | None:
    """(predicted - true) / true, for showing the direction of a miss; None when unparsed or true is 0
    (and for a compare answer, which has no parsed price)."""
    if "parsed" not in record:
        return None
    predicted, true = record["parsed"]["price"], record["reference"]["price"]
    if predicted is None or not true:
        return None
    return (predicted - true) / true


Overall = Literal["right", "close", "wrong", "unparsed"]
# How the summary badge names each level, in the order its counts are written.
LEVEL_WORDS: dict[Level, str] = {"good": "right", "partial": "close", "bad": "wrong", "missing": "unparsed"}


def overall_verdict(verdicts: Mapping[str, FieldVerdict]) -> Overall:
    """unparsed: some field could not be read; wrong: some field wrong; close: every field right or
    close (a title F1 of 0.92 beside the right category and price is close, not wrong); right: all right."""
    levels = {verdict.level for verdict in verdicts.values()}
    if "missing" in levels:
        return "unparsed"
    if "bad" in levels:
        return "wrong"
    return "right" if levels == {"good"} else "close"


def verdict_counts(verdicts: Mapping[str, FieldVerdict]) -> str:
    """The fields counted by verdict, e.g. `2 right · 1 close` (what the summary badge says)."""
    counts: dict[Level, int] = dict.fromkeys(LEVEL_WORDS, 0)
    for verdict in verdicts.values():
        counts[verdict.level] += 1
    return " · ".join(f"{count} {LEVEL_WORDS[level]}" for level, count in counts.items() if count)


def sample_flags(record: PredictionRecord) -> list[str]:
    """Tags the gallery filters on: the overall verdict plus which fields missed."""
    verdicts = field_verdicts(record)
    flags = [overall_verdict(verdicts)]
    for field, verdict in verdicts.items():
        if verdict.level in ("bad", "missing"):
            flags.append(f"{field}-miss")
    return flags


def badness(record: PredictionRecord) -> float:
    """0 (every field right) to 1 (nothing usable): the mean over the three fields of a miss in [0, 1].

    An unparsed field counts as a full miss; price misses grow with the relative error up to 100 %.
    """
    scores = record["scores"]
    category, title, ape = scores["category3_correct"], scores["title_f1"], scores["price_ape"]
    parts = [
        1.0 if category is None else 1.0 - float(category),
        1.0 if title is None else 1.0 - float(title),
        1.0 if ape is None else min(1.0, float(ape)),
    ]
    return sum(parts) / len(parts)


def worst_records(
    records: Iterable[PredictionRecord], limit: int, max_unparsed: int | None = None
) -> list[PredictionRecord]:
    """The `limit` records with the highest badness (ties by id), worst first; at most `max_unparsed`
    of them with an unparsed field, so the parsed misses are seen too."""
    ranked = sorted(records, key=lambda record: (-badness(record), record["id"]))
    chosen: list[PredictionRecord] = []
    unparsed = 0
    for record in ranked:
        if len(chosen) >= limit:
            break
        if max_unparsed is not None and overall_verdict(field_verdicts(record)) == "unparsed":
            if unparsed >= max_unparsed:
                continue
            unparsed += 1
        chosen.append(record)
    return chosen
