"""Merged weights: base model + LoRA adapter folded into plain weights, saved in the official layout.

The base is loaded again (in fp32 on the CPU for tiny, in bf16 otherwise) rather than merging the model that
trained: a QLoRA base is 4-bit and a DeepSpeed/FSDP model is sharded, while a fresh base is neither.
`save_pretrained` of the native model writes the official Phi-3-V names and config, so tools that read the
official checkpoint (vLLM, this project's loader) read the result without PEFT.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from productlens.finetune.config import TINY
from productlens.finetune.run_dir import replace_directory


def merge_adapter(base_model: str, adapter: Path, dest: Path, processor: Any) -> Path:
    """Write base + adapter as one model (weights, config, processor files) to `dest`."""
    from productlens.finetune.phi3v import load_phi3v

    dtype = torch.float32 if base_model == TINY else torch.bfloat16
    base, _ = load_phi3v(base_model, dtype=dtype)
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    temp = dest.with_name(f".tmp-{dest.name}")
    if temp.exists():
        shutil.rmtree(temp)
    merged.save_pretrained(str(temp))
    processor.save_pretrained(temp)
    replace_directory(temp, dest)
    return dest
