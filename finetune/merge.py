"""Merged weights: base model + LoRA adapter folded into plain weights, saved in the official layout.

The base is opened again (trained.py: on the CPU, in fp32 for tiny, in bf16 otherwise) rather than merging the
model that trained: a QLoRA base is 4-bit and a DeepSpeed/FSDP model is sharded, while a fresh base is neither.
`save_pretrained` of the native model writes the official Phi-3-V names and config, so tools that read the
official checkpoint (vLLM, this project's loader) read the result without PEFT. When the base is a local
directory, its own non-weight files (remote code, `auto_map`, tokenizer and processor configs) are carried
over unchanged (base_files.py), so `vllm serve merged/ --trust-remote-code` finds what it looks for.

`merge_run` merges a finished run again (or for the first time) without training.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from productlens.core.atomic_writes import replace_directory
from productlens.core.run_json import read_run_record, write_run_record
from productlens.finetune.base_files import base_directory, carry_base_files, has_tokenizer
from productlens.finetune.errors import FinetuneError
from productlens.finetune.run_dir import RunLayout
from productlens.finetune.trained import Placement, open_model


def merge_adapter(base_model: str, adapter: Path, dest: Path, processor: Any) -> Path:
    """Write base + adapter as one model (weights, config, processor files) to `dest`."""
    merged = open_model(base_model, adapter, Placement.for_merging(base_model)).model
    temp = dest.with_name(f".tmp-{dest.name}")
    if temp.exists():
        shutil.rmtree(temp)
    merged.save_pretrained(str(temp))
    base_dir = base_directory(base_model)
    if base_dir is None or not has_tokenizer(base_dir):
        processor.save_pretrained(temp)  # else the base's own tokenizer and processor files are carried
    if base_dir is not None:
        carry_base_files(base_dir, temp)
    replace_directory(temp, dest)
    return dest


def merge_run(run_dir: Path) -> Path:
    """Write merged/ for a finished LoRA run from its adapter/ (no training); run.json then names it."""
    from productlens.core.atomic_writes import atomic_write_text
    from productlens.finetune.phi3v import Phi3VProcessor
    from productlens.finetune.run_record import model_card

    layout = RunLayout(Path(run_dir))
    record = read_run_record(layout.root)
    if record["status"] != "finished":
        raise FinetuneError(
            f"--merge: {layout.root} holds an unfinished run; run the same command without --merge to finish "
            "training first (it resumes), or add --merge to it"
        )
    if record["adapter"] is None:
        raise FinetuneError(
            f"--merge: {layout.root} was trained with --method {record['method']}; its merged/ already "
            "holds the full weights"
        )
    adapter = layout.root / record["adapter"]
    if not (adapter / "adapter_config.json").is_file():
        raise FinetuneError(f"--merge: {adapter} has no adapter_config.json; the run's adapter is missing")
    processor = Phi3VProcessor.from_pretrained(layout.processor)
    merge_adapter(record["base_model"], adapter, layout.merged, processor)
    record["merged"] = layout.merged.name
    write_run_record(layout.root, record)
    atomic_write_text(layout.card, model_card(record))
    return layout.merged
