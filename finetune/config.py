"""The fine-tuning configuration: one dataclass, every field with a default and a help string.

Fields left at `None` are decided by `resolve()` from the model: the `tiny` preset (random weights, a CPU)
and a real Phi-3-Vision (pretrained weights, a GPU) need different recipes, and both take their values
from here so that the choice is written down once. `resolve()` runs before any weight loads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Method = Literal["lora", "qlora", "full"]
VisionTraining = Literal["frozen", "projector", "clip"]
Precision = Literal["auto", "bf16", "fp16", "fp32"]
ReportTo = Literal["none", "tensorboard", "wandb"]
Scheduler = Literal["cosine", "linear", "constant_with_warmup"]

TINY = "tiny"

# Published Phi-3-Vision LoRA recipes (the Phi-3 CookBook's `finetune_hf_trainer_*` scripts, the Burberry
# example) use rank 64 with alpha = 2 x rank, a learning rate around 2e-4 for LoRA / 2e-5 for full training,
# a short linear warm-up, a cosine or linear decay and gradient clipping at 1.0.
REAL_DEFAULTS = {
    "method": "lora",
    "num_crops": 4,  # 4 crops read a product shot as well as 16 and cost about 3x fewer tokens
    "learning_rate": {"lora": 2e-4, "qlora": 2e-4, "full": 2e-5},
    "gradient_checkpointing": True,
    "epochs": 1.0,
    "vision": "frozen",
}
# The tiny preset starts from random weights: no pretrained features for an adapter to steer, so every
# weight (CLIP included) is trained. 5e-4 for 12 epochs (measured on 6,000 products): at 2e-3 the model
# learns the answer format and colours but never the silhouettes. The CPU needs no activation checkpointing.
TINY_DEFAULTS = {
    "method": "full",
    "num_crops": 1,
    "learning_rate": {"lora": 2e-3, "qlora": 2e-3, "full": 5e-4},
    "gradient_checkpointing": False,
    "epochs": 12.0,
    "vision": "clip",
}


def _help(text: str) -> dict:
    return {"help": text}


@dataclass
class FinetuneConfig:
    """Everything `finetune` needs; the CLI builds one and `run_finetune` consumes it."""

    data: Path = field(
        default=Path("data/products"), metadata=_help("Sample set directory (sample-gen output).")
    )
    model: str = field(
        default=TINY, metadata=_help("'tiny', a local Phi-3-Vision directory, or a hub id (where reachable).")
    )
    output: Path | None = field(
        default=None,
        metadata=_help("Run directory. None: runs/<model name> (runs/tiny for the tiny preset)."),
    )
    method: Method | None = field(
        default=None,
        metadata=_help("lora, qlora (4-bit base, GPU only) or full. None: full for tiny, else lora."),
    )
    lora_r: int = field(default=64, metadata=_help("LoRA rank."))
    lora_alpha: int | None = field(default=None, metadata=_help("LoRA alpha. None: 2 x rank."))
    lora_dropout: float = field(default=0.05, metadata=_help("Dropout on the LoRA input."))
    vision: VisionTraining | None = field(
        default=None,
        metadata=_help(
            "What trains on the vision side: frozen (nothing), projector (also the image projector), "
            "clip (also the CLIP layers that feed the features); adapters with lora/qlora, weights with full. "
            "None: frozen for a real model, clip for tiny."
        ),
    )
    num_crops: int | None = field(
        default=None, metadata=_help("HD-transform crops per image. None: 4 for a real model, 1 for tiny.")
    )
    epochs: float | None = field(default=None, metadata=_help("Training epochs. None: 1 (real), 12 (tiny)."))
    max_steps: int | None = field(
        default=None, metadata=_help("Stop after this many steps (overrides epochs).")
    )
    batch_size: int = field(default=8, metadata=_help("Samples per device per step."))
    grad_accum: int = field(default=1, metadata=_help("Gradient accumulation steps."))
    learning_rate: float | None = field(
        default=None,
        metadata={
            "help": "Peak learning rate. None: 2e-4 LoRA, 2e-5 full (real); 5e-4 full, 2e-3 LoRA (tiny).",
            "flag": ("--learning-rate", "--lr"),
        },
    )
    scheduler: Scheduler = field(default="cosine", metadata=_help("Learning-rate schedule after warm-up."))
    warmup_ratio: float = field(default=0.03, metadata=_help("Share of steps with a linear warm-up."))
    weight_decay: float = field(default=0.0, metadata=_help("AdamW weight decay."))
    max_grad_norm: float = field(default=1.0, metadata=_help("Gradient clipping norm."))
    precision: Precision = field(
        default="auto", metadata=_help("auto: bf16 where the GPU supports it, else fp16; fp32 on the CPU.")
    )
    attn_implementation: Literal["sdpa", "flash_attention_2", "eager"] = field(
        default="sdpa", metadata=_help("Attention kernel of the decoder.")
    )
    gradient_checkpointing: bool | None = field(
        default=None,
        metadata=_help("Recompute activations (use_reentrant=False). None: on for real, off for tiny."),
    )
    seed: int = field(default=0, metadata=_help("Seed for initialisation, shuffling and dropout."))
    max_train_samples: int | None = field(default=None, metadata=_help("Use only the first N training rows."))
    prompt_style: Literal["chat", "cookbook"] = field(
        default="chat", metadata=_help("Conversation preset of the answer-format module.")
    )
    question: str | None = field(
        default=None, metadata=_help("Question template. None: the preset's question.")
    )
    answer_template: str | None = field(
        default=None, metadata=_help("Answer template. None: the preset's answer template.")
    )
    eval_steps: int | None = field(
        default=None,
        metadata=_help(
            "Generation-based validation every K steps, with the blank-image check when K is given. "
            "None: 4 times per run; 0: only the final check. The final check always runs it."
        ),
    )
    eval_samples: int = field(default=16, metadata=_help("Validation images per check (N)."))
    eval_max_new_tokens: int = field(default=48, metadata=_help("Generated tokens per validation answer."))
    save_steps: int | None = field(
        default=None, metadata=_help("Checkpoint every K steps. None: 4 times per run.")
    )
    save_total_limit: int = field(default=2, metadata=_help("Checkpoints kept in checkpoints/."))
    save_minutes: float = field(
        default=5.0,
        metadata=_help(
            "Also checkpoint every M minutes of training (0: off); Ctrl-C and SIGTERM always save one."
        ),
    )
    logging_steps: int = field(default=5, metadata=_help("Log the loss every K steps."))
    report_to: ReportTo = field(default="none", metadata=_help("Trainer integration for metrics."))
    resume: bool | Path = field(
        default=True,
        metadata=_help(
            "True: continue from the latest checkpoint in the run directory if there is one; a path: "
            "that checkpoint; False: refuse to touch an existing run unless overwrite."
        ),
    )
    overwrite: bool = field(default=False, metadata=_help("Delete an existing run directory first."))
    merge: bool = field(
        default=False,
        metadata=_help(
            "Also write merged weights (official layout) to merged/; on a finished run, merge without training."
        ),
    )
    deepspeed: Path | None = field(
        default=None,
        metadata={
            "help": "DeepSpeed config JSON (ZeRO-2/3). Shipped: finetune/configs/zero2.json, zero3.json.",
            "path": {"exists": True, "dir_okay": False},
        },
    )
    fsdp_config: Path | None = field(
        default=None,
        metadata={
            "help": "FSDP config JSON (turns FSDP on). Shipped: finetune/configs/fsdp.json.",
            "path": {"exists": True, "dir_okay": False},
        },
    )
    dataloader_workers: int = field(default=0, metadata=_help("DataLoader worker processes."))
    max_length: int | None = field(
        default=None,
        metadata=_help(
            "Longest training row in tokens (prompt + image + answer), checked for every row before training. "
            "None: the model's context, capped by what a batch's activations can take in memory."
        ),
    )
    on_long: Literal["skip", "error"] = field(
        default="skip",
        metadata=_help("Rows over --max-length: skip (train without them; run.json lists them) or error."),
    )

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        if self.output is not None:
            self.output = Path(self.output)
        checks = [
            (self.lora_r > 0, f"lora_r must be positive, got {self.lora_r}"),
            (0.0 <= self.lora_dropout < 1.0, f"lora_dropout must be in [0, 1), got {self.lora_dropout}"),
            (
                self.num_crops is None or 1 <= self.num_crops <= 64,
                f"num_crops must be 1..64, got {self.num_crops}",
            ),
            (self.batch_size >= 1, f"batch_size must be at least 1, got {self.batch_size}"),
            (self.grad_accum >= 1, f"grad_accum must be at least 1, got {self.grad_accum}"),
            (
                self.max_steps is None or self.max_steps >= 1,
                f"max_steps must be at least 1, got {self.max_steps}",
            ),
            (self.epochs is None or self.epochs > 0, f"epochs must be positive, got {self.epochs}"),
            (
                self.learning_rate is None or self.learning_rate > 0,
                f"learning_rate must be positive, got {self.learning_rate}",
            ),
            (0.0 <= self.warmup_ratio < 1.0, f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}"),
            (self.eval_steps is None or self.eval_steps >= 0, "eval_steps must be 0 (off) or positive"),
            (self.eval_samples >= 1, "eval_samples must be at least 1"),
            (self.save_steps is None or self.save_steps >= 1, "save_steps must be at least 1"),
            (self.save_total_limit >= 1, "save_total_limit must be at least 1"),
            (self.save_minutes >= 0, f"save_minutes must be 0 (off) or positive, got {self.save_minutes}"),
            (self.logging_steps >= 1, "logging_steps must be at least 1"),
            (
                self.max_train_samples is None or self.max_train_samples >= 1,
                "max_train_samples must be positive",
            ),
            (not (self.deepspeed and self.fsdp_config), "use either a DeepSpeed or an FSDP config, not both"),
            (
                self.max_length is None or self.max_length >= 1,
                f"--max-length must be a positive number of tokens, got {self.max_length}",
            ),
            (
                not (self.overwrite and isinstance(self.resume, Path)),
                "--overwrite deletes the checkpoint to resume",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def is_tiny(self) -> bool:
        return self.model == TINY

    @property
    def run_dir(self) -> Path:
        """The run directory: `output`, or runs/<model name> when it is None."""
        return self.output or Path("runs") / self.model_name

    @property
    def model_name(self) -> str:
        """A short name for the run directory: 'tiny', a directory's name or a hub id's last part."""
        return TINY if self.is_tiny else Path(self.model.rstrip("/")).name or "model"

    def resolve(self) -> FinetuneConfig:
        """A copy with every `None` default replaced by the preset's value."""
        preset = TINY_DEFAULTS if self.is_tiny else REAL_DEFAULTS
        method = self.method or preset["method"]
        return dataclasses.replace(
            self,
            method=method,
            output=self.run_dir,
            num_crops=self.num_crops or preset["num_crops"],
            learning_rate=self.learning_rate or preset["learning_rate"][method],
            gradient_checkpointing=(
                preset["gradient_checkpointing"]
                if self.gradient_checkpointing is None
                else self.gradient_checkpointing
            ),
            epochs=self.epochs or preset["epochs"],
            lora_alpha=self.lora_alpha or 2 * self.lora_r,
            vision=self.vision or preset["vision"],
        )

    def to_json(self) -> dict:
        """Plain JSON values (paths as strings) for run.json."""
        return {
            key: str(value) if isinstance(value, Path) else value
            for key, value in dataclasses.asdict(self).items()
        }
