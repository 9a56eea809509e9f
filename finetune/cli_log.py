"""`finetune` progress for a log (stdout is not a terminal), and the lines both progress views share.

A live Rich bar shows nothing in a file until it ends; piped to a log, training would be silent for the
whole run. `LogProgress` writes a plain line at the first step, every `every_s` seconds and at the last:

    finetune: resuming from checkpoint-447 (step 447 of 2,250): runs/tiny/checkpoints/checkpoint-447
    finetune: step 460/2,250 (20%)  loss 1.2345  10.4 samples/s  ETA 0:23:01
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from productlens.core.progress_lines import ProgressLog
from transformers import TrainerCallback


def resume_line(args, state) -> str | None:
    """ "resuming from checkpoint-N (step N of M): PATH" when the Trainer starts from a checkpoint."""
    checkpoint = getattr(args, "resume_from_checkpoint", None)
    if not checkpoint or not state.global_step:
        return None
    return f"resuming from {Path(checkpoint).name} (step {state.global_step:,} of {state.max_steps:,}): {checkpoint}"


def validation_line(step: int, logs: dict[str, Any]) -> str:
    price = logs.get("val_price_mdape")
    return (
        f"step {step}: validation parse {logs['val_parse_rate']:.0%}  "
        f"category3 {logs['val_category3_accuracy']:.0%}  "
        + (f"price MdAPE {price:.1f}%" if price is not None else "price unparsed")
        + (
            f"  blank image {logs['val_blank_category3_accuracy']:.0%}"
            if "val_blank_category3_accuracy" in logs
            else ""
        )
    )


def samples_per_step(args) -> float:
    return float(
        args.per_device_train_batch_size * args.gradient_accumulation_steps * max(1, args.world_size)
    )


class LogProgress(TrainerCallback):
    """Plain progress lines (step, loss, samples/s, ETA) through `write`, main process only."""

    def __init__(self, write: Callable[[str], None], every_s: float = 30.0) -> None:
        self.write = write
        self.every_s = every_s
        self.log: ProgressLog | None = None
        self.loss: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        line = resume_line(args, state)
        if line:
            self.write(f"finetune: {line}")
        self.log = ProgressLog(
            "finetune",
            state.max_steps,
            self.write,
            noun="step ",
            per_step=samples_per_step(args),
            every_s=self.every_s,
            done_at_start=state.global_step,
        )

    def on_log(self, args, state, control, logs: dict[str, Any] | None = None, **kwargs):
        if self.log is None or not logs:
            return
        if "loss" in logs:  # a log entry comes after its step: the freshest loss for a periodic line
            self.loss = float(logs["loss"])
            self.log.update(state.global_step, f"loss {self.loss:.4f}")
        if "val_parse_rate" in logs:
            self.write(f"finetune: {validation_line(state.global_step, logs)}")

    def on_step_end(self, args, state, control, **kwargs):
        if self.log is not None and state.global_step >= state.max_steps:  # the last line, logged or not
            self.log.update(state.global_step, f"loss {self.loss:.4f}" if self.loss is not None else "")

    def on_train_end(self, args, state, control, **kwargs):
        self.log = None
