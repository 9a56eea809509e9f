"""QLoRA's base: the decoder's linear layers in 4-bit NF4 (bitsandbytes), everything else in 16 bits.

The native model loads in 16 bits first; each decoder projection is then swapped for a
`bitsandbytes.nn.Linear4bit` holding the same weight, quantised when the model moves to the GPU (this is
what transformers' bitsandbytes integration does while loading). The vision side and `lm_head` stay in 16
bits, as in the QLoRA recipes for vision-language models. Needs a CUDA GPU.
"""

from __future__ import annotations

import torch
from productlens.finetune.errors import FinetuneError
from productlens.finetune.lora import DECODER_TARGETS, VISION


def require_bitsandbytes() -> None:
    if not torch.cuda.is_available():
        raise FinetuneError(
            "--method qlora needs a CUDA GPU (bitsandbytes 4-bit); use --method lora on the CPU"
        )
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as error:
        raise FinetuneError("--method qlora needs bitsandbytes: pip install -e '.[qlora]'") from error


def quantize_decoder(model: torch.nn.Module, compute_dtype: torch.dtype) -> torch.nn.Module:
    """Swap the decoder's qkv/o/gate_up/down projections for NF4 Linear4bit layers and move to the GPU."""
    import bitsandbytes as bnb

    for parent_name, parent in list(model.named_modules()):
        if VISION in parent_name:
            continue
        for name, child in list(parent.named_children()):
            if not isinstance(child, torch.nn.Linear) or name not in DECODER_TARGETS:
                continue
            quantized = bnb.nn.Linear4bit(
                child.in_features,
                child.out_features,
                bias=child.bias is not None,
                compute_dtype=compute_dtype,
                compress_statistics=True,  # double quantisation of the block scales
                quant_type="nf4",
            )
            quantized.weight = bnb.nn.Params4bit(
                child.weight.data.to("cpu"), requires_grad=False, compress_statistics=True, quant_type="nf4"
            )
            if child.bias is not None:
                quantized.bias = child.bias
            setattr(parent, name, quantized)
    model = model.to("cuda")  # Params4bit quantises on the move
    model.is_loaded_in_4bit = True  # what PEFT's prepare_model_for_kbit_training looks for
    return model
