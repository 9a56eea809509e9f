"""Loading a finished run for inference: `load_run("runs/tiny")` -> (model, processor).

For `evaluate` and users: reads run.json, then loads merged/ when the run has full weights (full training
or --merge), else the base model with adapter/ folded in; the processor is the one the run trained with.
"""

from __future__ import annotations

from pathlib import Path

import torch
from peft import PeftModel
from productlens.core.run_json import RunRecordError, read_run_record
from productlens.finetune.run_dir import RunLayout


def load_run(run_dir: str | Path, dtype: torch.dtype | None = None, num_crops: int | None = None):
    """(model in eval mode, processor) of a run directory written by `finetune`."""
    from productlens.finetune.phi3v import Phi3VProcessor, load_phi3v

    layout = RunLayout(Path(run_dir))
    record = read_run_record(layout.root)
    if record["merged"]:
        model, _ = load_phi3v(str(layout.root / record["merged"]), dtype=dtype)
    elif record["adapter"]:
        base, _ = load_phi3v(record["base_model"], dtype=dtype)
        model = PeftModel.from_pretrained(base, str(layout.root / record["adapter"])).merge_and_unload()
    else:
        raise RunRecordError(f"{layout.run_json}: names neither 'merged' nor 'adapter' weights to load")
    processor = Phi3VProcessor.from_pretrained(layout.processor, num_crops=num_crops)
    return model.eval(), processor
