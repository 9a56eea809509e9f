"""The live progress of `finetune` in a terminal: a Rich bar fed by a TrainerCallback.

Only the CLI uses this file; the recipe stays silent and returns objects. The plan and the final summary
are rendered by reports/finetune_view.py.
"""

from __future__ import annotations

from typing import Any

from productlens.core.progress_lines import SteadyTimeRemaining
from productlens.finetune.cli_log import resume_line, validation_line
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from transformers import TrainerCallback


class RichProgress(TrainerCallback):
    """Steps, loss and the latest validation scores as one live line (main process only)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.task = TaskID(0)  # the bar's task once `progress` exists
        self.status = ""

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        line = resume_line(args, state)
        if line:
            self.console.print(f"finetune: {line}")
        self.progress = Progress(
            TextColumn("[bold]finetune"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            SteadyTimeRemaining(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
            transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(
            "train",
            total=state.max_steps,
            completed=state.global_step,
            status="",
            resumed_at=state.global_step,
        )

    def on_step_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.update(self.task, completed=state.global_step)

    def on_log(self, args, state, control, logs: dict[str, Any] | None = None, **kwargs):
        if self.progress is None or not logs:
            return
        if "loss" in logs:
            self.status = f"loss {logs['loss']:.4f}  lr {logs.get('learning_rate', 0):.2e}"
        if "val_parse_rate" in logs:
            self.console.print("  " + validation_line(state.global_step, logs))
        self.progress.update(self.task, status=self.status)

    def on_train_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
