"""Reading and writing Phi-3-Vision model directories in the official layout, safetensors only.

A directory holds `config.json`, `model.safetensors` or `model-0000k-of-0000n.safetensors` shards with
`model.safetensors.index.json`, and optionally `generation_config.json`. Loading (`load_model_dir` in
modeling.py, next to the class it builds, so this module does not import the model) builds the model on the
meta device and assigns the stored tensors (no second copy, no random init of 4B parameters), then
rebuilds the non-persistent buffers (RoPE frequencies, CLIP position ids) that checkpoints do not carry.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import torch
from productlens.core.atomic_writes import atomic_file
from productlens.core.json_files import read_json, write_json
from productlens.finetune.phi3v.config import Phi3VConfig
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import PreTrainedModel

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def parse_size(size: int | str) -> int:
    """'5GB' / '200MB' / '10KB' / int bytes -> bytes."""
    if isinstance(size, int):
        return size
    text = size.strip().upper()
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3), ("B", 1)):
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def resolve_dtype(dtype: torch.dtype | str | None, config: Phi3VConfig) -> torch.dtype:
    """Requested dtype, else the checkpoint's (config dtype), else float32."""
    if isinstance(dtype, torch.dtype):
        return dtype
    name = dtype if dtype not in (None, "auto") else config.dtype
    if isinstance(name, torch.dtype):
        return name
    name = str(name or "float32").removeprefix("torch.")
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {name!r}.")
    return DTYPES[name]


def flash_attention_available() -> bool:
    return importlib.util.find_spec("flash_attn") is not None and torch.cuda.is_available()


def resolve_attn_implementation(
    requested: str | None, config: Phi3VConfig, dtype: torch.dtype = torch.bfloat16
) -> str:
    """Requested attention, else the config's when usable, else SDPA.

    flash-attention-2 needs the flash-attn package, a CUDA GPU and 16-bit weights; the official config asks
    for it, so without those the config's choice quietly becomes SDPA, while an explicit request fails.
    """
    if requested is not None:
        if requested not in ("eager", "sdpa", "flash_attention_2"):
            raise ValueError(
                f"attn_implementation must be eager, sdpa or flash_attention_2, got {requested!r}."
            )
        if requested == "flash_attention_2" and not flash_attention_available():
            raise ValueError(
                "attn_implementation 'flash_attention_2' needs the flash-attn package and a CUDA GPU "
                "(pip install 'productlens[flash]'); use 'sdpa' otherwise."
            )
        if requested == "flash_attention_2" and dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(
                f"flash_attention_2 runs in bfloat16 or float16, not {dtype}; use 'sdpa' for fp32."
            )
        return requested
    wanted = config._attn_implementation
    if wanted == "flash_attention_2":
        usable = flash_attention_available() and dtype in (torch.bfloat16, torch.float16)
        return wanted if usable else "sdpa"
    return wanted if wanted == "eager" else "sdpa"


def shard_files(directory: Path) -> list[Path]:
    """The safetensors files of a model directory, from the index when there is one."""
    index = directory / INDEX_NAME
    if index.is_file():
        weight_map = read_json(index)["weight_map"]
        return [directory / name for name in sorted(set(weight_map.values()))]
    if (directory / SINGLE_NAME).is_file():
        return [directory / SINGLE_NAME]
    pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise ValueError(
            f"{directory} holds only pickle weights ({', '.join(pickles[:3])}); productlens loads safetensors only. "
            "Convert them once in a trusted environment (safetensors.torch.save_file) and retry."
        )
    raise FileNotFoundError(f"No {SINGLE_NAME} or {INDEX_NAME} in {directory}.")


def iter_tensors(files: list[Path]) -> Iterator[tuple[str, torch.Tensor]]:
    for file in files:
        if not file.is_file():
            raise FileNotFoundError(
                f"Shard {file.name} listed in {INDEX_NAME} is missing from {file.parent}."
            )
        with safe_open(str(file), framework="pt") as handle:
            for name in handle.keys():  # noqa: SIM118 (safe_open has no __iter__)
                yield name, handle.get_tensor(name)


def stop_ids_from_tokenizer_file(directory: Path) -> list[int]:
    """[<|end|>, <|endoftext|>] ids from the directory's tokenizer.json, or [] when it has no such tokens."""
    path = directory / "tokenizer.json"
    if not path.is_file():
        return []
    added = {t["content"]: t["id"] for t in read_json(path).get("added_tokens", [])}
    end, end_of_text = added.get("<|end|>"), added.get("<|endoftext|>")
    return [int(end), int(end_of_text)] if end is not None and end_of_text is not None else []


def _shards(state: dict[str, torch.Tensor], max_bytes: int) -> list[dict[str, torch.Tensor]]:
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for name, tensor in state.items():
        nbytes = tensor.numel() * tensor.element_size()
        if shards[-1] and size + nbytes > max_bytes:
            shards.append({})
            size = 0
        shards[-1][name] = tensor
        size += nbytes
    return shards


def save_model_dir(
    model: PreTrainedModel,
    directory: str | os.PathLike[str],
    max_shard_size: int | str = "5GB",
    state_dict: dict[str, torch.Tensor] | None = None,
    dtype: torch.dtype | None = None,
) -> list[Path]:
    """Write config.json, safetensors shards (+ index when more than one) and generation_config.json.

    Each file is written to a temporary name and renamed; stale shards of an earlier save are removed.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = state_dict if state_dict is not None else model.state_dict()
    state = {k: (v.to(dtype) if dtype is not None and v.is_floating_point() else v) for k, v in state.items()}
    state = {k: v.detach().contiguous().cpu() for k, v in state.items()}
    shards = _shards(state, parse_size(max_shard_size))
    total = len(shards)
    names = (
        [SINGLE_NAME]
        if total == 1
        else [f"model-{i:05d}-of-{total:05d}.safetensors" for i in range(1, total + 1)]
    )
    written = []
    for name, shard in zip(names, shards, strict=True):
        with atomic_file(directory / name) as temporary:
            save_file(shard, str(temporary), metadata={"format": "pt"})
        written.append(directory / name)
    index = directory / INDEX_NAME
    if total > 1:
        weight_map = {k: name for name, shard in zip(names, shards, strict=True) for k in shard}
        total_size = sum(v.numel() * v.element_size() for v in state.values())
        write_json(index, {"metadata": {"total_size": total_size}, "weight_map": weight_map})
    elif index.exists():
        index.unlink()
    for stale in directory.glob("model*.safetensors"):
        if stale not in written:
            stale.unlink()
    config = model.config
    saved_dtype = dtype or next(iter(state.values())).dtype
    previous = config.dtype
    config.dtype = saved_dtype
    try:
        config.save_pretrained(directory)
    finally:
        config.dtype = previous
    model.generation_config.save_pretrained(str(directory))
    return written
