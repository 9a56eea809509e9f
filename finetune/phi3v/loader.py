"""load_phi3v: one call from a local directory, a hub id or "tiny" to (model, processor)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from productlens.finetune.phi3v.config import Phi3VConfig
from productlens.finetune.phi3v.modeling import Phi3VForCausalLM, load_model_dir
from productlens.finetune.phi3v.processing import Phi3VProcessor
from productlens.finetune.phi3v.tiny import build_tiny, stop_generation_config
from productlens.finetune.phi3v.weights import resolve_attn_implementation, resolve_dtype

HUB_PATTERNS = ["*.json", "*.safetensors", "tokenizer*", "*.model"]


def looks_like_local_path(text: str) -> bool:
    """True when `text` can only mean a path here: it starts with . / ~, has other than one "/", or its
    first part is a local folder ("runs/tiny" when runs/ exists). Such a text is never looked up on the hub."""
    if text.startswith((".", "/", "~")) or "\\" in text:
        return True
    parts = text.split("/")
    if len(parts) != 2 or not all(parts):
        return True
    return Path(parts[0]).is_dir()


def resolve_model_dir(path_or_id: str | os.PathLike[str]) -> Path:
    """A local directory as is; otherwise a hub id fetched with huggingface_hub (safetensors and json only)."""
    path = Path(path_or_id)
    if path.is_dir():
        return path
    text = str(path_or_id)
    if path.exists():
        raise FileNotFoundError(f"{text} is a file, not a model directory (config.json + safetensors).")
    if looks_like_local_path(text):
        raise FileNotFoundError(
            f"{text} does not exist (a local path: expected a model directory with config.json + safetensors)."
        )
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id=text, allow_patterns=HUB_PATTERNS))
    except Exception as error:  # offline, unknown repo, no access: one message the user can act on
        raise FileNotFoundError(
            f"Could not fetch {text} from the Hugging Face hub ({type(error).__name__}: {error}). Download it where "
            "the hub is reachable (huggingface-cli download <id> --local-dir DIR) and pass DIR."
        ) from error


def load_phi3v(
    path_or_id: str | os.PathLike[str],
    dtype: torch.dtype | str | None = None,
    attn_implementation: str | None = None,
    num_crops: int | None = None,
    seed: int = 0,
    quantization_config: Any = None,
    tiny_words: Sequence[str] | None = None,
) -> tuple[Phi3VForCausalLM, Phi3VProcessor]:
    """(model, processor) from a directory in the official layout, a hub id, or "tiny" (random, `seed`).

    tiny_words: the vocabulary of the tiny preset's tokenizer (needed for "tiny", unused otherwise); the same
    words give the same tokenizer and vocabulary size, so a tiny base matches the runs trained on it.
    dtype: None = the checkpoint's (float32 for tiny). attn_implementation: None = the config's when usable,
    else SDPA. num_crops: None = preprocessor_config.json's (16 for Phi-3-vision-128k, 4 for Phi-3.5, 1 tiny).
    quantization_config: a 4-bit BitsAndBytesConfig (QLoRA): decoder Linear layers become bitsandbytes
    Linear4bit and the model moves to the GPU (quantize.py). Generation stops on <|end|> and <|endoftext|>.
    The model is in eval mode.
    """
    if str(path_or_id) == "tiny":
        if tiny_words is None:
            raise ValueError(
                "the tiny preset builds its tokenizer from a word list: pass tiny_words (finetune's "
                "trained.open_model passes the catalogue's title words)"
            )
        if attn_implementation is not None:  # same checks as for a directory (flash-attn needs 16-bit + GPU)
            target = torch.float32 if dtype is None else resolve_dtype(dtype, Phi3VConfig())
            resolve_attn_implementation(attn_implementation, Phi3VConfig(), target)
        model, processor = build_tiny(
            tiny_words, seed=seed, attn_implementation=attn_implementation or "sdpa"
        )
        if num_crops is not None:
            processor.image_processor.config.num_crops = num_crops
        if dtype is not None:
            # PreTrainedModel.to is wrapped with functools.wraps, whose stub loses the method binding
            model = model.to(resolve_dtype(dtype, model.config))  # pyright: ignore[reportArgumentType]
        return _maybe_quantize(model, quantization_config), processor
    directory = resolve_model_dir(path_or_id)
    model = load_model_dir(directory, dtype=dtype, attn_implementation=attn_implementation)
    processor = Phi3VProcessor.from_pretrained(directory, num_crops=num_crops)
    stops = stop_generation_config(processor)
    model.generation_config.eos_token_id = stops.eos_token_id
    model.generation_config.pad_token_id = stops.pad_token_id
    return _maybe_quantize(model, quantization_config), processor


def _maybe_quantize(model: Phi3VForCausalLM, quantization_config: Any) -> Phi3VForCausalLM:
    if quantization_config is None:
        return model
    from productlens.finetune.phi3v.quantize import quantize_4bit

    device = "cuda" if torch.cuda.is_available() else "cpu"
    return quantize_4bit(model, quantization_config, device=device)
