"""4-bit loading for QLoRA: the decoder's Linear layers become bitsandbytes Linear4bit after the weights load.

transformers quantizes while its own `from_pretrained` loads; this project loads the official layout
itself (weights.py), so it swaps the layers afterwards, honouring the usual BitsAndBytesConfig fields
(quant type, double quantisation, compute dtype, `llm_int8_skip_modules`). The weights are quantized
when they move to the GPU. Marks the model the way PEFT and Trainer recognise (`is_loaded_in_4bit`).
`qlora_config` is the QLoRA recipe finetune uses: the decoder's linear layers in NF4 with double quantisation,
the vision side and `lm_head` in 16 bits, as in the QLoRA recipes for vision-language models.
"""

from __future__ import annotations

from typing import Any, TypeVar

import torch
from torch import nn

DEFAULT_SKIP = ("lm_head",)
QLORA_SKIP = ("vision_embed_tokens", "lm_head")  # CLIP, the image projection and the output layer


def qlora_config(compute_dtype: torch.dtype | None) -> Any:
    """BitsAndBytesConfig of the QLoRA base: NF4 decoder linears, double-quantised scales, `compute_dtype`."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute_dtype,
        llm_int8_skip_modules=list(QLORA_SKIP),
    )


ModuleT = TypeVar("ModuleT", bound=nn.Module)


def quantize_4bit(model: ModuleT, quantization_config: Any, device: str | torch.device = "cuda") -> ModuleT:
    """Swap nn.Linear layers (outside the skip list) for bitsandbytes Linear4bit and move the model to `device`."""
    if not getattr(quantization_config, "load_in_4bit", False):
        raise ValueError(
            "Only 4-bit bitsandbytes quantization is supported (BitsAndBytesConfig(load_in_4bit=True))."
        )
    try:
        # the optional [qlora] extra, absent where the type check runs
        import bitsandbytes as bnb  # pyright: ignore[reportMissingImports]
    except ImportError as error:
        raise ImportError("4-bit loading needs bitsandbytes: pip install 'productlens[qlora]'.") from error
    skip = tuple(getattr(quantization_config, "llm_int8_skip_modules", None) or DEFAULT_SKIP)
    compute = getattr(quantization_config, "bnb_4bit_compute_dtype", None) or torch.float32
    options = {
        "compress_statistics": bool(getattr(quantization_config, "bnb_4bit_use_double_quant", False)),
        "quant_type": getattr(quantization_config, "bnb_4bit_quant_type", "nf4"),
        "quant_storage": getattr(quantization_config, "bnb_4bit_quant_storage", None) or torch.uint8,
    }
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            full_name = f"{name}.{child_name}" if name else child_name
            if type(child) is not nn.Linear or any(key in full_name for key in skip):
                continue
            layer = bnb.nn.Linear4bit(
                child.in_features,
                child.out_features,
                bias=child.bias is not None,
                compute_dtype=compute,
                device="meta",
                **options,
            )
            layer.weight = bnb.nn.Params4bit(child.weight.data, requires_grad=False, module=layer, **options)
            if child.bias is not None:
                layer.bias = nn.Parameter(child.bias.data, requires_grad=False)
            setattr(module, child_name, layer)
    model.to(device)
    # plain attributes (nn.Module's __setattr__ takes any value; its stub says Tensor | Module only)
    setattr(model, "is_loaded_in_4bit", True)  # noqa: B010
    setattr(model, "quantization_method", "bitsandbytes")  # noqa: B010
    return model
