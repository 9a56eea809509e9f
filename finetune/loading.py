"""Loading the model to train: checks with clear errors, precision, and the QLoRA 4-bit path.

One code path for `tiny`, a local directory and a hub id; only QLoRA differs (a 4-bit base).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch
from productlens.core.json_files import read_json
from productlens.finetune.config import TINY, FinetuneConfig
from productlens.finetune.errors import FinetuneError

TrainPrecision = Literal["bf16", "fp16", "fp32"]
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def check_model_dir(model: str) -> None:
    """A local model directory must hold a Phi-3-Vision config.json and safetensors weights."""
    path = Path(model)
    if model == TINY or not path.exists():
        return  # tiny, or a hub id (load_phi3v reports what it cannot find)
    if not path.is_dir():
        raise FinetuneError(f"--model {model}: expected a model directory, found a file")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise FinetuneError(f"--model {model}: no config.json; expected a Phi-3-Vision model directory")
    model_type = read_json(config_file).get("model_type")
    if model_type != "phi3_v":
        raise FinetuneError(
            f"--model {model}: config.json says model_type {model_type!r}, not 'phi3_v'; "
            "finetune trains Phi-3-Vision (microsoft/Phi-3-vision-128k-instruct or Phi-3.5-vision-instruct)"
        )
    if not any(path.glob("*.safetensors")):
        pickles = sorted(p.name for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise FinetuneError(
                f"--model {model}: only pickle weights ({', '.join(pickles[:3])}); productlens loads safetensors "
                "only, because unpickling runs code from the file. Convert them once in a trusted environment "
                "(load, then save_pretrained(..., safe_serialization=True))."
            )
        raise FinetuneError(f"--model {model}: no *.safetensors weights in the directory")


def choose_precision(requested: str) -> TrainPrecision:
    """auto: bf16 on GPUs that support it, fp16 on older GPUs, fp32 on the CPU."""
    cuda = torch.cuda.is_available()
    if requested == "auto":
        if not cuda:
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if requested in ("bf16", "fp16") and not cuda:
        raise FinetuneError(
            f"--precision {requested} needs a GPU; on the CPU training runs in fp32 (--precision auto)"
        )
    return requested  # type: ignore[return-value]


def weights_dtype(method: str, precision: TrainPrecision) -> torch.dtype:
    """LoRA keeps the frozen base in 16 bits (adapters stay fp32); full training keeps fp32 master weights."""
    if method == "full" or precision == "fp32":
        return torch.float32
    return torch.bfloat16 if precision == "bf16" else torch.float16


def load_for_training(config: FinetuneConfig, precision: TrainPrecision):
    """(model, processor) for `config.model`, in the dtype training needs."""
    from productlens.finetune.phi3v import load_phi3v

    check_model_dir(config.model)
    dtype = weights_dtype(config.method or "lora", precision)
    if config.method == "qlora":
        return _load_4bit(config, dtype)
    return load_phi3v(
        config.model, dtype=dtype, attn_implementation=config.attn_implementation, num_crops=config.num_crops
    )


def _load_4bit(config: FinetuneConfig, dtype: torch.dtype):
    from peft import prepare_model_for_kbit_training
    from productlens.finetune.phi3v import load_phi3v
    from productlens.finetune.qlora import quantize_decoder, require_bitsandbytes

    require_bitsandbytes()
    model, processor = load_phi3v(
        config.model, dtype=dtype, attn_implementation=config.attn_implementation, num_crops=config.num_crops
    )
    model = prepare_model_for_kbit_training(
        quantize_decoder(model, dtype),
        use_gradient_checkpointing=bool(config.gradient_checkpointing),
        gradient_checkpointing_kwargs={"use_reentrant": False},
    )
    return model, processor
