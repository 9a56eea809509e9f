"""The model to train: checks with clear errors, precision, and the QLoRA 4-bit base.

One code path for `tiny`, a local directory and a hub id (trained.open_model, with the training placement);
only QLoRA differs (a 4-bit decoder, quantised by phi3v/quantize.py, then PEFT's k-bit preparation).
"""

from __future__ import annotations

from pathlib import Path

import torch
from productlens.core.json_files import read_json
from productlens.finetune.config import TINY, FinetuneConfig
from productlens.finetune.errors import FinetuneError
from productlens.finetune.phi3v.weights import PICKLE_SUFFIXES
from productlens.finetune.trained import Placement, TrainPrecision, open_model


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


def load_for_training(config: FinetuneConfig, precision: TrainPrecision):
    """(model, processor) for `config.model`, in the dtype training needs (Placement.for_training)."""
    check_model_dir(config.model)
    placement = Placement.for_training(config.method or "lora", precision)
    quantization = None
    if config.method == "qlora":
        from productlens.finetune.phi3v.quantize import qlora_config

        require_bitsandbytes()
        quantization = qlora_config(placement.dtype)
    opened = open_model(
        config.model,
        placement=placement,
        num_crops=config.num_crops,
        attn_implementation=config.attn_implementation,
        quantization_config=quantization,
    )
    if quantization is None:
        return opened.model, opened.processor
    return prepare_4bit(opened.model, bool(config.gradient_checkpointing)), opened.processor


def prepare_4bit(model: torch.nn.Module, gradient_checkpointing: bool) -> torch.nn.Module:
    """PEFT's k-bit preparation of a 4-bit base (its 16-bit parameters upcast to fp32, input gradients on)."""
    from peft import prepare_model_for_kbit_training

    return prepare_model_for_kbit_training(
        model,
        use_gradient_checkpointing=gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
    )


def require_bitsandbytes() -> None:
    """QLoRA needs a CUDA GPU and bitsandbytes; say which is missing in the command's words."""
    if not torch.cuda.is_available():
        raise FinetuneError(
            "--method qlora needs a CUDA GPU (bitsandbytes 4-bit); use --method lora on the CPU"
        )
    try:
        # the optional [qlora] extra, absent where the type check runs
        import bitsandbytes  # noqa: F401  # pyright: ignore[reportMissingImports]
    except ImportError as error:
        raise FinetuneError("--method qlora needs bitsandbytes: pip install -e '.[qlora]'") from error
