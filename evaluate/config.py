"""The settings of one evaluation (what `evaluate` takes; its options are generated from this dataclass)
and the names of the files an evaluation directory holds.

A module of its own so that helpers of the evaluation (subset.py) can take the config without importing
evaluation.py, which imports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from productlens.evaluate.ablation import parse_ablate
from productlens.evaluate.regenerate_ids import parse_id_list
from productlens.finetune.answer_format import PresetName, PromptStyle

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


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-.") or "evaluation"
