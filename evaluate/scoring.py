"""Scoring: predictions (records or a predictions.jsonl) + training-split stats -> results.json.

Pure functions: no model, no printing, no files written. Every record is re-parsed from its raw
`generated` text and re-scored against its `reference`, so a saved evaluation can be re-scored
after the parser or a metric changes. A field that cannot be parsed is unscored (None), never 0;
parse rates and the "(unparsed = miss)" variants say how much that matters.
"""

from __future__ import annotations

import math
import operator
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple, TypedDict

import numpy as np
from productlens.core.category_labels import normalise_category
from productlens.core.package_versions import package_versions
from productlens.core.results_schema import (
    RESULTS_SCHEMA_VERSION,
    Baseline,
    CategoryRow,
    ParsedFields,
    PredictionRecord,
    Provenance,
    Reference,
    Results,
    RowScores,
)
from productlens.evaluate.aggregate import MetricSpec, estimate_metrics, scored_count
from productlens.evaluate.baselines import baseline_specs
from productlens.evaluate.category_metrics import (
    Hierarchy,
    category_scores,
    category_specs,
    confusion_matrix,
)
from productlens.evaluate.groups import breakdowns
from productlens.evaluate.parallel_scoring import collector_paused, score_rows
from productlens.evaluate.predictions_io import read_predictions
from productlens.evaluate.price_bands import price_band_specs, price_bands_result
from productlens.evaluate.price_metrics import price_specs, sample_smape
from productlens.evaluate.title_metrics import chrf_many, title_scores, title_specs
from productlens.evaluate.training_stats import TrainingStats
from productlens.evaluate.weighted_stats import weighted_mean
from productlens.finetune.answer_format import PromptStyle, parse_answer


class ScoredEvaluation(NamedTuple):
    results: Results
    records: list[PredictionRecord]  # re-parsed and re-scored, in input order


def score_record(
    sample_id: str,
    generated: str,
    reference: Reference,
    hierarchy: Hierarchy,
    style: PromptStyle | None = None,
    with_chrf: bool = True,
) -> PredictionRecord:
    """Parse one generated answer and score each field against the reference.

    with_chrf=False leaves title_chrf None; `score_records` fills it for many records at once.
    """
    parsed = parse_answer(generated, style)
    scores = RowScores(
        parsed=parsed.error is None,
        **title_scores(parsed.title, reference["title"], with_chrf),
        **category_scores(
            parsed.category,
            reference["category3"],
            reference.get("category1"),
            reference.get("category2"),
            hierarchy,
        ),
        **_price_scores(parsed.price, reference["price"]),
    )
    return PredictionRecord(
        id=str(sample_id),
        generated=generated,
        parsed=ParsedFields(title=parsed.title, category=parsed.category, price=parsed.price),
        parse_error=parsed.error,
        reference=reference,
        scores=scores,
    )


def score_records(
    rows: Sequence[tuple[str, str, Reference]], hierarchy: Hierarchy, style: PromptStyle | None = None
) -> list:
    """score_record over (id, generated, reference) rows in this process, chrF of all titles at once."""
    records = [score_record(*row, hierarchy, style, with_chrf=False) for row in rows]
    titled = [(record, title) for record in records if (title := record["parsed"]["title"]) is not None]
    values = chrf_many([title for _, title in titled], [record["reference"]["title"] for record, _ in titled])
    for (record, _), value in zip(titled, values.tolist(), strict=True):
        record["scores"]["title_chrf"] = value
    return records


def rescore_records(
    records: Sequence[PredictionRecord], hierarchy: Hierarchy, style: PromptStyle | None = None
) -> list[PredictionRecord]:
    with collector_paused():
        rows = [(r["id"], r["generated"], r["reference"]) for r in records]
    rescored = score_rows(rows, hierarchy, style)
    for old, new in zip(records, rescored, strict=True):
        if "usage" in old:  # what the answer cost to generate stays with it
            new["usage"] = old["usage"]
    return rescored


def evaluate_records(
    predictions: Sequence[PredictionRecord] | str | Path,
    stats: TrainingStats,
    *,
    name: str = "evaluation",
    provenance: Provenance | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    generation_s: float | None = None,
    style: PromptStyle | None = None,
) -> ScoredEvaluation:
    """Re-score every record and aggregate: metrics with 95 % CIs, baselines, per category, confusion."""
    started = time.perf_counter()
    if isinstance(predictions, str | Path):
        predictions = read_predictions(predictions)
    _check_unique_ids(predictions)
    records = rescore_records(predictions, stats.hierarchy, style)
    n = len(records)

    with collector_paused():
        column = _columns(records)
    references = [r["reference"] for r in records]
    true_category3 = [ref["category3"] for ref in references]
    predicted_category3 = [r["parsed"]["category"] for r in records]
    specs = metric_specs(records, column)
    baselines = baseline_specs(
        true_price=np.array([ref["price"] for ref in references], dtype=np.float64),
        true_category3=true_category3,
        true_category1=[ref.get("category1") for ref in references],
        true_category2=[ref.get("category2") for ref in references],
        oracle_price=np.array(
            [_nan_if_none(ref.get("oracle_price")) for ref in references], dtype=np.float64
        ),
        stats=stats,
    )
    # One joint bootstrap for the model and every baseline: the same resampled samples throughout.
    joint = list(specs)
    for baseline, (_, baseline_metric_specs) in baselines.items():
        joint += [replace(spec, name=f"{baseline}/{spec.name}") for spec in baseline_metric_specs]
    joint += price_band_specs(column, references, stats.price_quintiles)
    estimates = estimate_metrics(joint, n, n_resamples, seed)
    metrics = {spec.name: estimates[spec.name] for spec in specs}
    baseline_results = {
        baseline: Baseline(
            label=label,
            metrics={spec.name: estimates[f"{baseline}/{spec.name}"] for spec in baseline_metric_specs},
        )
        for baseline, (label, baseline_metric_specs) in baselines.items()
    }
    currencies = {ref.get("currency") for ref in references}  # a hand-written file may omit it
    results = Results(
        schema=RESULTS_SCHEMA_VERSION,
        name=name,
        n=n,
        metrics=metrics,
        baselines=baseline_results,
        per_category=_per_category(true_category3, column),
        confusion=confusion_matrix(true_category3, predicted_category3),
        provenance=provenance or default_provenance(),
        timings={"generation_s": generation_s, "scoring_s": 0.0},
        currency=currencies.pop() if len(currencies) == 1 else None,  # None when the prices mix currencies
    )
    results.update(breakdowns(records, n_resamples, seed))  # type: ignore[typeddict-item]
    bands = price_bands_result(estimates, references, stats.price_quintiles)
    if bands is not None:
        results["price_bands"] = bands
    results["timings"]["scoring_s"] = round(time.perf_counter() - started, 4)
    return ScoredEvaluation(results, records)


def metric_specs(
    records: Sequence[PredictionRecord], column: dict[str, np.ndarray] | None = None
) -> list[MetricSpec]:
    """Every model metric over scored records (parse rates, category, price, title), in report order."""
    column = column if column is not None else _columns(records)
    n = len(records)
    true_category3 = [r["reference"]["category3"] for r in records]
    predicted_category3 = [r["parsed"]["category"] for r in records]
    return [
        MetricSpec("parse_rate", "Answers fully parsed", True, weighted_mean(column["parsed"]), n),
        *(
            MetricSpec(
                f"{field}_parse_rate", f"{label} parsed", True, weighted_mean(column[f"{field}_parsed"]), n
            )
            for field, label in (("title", "Title"), ("category", "Category"), ("price", "Price"))
        ),
        *category_specs(column, true_category3, predicted_category3),
        *price_specs(
            column["price_abs_error"],
            column["price_ape"],
            column["price_log_error"],
            column["price_parsed"],
            smape=column["price_smape"],
        ),
        *title_specs(column, column["title_parsed"]),
    ]


def score_predictions(
    predictions: Sequence[PredictionRecord] | str | Path, stats: TrainingStats, **options
) -> Results:
    """The results.json dict for predictions (records or a predictions.jsonl path); see evaluate_records."""
    return evaluate_records(predictions, stats, **options).results


def default_provenance(**fields) -> Provenance:
    """Provenance with package versions and the time filled in; `fields` override the rest."""
    provenance = Provenance(
        model="unknown",
        adapter=None,
        data="",
        data_fingerprint="",
        split="",
        settings={},
        versions=package_versions(),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    provenance.update(fields)  # type: ignore[typeddict-item]
    return provenance


class PriceScores(TypedDict):
    """The price part of a RowScores (core/results_schema.py)."""

    price_abs_error: float | None
    price_ape: float | None
    price_log_error: float | None
    price_smape: float | None


def _price_scores(predicted: float | None, true: float) -> PriceScores:
    if predicted is None:
        return {"price_abs_error": None, "price_ape": None, "price_log_error": None, "price_smape": None}
    abs_error = abs(predicted - true)
    return {
        "price_abs_error": abs_error,
        "price_ape": abs_error / true if true > 0 else None,
        "price_log_error": math.log1p(predicted) - math.log1p(true),
        "price_smape": sample_smape(predicted, true),
    }


_SCORE_COLUMNS = (
    "title_exact",
    "title_f1",
    "title_anls",
    "title_chrf",
    "category3_correct",
    "category1_correct",
    "category2_correct",
    "price_abs_error",
    "price_ape",
    "price_log_error",
    "price_smape",
)


def _columns(records: Sequence[PredictionRecord]) -> dict[str, np.ndarray]:
    """Per-sample score columns as float arrays, NaN where unscored."""
    all_scores = [r["scores"] for r in records]
    row = operator.itemgetter("parsed", *_SCORE_COLUMNS)
    try:  # one tuple per record; numpy reads None as NaN in a float64 array
        table = np.array([row(scores) for scores in all_scores], dtype=np.float64)
    except KeyError:  # scores written without some of the columns
        table = np.array(
            [[scores.get(name) for name in ("parsed", *_SCORE_COLUMNS)] for scores in all_scores],
            dtype=np.float64,
        )
    table = np.ascontiguousarray(table.reshape(len(records), len(_SCORE_COLUMNS) + 1).T)
    columns: dict[str, np.ndarray] = dict(zip(_SCORE_COLUMNS, table[1:], strict=True))
    columns["parsed"] = table[0]
    fields = operator.itemgetter("title", "category", "price")
    parsed = np.array([fields(r["parsed"]) for r in records], dtype=object).reshape(len(records), 3)
    for i, field in enumerate(("title", "category", "price")):
        # numpy's stub takes no None; an object array compares with it element by element
        read = np.not_equal(parsed[:, i], None)  # pyright: ignore[reportCallIssue, reportArgumentType]
        columns[f"{field}_parsed"] = read.astype(np.float64)
    return columns


def _per_category(true_category3: list[str], column: dict[str, np.ndarray]) -> dict[str, CategoryRow]:
    groups: dict[str, list[int]] = {}
    for i, category in enumerate(true_category3):
        groups.setdefault(category, []).append(i)
    rows = {}
    for category in sorted(groups, key=normalise_category):
        index = np.array(groups[category])
        correct = column["category3_correct"][index]
        ape = column["price_ape"][index]
        rows[category] = CategoryRow(
            n=len(index),
            accuracy=float(np.nanmean(correct)) if scored_count(correct) else None,
            price_mdape=float(np.nanmedian(ape)) if scored_count(ape) else None,
        )
    return rows


def _check_unique_ids(records: Sequence[PredictionRecord]) -> None:
    if len({str(record["id"]) for record in records}) == len(records):
        return
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        key = str(record["id"])
        if key in seen:
            raise ValueError(
                f"prediction {number}: id {key!r} appears twice; ids (product_code) must be unique"
            )
        seen.add(key)


def _nan_if_none(value: float | None) -> float:
    return np.nan if value is None else value
