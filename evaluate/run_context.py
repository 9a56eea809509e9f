"""What an evaluation records about its source for the report: how the run was trained and the exact prompt.

Read once when the evaluation is written, into results.json's provenance (`training`, `prompt`),
so a report rendered later (or elsewhere) still says what was trained, how, and what was asked.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Final, cast

from productlens.core.results_schema import PromptContext, TrainingContext
from productlens.core.run_json import read_run_record, run_json_path
from productlens.finetune.answer_format import PromptStyle

MAX_CURVE_POINTS = 400  # a loss curve is drawn, not read point by point: keep results.json small
CONFIG_KEYS = (
    "learning_rate",
    "scheduler",
    "warmup_ratio",
    "epochs",
    "max_steps",
    "batch_size",
    "grad_accum",
    "num_crops",
    "vision",
    "lora_r",
    "lora_alpha",
    "max_train_samples",
    "seed",
)
RECORD_KEYS: Final = (  # run.json keys copied when set (Final keeps them literal: typed indexing below)
    "method",
    "base_model",
    "data",
    "data_fingerprint",
    "train_samples",
    "global_step",
    "precision",
    "world_size",
    "train_loss",
    "train_runtime_s",
    "resumed_from",
    "prompt_style",
    "created",
    "command",
)


def training_context(run_dir: str | Path | None) -> TrainingContext | None:
    """The training facts and curves of a finished run (its run.json); None for anything else."""
    if run_dir is None or not run_json_path(run_dir).is_file():
        return None
    record = read_run_record(run_dir)
    config = record["config"]  # FinetuneConfig's fields; one added later is absent from older runs
    context: dict[str, Any] = {"run": str(run_dir)}
    context |= {key: record[key] for key in RECORD_KEYS if record[key] is not None}
    context["config"] = {key: config.get(key) for key in CONFIG_KEYS if config.get(key) is not None}
    if record["method"] == "full":
        for key in ("lora_r", "lora_alpha"):
            context["config"].pop(key, None)  # no adapter: its rank says nothing
    losses = [
        {"step": entry["step"], "loss": entry["loss"]}
        for entry in record["loss_history"]
        if "step" in entry and "loss" in entry
    ]
    context["loss_history"] = _thin(losses, MAX_CURVE_POINTS)
    context["eval_history"] = list(record["eval_history"])
    return cast(TrainingContext, context)  # the RECORD_KEYS copied are TrainingContext's optional keys


def prompt_context(style: PromptStyle, used_for: str) -> PromptContext:
    """The prompt style by name and as text: the user turn exactly as the model saw it, the answer layout."""
    return PromptContext(
        **asdict(style),
        prompt=style.prompt_template.format(question=style.question),
        used_for=used_for,
    )


def _thin(points: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most `limit` points, evenly spaced, always keeping the first and the last."""
    if len(points) <= limit:
        return points
    stride = (len(points) - 1) / (limit - 1)
    return [points[round(number * stride)] for number in range(limit)]
