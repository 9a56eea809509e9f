"""The `tiny` preset: Phi-3-Vision's architecture at toy sizes, random weights, a tokenizer built from given words.

Same modules and weight names as the real model (Phi-3 decoder with longrope, CLIP tower, 2x2 merge,
separators, MLP projector), so every stage runs and is tested on a CPU in seconds, and the end-to-end
recipe can train it from scratch. Default sizes: decoder hidden 128, 2 layers; CLIP hidden 64, 2 layers,
crop 64 with patch 8 (8 x 8 patches -> 16 tokens per crop); num_crops 1 (a global view + one tile row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from productlens.finetune.phi3v.config import DEFAULT_EMBD_LAYER, Phi3VConfig
from productlens.finetune.phi3v.image_processing import Phi3VImageProcessor
from productlens.finetune.phi3v.modeling import Phi3VForCausalLM
from productlens.finetune.phi3v.processing import STOP_TOKENS, Phi3VProcessor
from productlens.finetune.phi3v.tiny_tokenizer import build_tiny_tokenizer
from transformers import GenerationConfig, PreTrainedTokenizerFast


@dataclass
class TinySpec:
    """Sizes of the tiny preset; every field can be overridden (build_tiny(words, spec=TinySpec(hidden_size=64)))."""

    hidden_size: int = field(default=128, metadata={"help": "Decoder width."})
    intermediate_size: int = field(default=256, metadata={"help": "Decoder MLP width."})
    num_hidden_layers: int = field(default=2, metadata={"help": "Decoder layers."})
    num_attention_heads: int = field(
        default=4, metadata={"help": "Decoder heads (head dim = hidden / heads)."}
    )
    vision_hidden_size: int = field(default=64, metadata={"help": "CLIP width."})
    vision_intermediate_size: int = field(default=128, metadata={"help": "CLIP MLP width."})
    vision_layers: int = field(default=2, metadata={"help": "CLIP layers (features come from layer -2)."})
    vision_heads: int = field(default=4, metadata={"help": "CLIP heads."})
    crop_size: int = field(default=64, metadata={"help": "Crop side in pixels."})
    patch_size: int = field(default=8, metadata={"help": "CLIP patch side; crop/patch must be even."})
    num_crops: int = field(default=1, metadata={"help": "Most tiles per image in the HD transform."})
    original_max_position_embeddings: int = field(
        default=4096, metadata={"help": "Longrope switch: longer sequences use the long factors."}
    )
    max_position_embeddings: int = field(
        default=131072, metadata={"help": "Longest sequence (sets the scaling)."}
    )

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads or (self.hidden_size // self.num_attention_heads) % 2:
            raise ValueError(
                "hidden_size / num_attention_heads must be an even integer (RoPE rotates pairs)."
            )


def tiny_processor(words: Sequence[str], spec: TinySpec | None = None) -> Phi3VProcessor:
    """The tiny preset's processor: a tokenizer built from `words` (each one token) + small-crop image processor.

    The same words give the same tokenizer; finetune passes the catalogue's title words (trained.py).
    """
    spec = spec or TinySpec()
    tokenizer = build_tiny_tokenizer(words)
    image_processor = Phi3VImageProcessor(
        num_crops=spec.num_crops, crop_size=spec.crop_size, patch_size=spec.patch_size
    )
    return Phi3VProcessor(tokenizer, image_processor)


def tiny_config(spec: TinySpec, tokenizer: PreTrainedTokenizerFast) -> Phi3VConfig:
    """A Phi3VConfig of the tiny sizes; vocabulary rounded up to a multiple of 64 like the real 32064."""
    head_dim = spec.hidden_size // spec.num_attention_heads
    half = head_dim // 2
    vocab = -(-len(tokenizer) // 64) * 64
    return Phi3VConfig(
        vocab_size=vocab,
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_hidden_layers,
        num_attention_heads=spec.num_attention_heads,
        num_key_value_heads=spec.num_attention_heads,
        max_position_embeddings=spec.max_position_embeddings,
        original_max_position_embeddings=spec.original_max_position_embeddings,
        # the official config.json's key, converted by convert_rope_params_to_dict; the config class takes
        # legacy keys as extra keywords, which its dataclass stub does not declare
        rope_scaling={  # pyright: ignore[reportCallIssue]
            "type": "su",
            "short_factor": [1.0] * half,
            "long_factor": [1.0 + 3.0 * i / max(half - 1, 1) for i in range(half)],
        },
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.convert_tokens_to_ids("</s>"),
        pad_token_id=tokenizer.pad_token_id,
        sliding_window=None,
        embd_layer=dict(DEFAULT_EMBD_LAYER),
        img_processor={
            "image_dim_out": spec.vision_hidden_size,
            "model_name": "tiny-clip",
            "name": "clip_vision_model",
            "num_img_tokens": (spec.crop_size // spec.patch_size // 2) ** 2,
        },
        vision_config={
            "hidden_size": spec.vision_hidden_size,
            "intermediate_size": spec.vision_intermediate_size,
            "num_hidden_layers": spec.vision_layers,
            "num_attention_heads": spec.vision_heads,
            "image_size": spec.crop_size,
            "patch_size": spec.patch_size,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5,
            "projection_dim": spec.vision_hidden_size,
        },
        tie_word_embeddings=False,
    )


def stop_generation_config(processor: Phi3VProcessor) -> GenerationConfig:
    """Greedy by default, stopping on <|end|> / <|endoftext|>, padding with the tokenizer's pad id."""
    return GenerationConfig(
        eos_token_id=processor.stop_token_ids,
        pad_token_id=processor.pad_token_id,
        bos_token_id=processor.tokenizer.bos_token_id,
        do_sample=False,
    )


def build_tiny(
    words: Sequence[str], seed: int = 0, spec: TinySpec | None = None, attn_implementation: str = "sdpa"
) -> tuple[Phi3VForCausalLM, Phi3VProcessor]:
    """(model, processor) of the tiny preset, randomly initialised from `seed` (float32, train mode off).

    words: the tokenizer's vocabulary (tiny_processor); the vocabulary size follows from it.
    """
    spec = spec or TinySpec()
    processor = tiny_processor(words, spec)
    config = tiny_config(spec, processor.tokenizer)
    config._attn_implementation = attn_implementation
    assert set(STOP_TOKENS) <= set(processor.tokenizer.get_vocab())  # the tokenizer is ours: a bug if not
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Phi3VForCausalLM(config)
    model.generation_config = stop_generation_config(processor)
    return model.eval(), processor
