"""The run directory (ARCHITECTURE.md "A run"): its layout and resume-or-refuse (run.json: core/run_json.py).

    runs/<run>/
        adapter/       PEFT adapter (LoRA/QLoRA); PeftModel.from_pretrained loads it
        checkpoints/   Trainer checkpoints (checkpoint-<step>/), resumable
        processor/     image processor + tokenizer used for training
        merged/        full weights in the official Phi-3-V layout (full training, or --merge)
        run.json       command, config, base model, data fingerprint, versions, loss and eval history
        README.md      model card

Nothing already in a run directory is replaced unless the user asks (--overwrite); by default an
unfinished run resumes from its latest checkpoint.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from productlens.core.run_json import is_finished_run, run_json_path
from productlens.finetune.errors import FinetuneError

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")


@dataclass(frozen=True)
class RunLayout:
    root: Path

    @property
    def adapter(self) -> Path:
        return self.root / "adapter"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def processor(self) -> Path:
        return self.root / "processor"

    @property
    def merged(self) -> Path:
        return self.root / "merged"

    @property
    def run_json(self) -> Path:
        return run_json_path(self.root)

    @property
    def card(self) -> Path:
        return self.root / "README.md"


def latest_checkpoint(checkpoints: Path) -> Path | None:
    """The complete checkpoint-<step> directory with the highest step, or None."""
    if not checkpoints.is_dir():
        return None
    found = []
    for child in checkpoints.iterdir():
        match = CHECKPOINT_PATTERN.match(child.name)
        if match and (child / "trainer_state.json").is_file():
            found.append((int(match.group(1)), child))
    return max(found)[1] if found else None


def plan_run_dir(root: Path, resume: bool | Path, overwrite: bool) -> Path | None:
    """Decide, without touching anything, what to do with `root`: the checkpoint to resume from, or None.

    Raises FinetuneError when the directory holds something that would be overwritten.
    """
    layout = RunLayout(Path(root))
    if isinstance(resume, Path):
        if not (resume / "trainer_state.json").is_file():
            raise FinetuneError(f"--resume {resume}: not a Trainer checkpoint (no trainer_state.json)")
        return resume
    if overwrite or not layout.root.exists() or not any(layout.root.iterdir()):
        if layout.root.exists() and not layout.root.is_dir():
            raise FinetuneError(f"{layout.root} exists and is not a directory; choose another --output")
        return None
    if overwrite is False and not (layout.run_json.exists() or layout.checkpoints.exists()):
        raise FinetuneError(f"{layout.root} is not empty and is not a run directory; choose another --output")
    checkpoint = latest_checkpoint(layout.checkpoints) if resume else None
    finished = is_finished_run(layout.root)
    if checkpoint is not None and not finished:
        return checkpoint
    if resume and not finished and not any(path.is_file() for path in layout.root.rglob("*")):
        return None  # only empty folders (a run killed before its first checkpoint): nothing to lose
    reason = "holds a finished run" if finished else "holds a run without a checkpoint to resume from"
    raise FinetuneError(
        f"{layout.root} {reason}; pass --overwrite to start again or --output to write elsewhere"
    )


def clear_run_dir(root: Path) -> None:
    """Delete a run directory for --overwrite; refuses anything that does not look like one."""
    layout = RunLayout(Path(root))
    if not layout.root.exists():
        return
    if any(layout.root.iterdir()) and not (layout.run_json.exists() or layout.checkpoints.exists()):
        raise FinetuneError(f"--overwrite: {layout.root} does not look like a run directory; not deleting it")
    shutil.rmtree(layout.root)
