"""One evaluation, start to end: get predictions (file, server or model), score them, write evals/<name>/.

Predictions are written first (appended and flushed per batch, so a rerun resumes), then scored by
the pure `scoring.evaluate_records`; the directory ends up with

    predictions.jsonl     re-scored records, one per sample of the split
    results.json          metrics with CIs, baselines, per category, confusion, provenance, timings
    training_stats.json   what the baselines used, so the evaluation can be re-scored without the set
    generation.json       what produced the predictions (model, data, settings): a rerun resumes only when
                          it matches, so retraining and evaluating again never reuses stale answers
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from productlens.core.atomic_writes import removed_on_failure
from productlens.core.json_files import read_json, write_json
from productlens.core.results_schema import PredictionRecord, Results
from productlens.evaluate.ablation import (
    generate_ablations,
    parse_ablate,
    present_ablations,
    score_ablations,
)
from productlens.evaluate.cost import HardwareRecorder, previous_hardware, summarise_cost
from productlens.evaluate.generation_time import total_generation_s
from productlens.evaluate.model_predictions import generate_predictions_with_model
from productlens.evaluate.openai_endpoint import EndpointConfig, Sample, generate_with_endpoint
from productlens.evaluate.predictions_io import (
    PredictionWriter,
    completed_ids,
    read_predictions,
    reference_from_row,
    write_predictions,
)
from productlens.evaluate.regenerate_ids import check_ids_in_split, drop_answers, parse_id_list
from productlens.evaluate.run_context import prompt_context, training_context
from productlens.evaluate.scoring import default_provenance, evaluate_records
from productlens.evaluate.subset import named_for_subset, refuse_shrinking
from productlens.evaluate.training_stats import TrainingStats
from productlens.evaluate.zero_shot import style_for_set
from productlens.finetune.answer_format import PresetName, PromptStyle
from productlens.finetune.trained import resolve_prompt_style

Source = Literal["predictions", "endpoint", "model"]
PREDICTIONS_FILE = "predictions.jsonl"
RESULTS_FILE = "results.json"
STATS_FILE = "training_stats.json"
GENERATION_FILE = "generation.json"


@dataclass
class EvaluateConfig:
    """Settings of one evaluation; exactly one prediction source (predictions, endpoint, or run/model)."""

    data: Path = field(default=Path("data/products"), metadata={"help": "Sample set directory."})
    split: str = field(default="test", metadata={"help": "Split to evaluate on."})
    out: Path | None = field(
        default=None,
        metadata={"help": "Output directory.", "path": {"file_okay": False}, "default_text": "evals/<name>"},
    )
    name: str | None = field(
        default=None,
        metadata={"help": "Evaluation name.", "default_text": "from the run, model or file"},
    )
    predictions: Path | None = field(
        default=None,
        metadata={
            "help": "Re-score a predictions.jsonl; no model needed.",
            "path": {"dir_okay": False, "exists": True},
        },
    )
    endpoint: str | None = field(
        default=None,
        metadata={
            "help": "OpenAI-compatible server URL, e.g. http://localhost:8000/v1 (a vLLM server); "
            "OPENAI_API_KEY, when set, is sent as the bearer token."
        },
    )
    model_name: str | None = field(
        default=None, metadata={"help": "Model name on the server (with --endpoint)."}
    )
    run: Path | None = field(
        default=None,
        metadata={
            "help": "Run directory (base model + adapter or merged weights).",
            "path": {"file_okay": False, "exists": True},
            "default_text": "newest under runs/",
        },
    )
    model: str | None = field(
        default=None, metadata={"help": "Model directory, hub id or 'tiny' (instead of --run)."}
    )
    adapter: Path | None = field(
        default=None,
        metadata={
            "help": "Adapter directory for --model.",
            "default_text": "none",
            "path": {"file_okay": False, "exists": True},
        },
    )
    concurrency: int = field(default=8, metadata={"help": "Requests in flight (--endpoint).", "min": 1})
    timeout_s: float = field(
        default=120.0,
        metadata={
            "help": "Seconds per request (--endpoint).",
            "flag": "--timeout",
            "min": 0,
            "min_open": True,
        },
    )
    retries: int = field(default=3, metadata={"help": "Retries per request (--endpoint).", "min": 0})
    max_new_tokens: int = field(default=64, metadata={"help": "Tokens per answer at most.", "min": 1})
    num_crops: int | None = field(
        default=None,
        metadata={"help": "HD crops per image (model).", "min": 1, "default_text": "the model's"},
    )
    batch_size: int = field(default=8, metadata={"help": "Samples per generation batch (model).", "min": 1})
    n_resamples: int = field(
        default=1000,
        metadata={
            "help": "Bootstrap resamples for the 95% confidence intervals (0: none).",
            "flag": "--bootstrap",
            "min": 0,
        },
    )
    seed: int = field(default=0, metadata={"help": "Bootstrap seed."})
    prompt_style: PresetName | None = field(
        default=None,
        metadata={
            "help": "Prompt and answer format. zero-shot: for a model not trained on it (a base model, another "
            "VLM); the question spells out the answer format and lists the training split's categories.",
            "default_text": "the one the run was trained with, else chat",
        },
    )
    limit: int | None = field(
        default=None,
        metadata={
            "help": "Evaluate the first N samples only, into evals/<name>-firstN unless --name/--out say "
            "otherwise.",
            "min": 1,
            "default_text": "all",
        },
    )
    ablate: str | None = field(
        default=None,
        metadata={
            "help": "Ask again with a blank image and/or another sample's photo (seeded by --seed) to show "
            "whether answers depend on the image: blank,shuffle, blank, shuffle or none.",
            "default_text": "blank,shuffle for --run/--model; none for --endpoint, where it triples the requests",
        },
    )
    ids: str | None = field(
        default=None,
        metadata={
            "help": "Generate the answers of these samples again (e.g. a suspicious one) and rescore; other "
            "answers are kept.",
            "default_text": "generate only the missing answers",
            "metavar": "ID,...",
        },
    )

    def __post_init__(self) -> None:
        chosen = [s for s, on in (("--predictions", self.predictions), ("--endpoint", self.endpoint)) if on]
        if self.run is not None or self.model is not None:
            chosen.append("--run/--model")
        if len(chosen) > 1:
            raise ValueError(f"choose one prediction source, not {' and '.join(chosen)}")
        if self.endpoint and not self.model_name:
            raise ValueError("--endpoint needs --model-name (the model's name on the server)")
        if self.run is not None and self.model is not None:
            raise ValueError("give --run or --model, not both (a run directory names its base model)")
        if self.n_resamples < 0 or (self.limit is not None and self.limit < 1):
            raise ValueError("--bootstrap must be >= 0 and --limit >= 1")
        if self.prompt_style is not None:
            PromptStyle.preset(self.prompt_style)  # type: ignore[arg-type]  # raises for an unknown name
        parse_ablate(self.ablate, self.source)  # raises naming a bad --ablate value
        if self.ids is not None:
            parse_id_list(self.ids)
            if self.predictions is not None:
                raise ValueError(
                    "--ids generates answers again: it needs --run, --model or --endpoint, not --predictions"
                )

    @property
    def source(self) -> Source:
        if self.predictions is not None:
            return "predictions"
        if self.endpoint is not None:
            return "endpoint"
        return "model"

    def resolved_name(self) -> str:
        if self.name:
            return _safe_name(self.name)
        if self.predictions is not None:
            parent = self.predictions.resolve().parent.name
            return _safe_name(parent or self.predictions.stem)
        if self.endpoint is not None:
            return _safe_name(str(self.model_name))
        target = self.run if self.run is not None else Path(str(self.model))
        return _safe_name(Path(target).name or "model")

    def out_dir(self) -> Path:
        return self.out if self.out is not None else Path("evals") / self.resolved_name()


class EvaluationOutcome(NamedTuple):
    results: Results
    records: list[PredictionRecord]
    out_dir: Path
    reused: int = 0  # answers taken from an earlier run's predictions.jsonl (same model and settings)
    generated: int = 0  # answers generated by this run
    rows: Any = None  # the split's rows (a datasets.Dataset, images undecoded) when the set was read


Progress = Callable[[int, int], None]
"""Called with (samples done in this call, samples to do in total) after each batch."""


def latest_run(runs_dir: str | Path = "runs") -> Path | None:
    """The most recently modified run directory under runs/ (one with a run.json), or None."""
    root = Path(runs_dir)
    if not root.is_dir():
        return None
    runs = [path for path in root.iterdir() if (path / "run.json").is_file()]
    return max(runs, key=lambda path: (path / "run.json").stat().st_mtime, default=None)


def run_evaluation(config: EvaluateConfig, on_progress: Progress | None = None) -> EvaluationOutcome:
    """Get the predictions of `config`'s source, score them, and write the evaluation directory.

    A partial evaluation (--limit) gets a directory of its own unless told otherwise (subset.py). An
    evaluation that fails before any answer is written leaves no directory behind; one with answers keeps
    them, so the same command resumes.
    """
    config = named_for_subset(config)
    with removed_on_failure(config.out_dir(), keep=_has_answers):
        return _run_evaluation(config, on_progress)


def _has_answers(out_dir: Path) -> bool:
    predictions = out_dir / PREDICTIONS_FILE
    return predictions.is_file() and predictions.stat().st_size > 0


def _run_evaluation(config: EvaluateConfig, on_progress: Progress | None = None) -> EvaluationOutcome:
    out_dir = config.out_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    style = resolve_prompt_style(config.prompt_style, config.run)
    split = _load_split(config) if config.source != "predictions" or config.data.exists() else None
    stats = _training_stats(config, split)
    if split is not None:
        style = style_for_set(style, split["train"])

    generation_s = None
    reused = generated = 0
    ablations: tuple[str, ...] = ()
    predictions_path = out_dir / PREDICTIONS_FILE
    if split is not None:
        refuse_shrinking(out_dir, split["test_ids"], config)
    hardware, hardware_facts = HardwareRecorder(_batch_or_concurrency(config)), None
    if config.source == "predictions":
        records = read_predictions(config.predictions)  # type: ignore[arg-type]
        (out_dir / GENERATION_FILE).unlink(
            missing_ok=True
        )  # these answers came from elsewhere: never resume them
        if split is not None:
            records = _restrict_to_split(records, split["test_ids"], config)
        ablations = present_ablations(config.predictions.parent)  # type: ignore[union-attr]  # saved beside it
    else:
        assert split is not None
        ids = parse_id_list(config.ids)
        if ids:
            check_ids_in_split(ids, split["test_ids"], config.split)
            drop_answers(out_dir, PREDICTIONS_FILE, GENERATION_FILE, _generation_identity(config, style), ids)
        identity = _generation_identity(config, style)
        _start_or_resume(out_dir, identity)
        done = completed_ids(predictions_path)
        todo = [sample for sample in _samples(split["rows"], config.limit) if sample.id not in done]
        todo = [sample for sample in todo if sample.id in ids] if ids else todo
        reused = len(set(split["test_ids"]) & done)
        started = time.perf_counter()
        with PredictionWriter(predictions_path) as writer:
            _generate(config, style, todo, writer, on_progress, hardware)
        generation_s = round(time.perf_counter() - started, 3)
        generated = len(todo)
        generation_s = total_generation_s(out_dir, generation_s, generated, reused)
        hardware_facts = hardware.finish() if todo else previous_hardware(out_dir / RESULTS_FILE)
        records = _restrict_to_split(read_predictions(predictions_path), split["test_ids"], config)
        ablations = parse_ablate(config.ablate, config.source)
        if ablations:  # the same prompts with a blank image and another sample's photo (evaluate/ablation.py)
            scored_ids = {record["id"] for record in records}
            samples = [s for s in _samples(split["rows"], config.limit) if s.id in scored_ids]
            generate_ablations(
                ablations,
                samples,
                out_dir,
                identity,
                config.seed,
                lambda todo, writer: _generate(config, style, todo, writer, on_progress),
                _start_or_resume,
            )

    provenance = default_provenance(
        model=_model_label(config),
        adapter=None if config.adapter is None else str(config.adapter),
        data=str(config.data),
        data_fingerprint=_fingerprint(config.data),
        split=config.split,
        settings=_settings(config),
    )
    training = training_context(config.run)
    if training is not None:
        provenance["training"] = training
    used_for = "parsing the saved answers" if config.source == "predictions" else "generation and parsing"
    provenance["prompt"] = prompt_context(style, used_for)
    scored = evaluate_records(
        records,
        stats,
        name=config.resolved_name(),
        provenance=provenance,
        n_resamples=config.n_resamples,
        seed=config.seed,
        generation_s=generation_s,
        style=style,
    )
    if ablations:
        answers_dir = config.predictions.parent if config.source == "predictions" else out_dir  # type: ignore[union-attr]
        scored.results["ablation"] = score_ablations(
            ablations, scored.records, answers_dir, stats.hierarchy, style, config.n_resamples, config.seed
        )
    scored.results["cost"] = summarise_cost(config.source, scored.records, hardware_facts)
    write_predictions(predictions_path, scored.records)
    write_json(out_dir / RESULTS_FILE, scored.results, allow_nan=False)
    write_json(out_dir / STATS_FILE, stats.to_dict())
    rows = None if split is None else split["rows"]  # read once: the report's thumbnails come from these
    return EvaluationOutcome(scored.results, scored.records, out_dir, reused, generated, rows)


def report_thumbnails(outcome: EvaluationOutcome) -> dict[str, bytes]:
    """Thumbnails of the scored samples for the report, from the rows the evaluation read (no second read of
    the set); empty when it was scored without the set."""
    from productlens.evaluate.thumbnails import thumbnails_for_split

    if outcome.rows is None:
        return {}
    return thumbnails_for_split(outcome.rows, [record["id"] for record in outcome.records])


def load_thumbnails(config: EvaluateConfig, ids: list[str]) -> dict[str, bytes]:
    """Thumbnails of `ids` from the set of `config`; empty when the set is not there."""
    from productlens.evaluate.thumbnails import thumbnails_for_split

    if not config.data.exists():
        return {}
    return thumbnails_for_split(_load_split(config)["rows"], ids)


def _generate(
    config: EvaluateConfig,
    style: PromptStyle,
    todo: list[Sample],
    writer: PredictionWriter,
    on_progress,
    hardware: HardwareRecorder | None = None,
):
    total = len(todo)
    done = 0

    def on_batch(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    if config.source == "endpoint":
        endpoint = EndpointConfig(
            url=str(config.endpoint),
            model_name=str(config.model_name),
            concurrency=config.concurrency,
            timeout_s=config.timeout_s,
            retries=config.retries,
            max_new_tokens=config.max_new_tokens,
            api_key=_api_key(),
        )
        if hardware is not None:
            hardware.endpoint(endpoint.url)
        generate_with_endpoint(todo, writer, endpoint, style, on_batch=on_batch)
        return
    model = str(config.model) if config.model is not None else str(config.run)
    generate_predictions_with_model(
        model,
        None if config.adapter is None else str(config.adapter),
        todo,
        writer,
        style,
        max_new_tokens=config.max_new_tokens,
        num_crops=config.num_crops,
        batch_size=config.batch_size,
        on_batch=on_batch,
        on_loaded=None if hardware is None else hardware.model_loaded,
    )


def _batch_or_concurrency(config: EvaluateConfig) -> int | None:
    return {"model": config.batch_size, "endpoint": config.concurrency}.get(config.source)


def _load_split(config: EvaluateConfig) -> dict:
    """The split's rows (images undecoded) and the training split, from the sample set."""
    import datasets
    from productlens.core.sample_set import load_sample_set

    if not (config.data / "manifest.json").is_file():
        raise FileNotFoundError(
            f"no sample set at {config.data} (manifest.json missing); create one with `sample-gen` or pass --data"
        )
    dataset = load_sample_set(config.data)
    if config.split not in dataset:
        raise ValueError(f"{config.data} has no {config.split!r} split; it has {sorted(dataset)}")
    rows = dataset[config.split]
    if len(rows) == 0:
        raise ValueError(f"the {config.split!r} split of {config.data} is empty")
    rows = rows.cast_column("image", datasets.Image(decode=False))
    ids = rows["product_code"]
    return {
        "rows": rows,
        "train": dataset.get("train"),
        "test_ids": ids[: config.limit] if config.limit else ids,
    }


def _samples(rows, limit: int | None) -> Iterator[Sample]:
    for number, row in enumerate(rows):
        if limit is not None and number >= limit:
            return
        yield Sample(id=row["product_code"], image=row["image"]["bytes"], reference=reference_from_row(row))


def _training_stats(config: EvaluateConfig, split: dict | None) -> TrainingStats:
    if split is not None and split["train"] is not None and len(split["train"]):
        return TrainingStats.from_dataset(split["train"])
    for directory in filter(None, (config.predictions and config.predictions.parent, config.out_dir())):
        saved = Path(directory) / STATS_FILE
        if saved.is_file():
            return TrainingStats.from_dict(read_json(saved))
    raise FileNotFoundError(
        f"baselines need the training split: no train split at {config.data} and no {STATS_FILE} beside "
        "the predictions; pass --data with the sample set the predictions came from"
    )


def _restrict_to_split(
    records: list[PredictionRecord], ids: list[str], config: EvaluateConfig
) -> list[PredictionRecord]:
    """Records of the split's ids in the split's order; records of other ids are left out."""
    by_id = {str(record["id"]): record for record in records}
    if not set(by_id) & set(ids):
        raise ValueError(
            f"none of the {len(by_id)} predictions has an id of the {config.split!r} split of {config.data}; "
            "pass the --data/--split the predictions were made on"
        )
    return [by_id[key] for key in ids if key in by_id]


def _generation_identity(config: EvaluateConfig, style: PromptStyle) -> dict:
    """Everything that decides the generated answers, including which weights: retraining changes the
    run's run.json and the weight files' sizes and modification times, so stale answers are never reused."""
    identity = {
        "model": _model_label(config),
        "adapter": None if config.adapter is None else str(config.adapter),
        "data_fingerprint": _fingerprint(config.data),
        "split": config.split,
        "prompt_style": asdict(style),
        "max_new_tokens": config.max_new_tokens,
        "num_crops": config.num_crops,
    }
    for directory in (config.run, config.model, config.adapter):
        if directory is not None and Path(str(directory)).is_dir():
            identity.setdefault("files", {}).update(_weight_files(Path(str(directory))))
    return identity


def _weight_files(directory: Path) -> dict[str, list]:
    """path -> [size, mtime_ns] of the files that decide a model's answers (configs, weights, run.json)."""
    patterns = ("run.json", "config.json", "adapter_config.json", "*.safetensors")
    files = {path for pattern in patterns for path in directory.glob(f"**/{pattern}")}
    files = {path for path in files if "checkpoints" not in path.relative_to(directory).parts}
    return {str(path): [path.stat().st_size, path.stat().st_mtime_ns] for path in sorted(files)}


def _start_or_resume(out_dir: Path, identity: dict) -> None:
    """Keep predictions.jsonl only when it was generated with `identity`; otherwise start it again."""
    predictions, record = out_dir / PREDICTIONS_FILE, out_dir / GENERATION_FILE
    try:
        previous = read_json(record) if record.is_file() else None
    except ValueError:  # not JSON (read_json names the file): start again
        previous = None
    if predictions.exists() and previous != identity:
        import logging

        logging.getLogger(__name__).warning(
            "%s was generated by another model, data or settings; generating again", predictions
        )
        predictions.unlink()
    write_json(record, identity, default=str)


def _fingerprint(data: Path) -> str:
    from productlens.core.sample_set import set_fingerprint

    try:
        return set_fingerprint(data)
    except (FileNotFoundError, KeyError):
        return ""


def _model_label(config: EvaluateConfig) -> str:
    if config.source == "endpoint":
        return f"{config.model_name} @ {config.endpoint}"
    if config.source == "predictions":
        return f"predictions file {config.predictions}"
    return str(config.model if config.model is not None else config.run)


def _settings(config: EvaluateConfig) -> dict:
    settings = {
        key: (str(value) if isinstance(value, Path) else value) for key, value in asdict(config).items()
    }
    settings.pop("out", None)
    return settings


def _api_key() -> str | None:
    import os

    return os.environ.get("OPENAI_API_KEY") or None


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-.") or "evaluation"
