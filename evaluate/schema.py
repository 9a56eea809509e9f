"""The shapes of an evaluation's files: one prediction record (predictions.jsonl) and results.json.

These TypedDicts are the contract with `productlens.reports`, which renders them; fields beyond the
documented ones are additions, never renames.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

RESULTS_SCHEMA_VERSION = 1


class ParsedFields(TypedDict):
    title: str | None
    category: str | None
    price: float | None


class Reference(TypedDict):
    title: str
    category1: str | None
    category2: str | None
    category3: str
    price: float  # the row's full_price
    currency: str | None
    oracle_price: float | None  # synthetic sets: the price before noise


class RowScores(TypedDict):
    """Per-sample scores; None means unscored (the field was not parsed), never a zero."""

    parsed: bool  # every field was read
    title_exact: int | None
    title_f1: float | None
    title_anls: float | None
    category3_correct: int | None
    price_abs_error: float | None
    price_ape: float | None  # |pred - true| / true, a fraction (0.1 = 10 %); None when true is 0
    price_log_error: float | None  # log1p(pred) - log1p(true), signed
    # additions
    title_chrf: NotRequired[float | None]
    category1_correct: NotRequired[int | None]
    category2_correct: NotRequired[int | None]


class PredictionRecord(TypedDict):
    id: str  # product_code
    generated: str
    parsed: ParsedFields
    parse_error: str | None
    reference: Reference
    scores: RowScores


class MetricValue(TypedDict):
    value: float | None  # None when no sample could be scored
    ci_low: float | None
    ci_high: float | None
    n: int  # samples scored
    higher_is_better: bool
    label: str


class Baseline(TypedDict):
    label: str
    metrics: dict[str, MetricValue]


class CategoryRow(TypedDict):
    n: int
    accuracy: float | None
    price_mdape: float | None


class Confusion(TypedDict):
    labels: list[str]  # rows: true categories; columns: the same labels then "(unparsed)"
    matrix: list[list[int]]
    columns: NotRequired[list[str]]  # addition: the column labels spelled out


class Provenance(TypedDict):
    model: str
    adapter: str | None
    data: str
    data_fingerprint: str
    split: str
    settings: dict
    versions: dict[str, str]
    created: str
    # additions
    training: NotRequired[dict]  # evaluate/run_context.training_context: the run's method, settings, curves
    prompt: NotRequired[dict]  # evaluate/run_context.prompt_context: the prompt style and its exact text


class Timings(TypedDict):
    generation_s: float | None
    scoring_s: float


class Results(TypedDict):
    schema: int
    name: str
    n: int
    metrics: dict[str, MetricValue]
    baselines: dict[str, Baseline]
    per_category: dict[str, CategoryRow]
    confusion: Confusion
    provenance: Provenance
    timings: Timings
    # additions
    currency: NotRequired[str | None]  # the one currency of the references' prices; None when mixed


class Difference(TypedDict):
    vs: str
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    n_shared: int


class Disagreement(TypedDict):
    id: str
    reference: Reference
    answers: dict[str, dict]  # run name -> {"generated": str, "scores": RowScores}


class Comparison(TypedDict):
    runs: list[Results]
    differences: dict[str, list[Difference]]
    disagreements: list[Disagreement]
