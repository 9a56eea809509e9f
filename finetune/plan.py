"""`finetune --dry-run`: parameters, tokens per sample and a GPU memory estimate, without training.

The model is built on the meta device (shapes, no memory) from the model's config.json, with the same
LoRA / full-training choice the recipe makes, so the counts are exact. Memory is an estimate from those
counts and the sequence length:

- weights: the frozen base in its training dtype (bf16 for LoRA, ~4.5 bits for QLoRA's NF4 linears,
  fp32 master weights for full training); under QLoRA everything that is not 4-bit (embeddings, lm_head,
  CLIP, projector, norms) is fp32, because PEFT's `prepare_model_for_kbit_training` upcasts it;
- adapters, gradients, AdamW state: fp32, 4 + 4 + 8 bytes per trainable parameter;
- activations per sample: the decoder's saved tensors per token and layer (with checkpointing only each
  layer's input plus one layer being recomputed), the fp32 logits the loss needs, and CLIP's saved
  tensors when the vision side trains; SDPA / flash attention (no seq x seq score matrix);
- a fixed allowance for the CUDA context and allocator fragmentation.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from productlens.finetune.answer_format import build_prompt
from productlens.finetune.collator import target_text
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.lora import ParameterCount, add_lora, count_parameters, select_full_training
from productlens.finetune.token_lengths import LengthReport, TokenCount, scan_set

GB = 1024**3
CUDA_OVERHEAD_BYTES = 1.5 * GB  # context, cuBLAS workspaces, allocator slack
TYPICAL_TARGET_TOKENS = 48
NF4_BYTES = 0.5 + 0.0635  # 4-bit weights + double-quantised absmax per 64-block


@dataclass(frozen=True)
class MemoryEstimate:
    weights: float  # bytes
    adapters: float
    gradients: float
    optimizer: float
    activations: float  # at the planned batch size
    overhead: float

    @property
    def total(self) -> float:
        return (
            self.weights + self.adapters + self.gradients + self.optimizer + self.activations + self.overhead
        )


@dataclass(frozen=True)
class TrainingPlan:
    model: str
    method: str
    vision: str
    num_crops: int
    batch_size: int
    precision: str
    gradient_checkpointing: bool
    parameters: ParameterCount  # total includes the adapters
    base_parameters: int  # the model itself, without adapters
    tokens: TokenCount
    tokens_source: str  # where the image size came from
    memory: MemoryEstimate
    activations_per_sample: float
    gpu_memory: float  # bytes
    max_batch_size: int  # largest batch that fits gpu_memory (0: not even one sample)
    lengths: LengthReport | None = None  # every training row against --max-length (None: no sample set)
    on_long: str = "skip"

    @property
    def fits(self) -> bool:
        return self.memory.total <= self.gpu_memory

    def to_dict(self, shown_ids: int = 4) -> dict[str, Any]:
        """Plain values for rendering (reports/finetune_view.py): sizes in GB, the derived figures included."""
        memory_gb = {name: value / GB for name, value in asdict(self.memory).items()}
        lengths = None
        if self.lengths is not None:
            lengths = {**asdict(self.lengths), "over_text": self.lengths.describe_over(shown_ids)}
        return {
            **asdict(self),
            "tokens": {**asdict(self.tokens), "total": self.tokens.total},
            "memory_gb": {**memory_gb, "total": self.memory.total / GB},
            "activations_per_sample_gb": self.activations_per_sample / GB,
            "gpu_memory_gb": self.gpu_memory / GB,
            "fits": self.fits,
            "lengths": lengths,
        }


def _config_and_processor(config: FinetuneConfig):
    """The model config and processor, without loading weights."""
    from productlens.finetune.phi3v import Phi3VConfig, Phi3VProcessor

    if config.is_tiny:
        from productlens.finetune.trained import open_model

        tiny = open_model(config.model, num_crops=config.num_crops)  # a few MB: the plan needs its config
        return tiny.model.config, tiny.processor
    path = Path(config.model)
    return Phi3VConfig.from_json_file_or_dir(path), Phi3VProcessor.from_pretrained(
        path, num_crops=config.num_crops
    )


def _sample_rows(data: Path, n: int = 32) -> list[dict]:
    """A few training rows (image bytes not decoded) when the sample set exists."""
    try:
        import datasets
        from productlens.core.sample_set import load_sample_set
        from productlens.finetune.data import first_rows

        train = load_sample_set(data)["train"].cast_column("image", datasets.Image(decode=False))
        return first_rows(train, n)
    except (FileNotFoundError, KeyError, ValueError):
        return []


def count_tokens(config: FinetuneConfig, processor) -> tuple[TokenCount, str]:
    """Tokens per sample: the largest among a few rows of the set, else a square image and a typical answer."""
    from PIL import Image
    from productlens.finetune.recipe import prompt_style

    style = prompt_style(config)
    prompt_text = len(processor.prompt_ids(build_prompt(style), [0]))
    rows = _sample_rows(config.data)
    if not rows:
        assert config.num_crops, "count_tokens takes a resolved config"
        crop = processor.image_processor.crop_size
        side = crop * max(1, int(config.num_crops**0.5))
        image = processor.image_processor.num_tokens_for_image(side, side)
        return TokenCount(
            image=image, text=prompt_text + TYPICAL_TARGET_TOKENS
        ), "square image (no sample set)"
    image = target = 0
    for row in rows:
        with Image.open(io.BytesIO(row["image"]["bytes"])) as opened:
            image = max(image, processor.image_processor.num_tokens_for_image(*opened.size))
        target = max(target, len(processor.target_ids(target_text(row, style))))
    return TokenCount(image=image, text=prompt_text + target), f"largest of {len(rows)} rows of {config.data}"


def _activation_bytes(model_config, tokens: int, num_crops: int, vision: str, checkpointing: bool) -> float:
    """Saved activations for one sample (bytes), 16-bit tensors unless said otherwise."""
    hidden, inter, layers = (
        model_config.hidden_size,
        model_config.intermediate_size,
        model_config.num_hidden_layers,
    )
    # per token and layer: norms, qkv (3h), attention output, o_proj input, residuals; gate_up (2i), act, product;
    # plus the LoRA dropout copies of the four adapted inputs.
    per_layer_token = (10 * hidden + 4 * inter) + (3 * hidden + inter)
    if checkpointing:
        decoder = tokens * (layers * hidden + per_layer_token) * 2
    else:
        decoder = tokens * layers * per_layer_token * 2
    logits = tokens * model_config.vocab_size * (2 + 4 + 4)  # bf16 logits, fp32 copy, fp32 log-softmax
    vision_bytes = 0.0
    if vision != "frozen":
        clip = model_config.clip_config()
        patches = (clip.image_size // clip.patch_size) ** 2 + 1
        crop_tokens = (num_crops + 1) * patches
        if vision == "clip":
            per_clip_layer = (clip.hidden_size * 10 + clip.intermediate_size * 2) * 2
            n = clip.num_hidden_layers
            vision_bytes = crop_tokens * (
                n * clip.hidden_size * 2 + per_clip_layer if checkpointing else n * per_clip_layer
            )
        else:  # projector only: its input and hidden activations
            vision_bytes = tokens * (4 * clip.hidden_size + 2 * hidden) * 2
    return float(decoder + logits + vision_bytes)


def plan_training(
    config: FinetuneConfig, gpu_memory_gb: float = 80.0, precision: str = "bf16"
) -> TrainingPlan:
    """The dry-run plan for `config` on a GPU with `gpu_memory_gb` (nothing is allocated or trained)."""
    from productlens.finetune.phi3v import Phi3VForCausalLM

    config = config.resolve()
    assert config.method and config.vision and config.num_crops  # resolve() sets them
    model_config, processor = _config_and_processor(config)
    model_config._attn_implementation = (
        "sdpa"  # the kernel does not change the counts; flash-attn may be absent here
    )
    with torch.device("meta"):
        model = Phi3VForCausalLM(model_config)
        if config.method == "full":
            select_full_training(model, config.vision)
        else:
            model = add_lora(model, config)
    parameters = count_parameters(model)
    adapter_parameters = sum(p.numel() for name, p in model.named_parameters() if "lora_" in name)
    frozen = parameters.total - parameters.trainable
    if config.method == "full":
        weights, adapters = 4.0 * parameters.total, 0.0
    elif config.method == "qlora":
        linears = sum(
            m.weight.numel()
            for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear)
            and "vision_embed_tokens" not in name
            and "lora_" not in name
            and not name.endswith("lm_head")
        )
        # prepare_model_for_kbit_training (loading.py) casts every 16-bit parameter that is not 4-bit to fp32
        weights, adapters = NF4_BYTES * linears + 4.0 * (frozen - linears), 4.0 * parameters.trainable
    else:
        weights, adapters = 2.0 * frozen, 4.0 * parameters.trainable
    scanned = scan_set(config, processor, model_config, gpu_memory_gb * GB)  # every row, not a sample
    if scanned is not None:
        lengths, tokens = scanned
        source = f"longest of the {lengths.rows:,} training rows that fit --max-length"
    else:
        lengths = None
        tokens, source = count_tokens(config, processor)
    per_sample = _activation_bytes(
        model_config, tokens.total, config.num_crops, config.vision, bool(config.gradient_checkpointing)
    )
    fixed = weights + adapters + 12.0 * parameters.trainable + CUDA_OVERHEAD_BYTES
    memory = MemoryEstimate(
        weights=weights,
        adapters=adapters,
        gradients=4.0 * parameters.trainable,
        optimizer=8.0 * parameters.trainable,
        activations=per_sample * config.batch_size,
        overhead=CUDA_OVERHEAD_BYTES,
    )
    gpu = gpu_memory_gb * GB
    return TrainingPlan(
        model=config.model,
        method=config.method,
        vision=config.vision,
        num_crops=config.num_crops,
        batch_size=config.batch_size,
        precision=precision
        if config.method != "full" or precision == "fp32"
        else f"fp32 weights + {precision} autocast",
        gradient_checkpointing=bool(config.gradient_checkpointing),
        parameters=parameters,
        base_parameters=parameters.total - adapter_parameters,
        tokens=tokens,
        tokens_source=source,
        memory=memory,
        activations_per_sample=per_sample,
        gpu_memory=gpu,
        max_batch_size=max(0, int((gpu - fixed) // per_sample)),
        lengths=lengths,
        on_long=config.on_long,
    )
