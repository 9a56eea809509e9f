"""What trains: LoRA adapters on the decoder (and optionally the vision side), or chosen full weights.

Module names follow the official layout (PHI3V.md section 6): the decoder's `qkv_proj`, `o_proj`,
`gate_up_proj`, `down_proj`; the projector `vision_embed_tokens.img_projection.{0,2}`; CLIP under
`vision_embed_tokens.img_processor`. CLIP's last encoder layer and `post_layernorm` never feed the image
features (layer -2 is read), so they are always frozen: a trainable parameter without a gradient stops
DDP ("Expected to have finished reduction in the prior iteration").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from productlens.finetune.config import FinetuneConfig

DECODER_TARGETS = ("qkv_proj", "o_proj", "gate_up_proj", "down_proj")
CLIP_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")
VISION = "vision_embed_tokens"
PROJECTOR = "img_projection"
CLIP = "img_processor"
_CLIP_LAYER = re.compile(r"img_processor\..*encoder\.layers\.(\d+)\.")


def unused_vision_parameters(model: torch.nn.Module) -> set[str]:
    """Names of CLIP parameters that never receive a gradient: the last encoder layer and post_layernorm."""
    names = [name for name, _ in model.named_parameters()]
    layers = [int(m.group(1)) for name in names if (m := _CLIP_LAYER.search(name))]
    last = max(layers, default=None)
    unused = set()
    for name in names:
        match = _CLIP_LAYER.search(name)
        if (match and int(match.group(1)) == last) or (CLIP in name and "post_layernorm" in name):
            unused.add(name)
    return unused


def _is_vision(name: str) -> bool:
    return VISION in name


def _trains_vision_weight(name: str, vision: str) -> bool:
    """Full training: does this vision-side parameter train under the `vision` setting?"""
    if vision == "clip":
        return True
    if vision == "projector":
        return CLIP not in name  # projector and the glb_GN / sub_GN separators
    return False


def lora_target_modules(model: torch.nn.Module, vision: str) -> list[str]:
    """Full names of the Linear modules that get an adapter."""
    unused_prefixes = {name.rsplit(".", 1)[0] for name in unused_vision_parameters(model)}
    targets = []
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear):
            continue
        leaf = name.rsplit(".", 1)[-1]
        if not _is_vision(name):
            if leaf in DECODER_TARGETS:
                targets.append(name)
        elif (PROJECTOR in name and vision in ("projector", "clip")) or (
            CLIP in name and vision == "clip" and leaf in CLIP_TARGETS and name not in unused_prefixes
        ):
            targets.append(name)
    if not any(name.rsplit(".", 1)[-1] in DECODER_TARGETS for name in targets):
        raise ValueError(
            f"no decoder layers named {', '.join(DECODER_TARGETS)} found in {type(model).__name__}"
        )
    return targets


def add_lora(model: torch.nn.Module, config: FinetuneConfig) -> PeftModel:
    """Wrap the model with LoRA adapters; only adapter weights train."""
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha or 2 * config.lora_r,
        lora_dropout=config.lora_dropout,
        target_modules=lora_target_modules(model, config.vision or "frozen"),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def select_full_training(model: torch.nn.Module, vision: str) -> None:
    """Full fine-tuning: every decoder weight trains; the vision side as `vision` says; unused CLIP parts never."""
    unused = unused_vision_parameters(model)
    for name, parameter in model.named_parameters():
        trains = name not in unused and (not _is_vision(name) or _trains_vision_weight(name, vision))
        parameter.requires_grad_(trains)


@dataclass(frozen=True)
class ParameterCount:
    total: int
    trainable: int


def count_parameters(model: torch.nn.Module) -> ParameterCount:
    """Total and trainable parameters (works on the meta device)."""
    total = trainable = 0
    for parameter in model.parameters():
        total += parameter.numel()
        trainable += parameter.numel() if parameter.requires_grad else 0
    return ParameterCount(total=total, trainable=trainable)
