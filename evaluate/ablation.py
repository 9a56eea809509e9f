"""Image ablations: does the model read the photo? The same prompts with a blank image or another photo.

`evaluate --ablate blank,shuffle` (the default for local models) asks the model again about every
sample of the evaluation with

- blank: a plain white image of the photo's size, so only the prompt is left to answer from;
- shuffle: the photo of another sample of the split, from a fixed derangement seeded by --seed (no
  sample is ever shown its own photo).

Each ablation's answers are kept in `<eval>/ablation-<kind>/predictions.jsonl` beside their own
generation.json, so an interrupted run resumes and a changed model, set or seed generates them again.
They are scored like the real answers, on the same samples in the same order with the same resample
count and seed, so the bootstrap draws the same resamples for all: the paired difference real - ablated
of every metric gets its interval from the same resampled samples. A model reads the photo when the
difference in category3 accuracy (an unparsed answer counted as wrong) lies above 0 for every ablation. The shuffle also says whether answers
follow the photo they are shown: the share naming the category of the shuffled-in photo rather than
their own (among samples whose shuffled-in photo shows another category).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image
from productlens.core.category_labels import normalise_category
from productlens.core.results_schema import Ablation, AblationRun, Gap, PredictionRecord
from productlens.evaluate.aggregate import MetricSpec, estimate_metrics, scored_count
from productlens.evaluate.bootstrap import bootstrap, paired_difference
from productlens.evaluate.category_metrics import Hierarchy
from productlens.evaluate.openai_endpoint import Sample
from productlens.evaluate.predictions_io import PredictionWriter, completed_ids, read_predictions
from productlens.evaluate.weighted_stats import weighted_mean
from productlens.finetune.answer_format import PromptStyle

ABLATIONS = ("blank", "shuffle")
LABELS = {
    "blank": "a blank image of the same size",
    "shuffle": "another sample's photo",
}
PRIMARY_METRIC = "category3_accuracy_all"  # unparsed = wrong: both sides count every sample
BLANK_RGB = (255, 255, 255)

Generate = Callable[[list[Sample], PredictionWriter], None]
StartOrResume = Callable[[Path, dict], None]


def parse_ablate(text: str | None, source: str) -> tuple[str, ...]:
    """--ablate: None means blank,shuffle for a local model and none otherwise; `none` turns it off."""
    if text is None:
        return ABLATIONS if source == "model" else ()
    kinds = [part.strip().lower() for part in text.split(",") if part.strip()]
    if kinds == ["none"]:
        return ()
    unknown = [kind for kind in kinds if kind not in ABLATIONS]
    if unknown or not kinds:
        raise ValueError(
            f"--ablate: {', '.join(unknown) or repr(text)} is not an ablation; "
            f"use blank, shuffle, blank,shuffle or none"
        )
    if source == "predictions":
        raise ValueError("--ablate needs a model or an endpoint to ask; a predictions file cannot be ablated")
    return tuple(dict.fromkeys(kinds))


def derangement(n: int, seed: int) -> np.ndarray:
    """A permutation p of range(n) with p[i] != i for every i, fixed by the seed (uniform over derangements)."""
    if n < 2:
        raise ValueError(f"the shuffle ablation needs at least 2 samples to exchange photos; got {n}")
    rng = np.random.default_rng([seed, 0x5AFF1E])
    while True:  # a uniform permutation has no fixed point with probability ~1/e: ~3 draws on average
        permutation = rng.permutation(n)
        if not np.any(permutation == np.arange(n)):
            return permutation


def blank_image(photo: bytes, cache: dict[tuple[int, int], bytes] | None = None) -> bytes:
    """A white PNG of the photo's size (read from its header; the photo is not decoded)."""
    with Image.open(io.BytesIO(photo)) as image:
        size = image.size
    if cache is not None and size in cache:
        return cache[size]
    buffer = io.BytesIO()
    Image.new("RGB", size, BLANK_RGB).save(buffer, format="PNG")
    if cache is not None:
        cache[size] = buffer.getvalue()
    return buffer.getvalue()


def ablated_samples(kind: str, samples: Sequence[Sample], seed: int) -> tuple[list[Sample], dict[str, str]]:
    """The samples with their image replaced, and (shuffle) id -> the id whose photo it is shown."""
    if kind == "blank":
        cache: dict[tuple[int, int], bytes] = {}
        return [replace(sample, image=blank_image(sample.image, cache)) for sample in samples], {}
    permutation = derangement(len(samples), seed)
    donors = {sample.id: samples[int(j)].id for sample, j in zip(samples, permutation, strict=True)}
    return [
        replace(sample, image=samples[int(j)].image) for sample, j in zip(samples, permutation, strict=True)
    ], donors


def ablation_dir(out_dir: Path, kind: str) -> Path:
    return out_dir / f"ablation-{kind}"


class _ShownWriter:
    """Adds `image_of` (the id whose photo was shown) to each record: the file says what was asked."""

    def __init__(self, writer: PredictionWriter, donors: dict[str, str]) -> None:
        self.writer, self.donors = writer, donors

    def write_batch(self, records) -> None:
        self.writer.write_batch({**r, "image_of": self.donors.get(str(r["id"]))} for r in records)


def present_ablations(out_dir: Path) -> tuple[str, ...]:
    """The ablations whose answers are saved in an evaluation directory (for re-scoring without a model)."""
    return tuple(kind for kind in ABLATIONS if (ablation_dir(out_dir, kind) / "predictions.jsonl").is_file())


def generate_ablations(
    kinds: Sequence[str],
    samples: Sequence[Sample],
    out_dir: Path,
    identity: dict,
    seed: int,
    generate: Generate,
    start_or_resume: StartOrResume,
) -> None:
    """Answers for every ablation in `<out_dir>/ablation-<kind>/predictions.jsonl`, resumable."""
    ids_digest = hashlib.sha256("\n".join(sample.id for sample in samples).encode()).hexdigest()
    for kind in kinds:
        directory = ablation_dir(out_dir, kind)
        directory.mkdir(parents=True, exist_ok=True)
        # The shuffle pairs depend on the samples and their order: another list means other pairs.
        own = {**identity, "ablation": kind, "seed": seed} | (
            {"ids": ids_digest} if kind == "shuffle" else {}
        )
        start_or_resume(directory, own)
        changed, donors = ablated_samples(kind, samples, seed)
        done = completed_ids(directory / "predictions.jsonl")
        todo = [sample for sample in changed if sample.id not in done]
        with PredictionWriter(directory / "predictions.jsonl") as writer:
            generate(todo, _ShownWriter(writer, donors))  # type: ignore[arg-type]


def score_ablations(
    kinds: Sequence[str],
    real: Sequence[PredictionRecord],
    out_dir: Path,
    hierarchy: Hierarchy,
    style: PromptStyle | None,
    n_resamples: int,
    seed: int,
) -> Ablation:
    """results.json's `ablation`: per ablation its metrics and the paired differences real - ablated."""
    from productlens.evaluate.scoring import metric_specs, rescore_records  # scoring is above this module

    runs: dict[str, AblationRun] = {}
    real_specs = {spec.name: spec for spec in metric_specs(real)}
    for kind in kinds:
        saved = {str(r["id"]): r for r in read_predictions(ablation_dir(out_dir, kind) / "predictions.jsonl")}
        missing = [record["id"] for record in real if record["id"] not in saved]
        if missing:
            raise ValueError(
                f"{ablation_dir(out_dir, kind)} has no answer for {len(missing)} samples (e.g. {missing[0]}); "
                "run the same command again to generate them"
            )
        in_order = [saved[record["id"]] for record in real]
        donors = {str(r["id"]): str(donor) for r in in_order if (donor := r.get("image_of"))}
        ablated = rescore_records(in_order, hierarchy, style)
        runs[kind] = _score_run(kind, real, real_specs, ablated, donors, n_resamples, seed)
    verdicts = [run["reads_image"] for run in runs.values()]
    overall = False if False in verdicts else (None if None in verdicts or not verdicts else True)
    return Ablation(primary=PRIMARY_METRIC, seed=seed, runs=runs, reads_image=overall)


def _score_run(
    kind: str,
    real: Sequence[PredictionRecord],
    real_specs: dict[str, MetricSpec],
    ablated: list[PredictionRecord],
    donors: dict[str, str],
    n_resamples: int,
    seed: int,
) -> AblationRun:
    from productlens.evaluate.scoring import metric_specs

    n = len(real)
    specs = [spec for spec in metric_specs(ablated) if spec.name in real_specs]
    extra = _follow_specs(real, ablated, donors) if donors else []
    metrics = estimate_metrics(specs + extra, n, n_resamples, seed)
    # Same n, resamples and seed as the real run's scoring: the same resampled samples for both sides.
    estimates = bootstrap(
        {spec.name: paired_difference(real_specs[spec.name].statistic, spec.statistic) for spec in specs},
        n,
        n_resamples,
        seed,
    )
    differences = {
        name: Gap(delta=e.value, ci_low=e.ci_low, ci_high=e.ci_high) for name, e in estimates.items()
    }
    primary = differences.get(PRIMARY_METRIC)
    reads = None if primary is None or primary["ci_low"] is None else bool(primary["ci_low"] > 0)
    run = AblationRun(
        label=LABELS[kind],
        n=n,
        metrics={spec.name: metrics[spec.name] for spec in specs},
        differences=differences,
        reads_image=reads,
    )
    for spec in extra:
        run[spec.name] = metrics[spec.name]  # type: ignore[literal-required]
    return run


def _follow_specs(
    real: Sequence[PredictionRecord], ablated: Sequence[PredictionRecord], donors: dict[str, str]
) -> list[MetricSpec]:
    """Among samples shown a photo of another category: share naming the shown photo's, and their own."""
    truth = {record["id"]: normalise_category(record["reference"]["category3"]) for record in real}
    follows, keeps = [], []
    for record in ablated:
        own, shown = truth[record["id"]], truth.get(donors.get(record["id"], ""))
        predicted = record["parsed"]["category"]
        if shown is None or shown == own or predicted is None:
            follows.append(np.nan)
            keeps.append(np.nan)
            continue
        predicted = normalise_category(predicted)
        follows.append(float(predicted == shown))
        keeps.append(float(predicted == own))
    follows_column, keeps_column = np.array(follows), np.array(keeps)
    return [
        MetricSpec(
            "follows_image",
            "Answers naming the shown photo's category",
            True,
            weighted_mean(follows_column),
            scored_count(follows_column),
        ),
        MetricSpec(
            "keeps_own",
            "Answers naming their own sample's category",
            False,
            weighted_mean(keeps_column),
            scored_count(keeps_column),
        ),
    ]
