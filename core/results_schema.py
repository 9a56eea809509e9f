"""The shapes of an evaluation's files: a prediction record (a predictions.jsonl line), results.json
and compare.json.

One definition for both sides: `productlens.evaluate` fills these TypedDicts and writes them,
`productlens.reports` reads them and indexes the required keys directly. A key marked NotRequired is
absent when its data is (no --holdout, no ablation, a run without training history); fields beyond the
documented ones are additions, never renames.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

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
    # additions
    # synthetic sets: colour, material, pattern, hardware, size
    attributes: NotRequired[dict[str, str | None]]
    combination_seen: NotRequired[bool]  # sets made with --holdout: False for a held-out combination


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
    title_chrf: float | None
    category1_correct: int | None
    category2_correct: int | None
    price_smape: float | None  # 2 |pred - true| / (|pred| + |true|), a fraction from 0 to 2


class SampleUsage(TypedDict):
    """Tokens and time of one generated answer; None where the source does not say."""

    prompt_tokens: int | None  # tokenizer count (local model) or the server's usage.prompt_tokens
    generated_tokens: int | None  # up to and including the stop token; the server's usage.completion_tokens
    seconds: float  # the batch's wall time divided by its samples


class PredictionRecord(TypedDict):
    id: str  # product_code
    generated: str
    parsed: ParsedFields
    parse_error: str | None
    reference: Reference
    scores: RowScores
    usage: NotRequired[SampleUsage]  # addition: what generating this answer cost (absent: not recorded)
    image_of: NotRequired[str | None]  # ablation runs only: the id whose photo was shown (ablation.py)


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
    columns: list[str]  # the column labels spelled out


class LossPoint(TypedDict):
    step: int
    loss: float


class TrainingContext(TypedDict):
    """evaluate/run_context.training_context: what run.json says about how the evaluated run was trained.

    The run.json facts (method, base_model, train_samples, ...) are copied where the run has them."""

    run: str
    config: dict[str, Any]  # the training settings a reader asks for (learning_rate, epochs, lora_r, ...)
    loss_history: list[LossPoint]  # thinned to at most 400 points
    eval_history: list[dict[str, float]]  # step, val_parse_rate, val_category3_accuracy, val_n
    method: NotRequired[str]
    base_model: NotRequired[str]
    data: NotRequired[str]
    data_fingerprint: NotRequired[str]
    train_samples: NotRequired[int]
    global_step: NotRequired[int]
    precision: NotRequired[str]
    world_size: NotRequired[int]
    train_loss: NotRequired[float]
    train_runtime_s: NotRequired[float]
    resumed_from: NotRequired[str]
    prompt_style: NotRequired[str]
    created: NotRequired[str]
    command: NotRequired[str]


class PromptContext(TypedDict):
    """evaluate/run_context.prompt_context: the prompt style's fields and the user turn as the model saw it."""

    name: str
    question: str
    prompt_template: str
    answer_template: str
    prompt: str
    used_for: str  # "generation and parsing" or "parsing the saved answers"


class Provenance(TypedDict):
    model: str
    adapter: str | None
    data: str
    data_fingerprint: str
    split: str
    settings: dict[str, Any]
    versions: dict[str, str]
    created: str
    training: NotRequired[TrainingContext]  # a finished run was evaluated (not a hub model or a server)
    prompt: NotRequired[PromptContext]  # written by `evaluate`; absent from score_predictions' default


class Timings(TypedDict):
    generation_s: float | None
    scoring_s: float


class GroupMetrics(TypedDict):
    n: int
    metrics: dict[str, MetricValue]


class Gap(TypedDict):
    delta: float | None  # a - b (seen - unseen, or real - ablated)
    ci_low: float | None
    ci_high: float | None


class CombinationBreakdown(TypedDict):
    """Sets made with --holdout: metrics on seen and unseen attribute combinations, and their gap."""

    seen: GroupMetrics | None
    unseen: GroupMetrics | None
    gap: dict[str, Gap]  # key metrics: seen - unseen with its 95 % bootstrap interval


class AttributeBreakdown(TypedDict):
    label: str
    overall: MetricValue  # the attribute's word in the predicted title is the right one
    by_value: dict[str, MetricValue]


class AblationRun(TypedDict):
    """The same prompts with another image: its metrics and the paired difference real - ablated."""

    label: str  # what the model was shown instead of the photo
    n: int
    metrics: dict[str, MetricValue]
    differences: dict[str, Gap]  # per metric: real - ablated, paired (same resampled samples)
    reads_image: bool | None  # the primary metric's difference interval lies above 0 (None: no interval)
    follows_image: NotRequired[MetricValue]  # shuffle: answers naming the shown photo's category3
    keeps_own: NotRequired[MetricValue]  # shuffle: answers naming their own sample's category3


class Ablation(TypedDict):
    primary: str  # the metric the verdict reads, category3_accuracy
    seed: int  # the derangement's seed (--seed)
    runs: dict[str, AblationRun]  # "blank", "shuffle"
    reads_image: bool | None  # every run's primary difference lies above 0


class PriceBand(TypedDict):
    name: str  # q1 (cheapest) .. q5
    label: str  # the true-price range, e.g. "250-480"
    low: float | None  # exclusive; None for the first band
    high: float | None  # inclusive; None for the last band
    n: int  # samples of the evaluation in the band
    metrics: dict[str, MetricValue]  # every price metric, on the band's samples


class PriceBands(TypedDict):
    edges: list[float]  # quintiles of full_price in the training split
    bands: list[PriceBand]


class Cost(TypedDict):
    """What generating the answers took; every field None (and `absent` set) where nothing was generated."""

    source: str  # "model", "endpoint" or "predictions"
    absent: str | None  # why there are no figures (a predictions file), else None
    samples: int  # answers with a usage record
    wall_s: float | None  # generation time of those answers, summed over resumed runs
    samples_per_s: float | None
    prompt_tokens_per_sample: float | None
    generated_tokens_per_sample: float | None
    tokens_from: str | None  # "tokenizer" or "server usage"
    device: str | None
    dtype: str | None
    batch_size: int | None  # samples per batch (model) or requests in flight (endpoint)
    peak_memory_gb: float | None  # peak accelerator memory allocated; None on a CPU or behind an endpoint


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
    currency: str | None  # the one currency of the references' prices; None when mixed
    combinations: NotRequired[CombinationBreakdown]  # sets made with --holdout
    attributes: NotRequired[
        dict[str, AttributeBreakdown]
    ]  # synthetic sets (their references carry attributes)
    ablation: NotRequired[Ablation]  # evaluate --ablate
    price_bands: NotRequired[PriceBands]  # the training prices gave quintile edges
    cost: NotRequired[Cost]  # written by `evaluate`; absent from score_predictions' results


class Difference(TypedDict):
    vs: str
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    n_shared: int
    # additions: the paired test (see evaluate/paired_tests.py)
    test: NotRequired[str]  # "mcnemar" or "bootstrap"
    p_value: NotRequired[float | None]
    p_holm: NotRequired[float | None]  # Holm-adjusted across the metrics of this pair of runs
    significant: NotRequired[bool]  # p_holm < 0.05
    identical: NotRequired[bool]  # every shared sample scored the same for this metric


class DisagreementAnswer(TypedDict):
    generated: str
    scores: RowScores


class Disagreement(TypedDict):
    id: str
    reference: Reference
    answers: dict[str, DisagreementAnswer]  # run name -> its answer; a run without this sample is absent


class CompareResult(TypedDict):
    """compare.json, what `evaluate compare` writes and the comparison report renders."""

    runs: list[Results]  # each evaluation's results.json, `name` made unique
    differences: dict[str, list[Difference]]  # metric -> one difference per run after the first
    disagreements: list[Disagreement]  # the shared samples whose answers differ most in quality, worst first
