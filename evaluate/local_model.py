"""Loading a local model for evaluation: a run directory, or a model directory / "tiny" with an optional adapter.

A run directory is loaded the way `finetune` wrote it (finetune/trained.py: merged/ full weights when the run
has them, else the base model with adapter/ folded in, and the processor the run trained with); its run.json
also says which prompt style the model learned. The model goes to the GPU when there is one (bf16 where
supported, else fp16) and stays in the checkpoint's dtype on the CPU.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NamedTuple

import torch
from productlens.core.run_json import read_run_record, run_json_path
from productlens.finetune.answer_format import PromptStyle


class LocalModel(NamedTuple):
    model: torch.nn.Module  # eval mode, on `device`
    processor: Any  # Phi3VProcessor
    device: torch.device


def is_run_dir(path: str | Path) -> bool:
    """True for a directory `finetune` wrote (it holds run.json)."""
    return run_json_path(path).is_file()


def run_prompt_style(run_dir: str | Path) -> PromptStyle:
    """The prompt style a run was trained with: run.json's preset plus its question/answer overrides."""
    record = read_run_record(run_dir)
    style = PromptStyle.preset(record["prompt_style"])
    config = record["config"]
    overrides = {key: config.get(key) for key in ("question", "answer_template")}  # None: the preset's
    return dataclasses.replace(style, **{key: value for key, value in overrides.items() if value})


def resolve_prompt_style(requested: str | None, run_dir: str | Path | None) -> PromptStyle:
    """The preset the user asked for; else the run's own style; else the chat preset."""
    if requested is not None:
        return PromptStyle.preset(requested)  # type: ignore[arg-type]
    if run_dir is not None and is_run_dir(run_dir):
        return run_prompt_style(run_dir)
    return PromptStyle.preset("chat")


def inference_device_and_dtype(device: str | None = None) -> tuple[torch.device, torch.dtype | None]:
    """GPU in bf16 (fp16 on GPUs without bf16) when there is one (or `device` names it); the CPU in the
    checkpoint's dtype."""
    if device is not None and torch.device(device).type == "cpu":
        return torch.device("cpu"), None
    if device is not None or torch.cuda.is_available():
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.device(device or "cuda"), dtype
    return torch.device("cpu"), None


def load_local_model(
    model: str, adapter: str | None = None, num_crops: int | None = None, device: str | None = None
) -> LocalModel:
    """(model, processor, device) for generation from a run directory, a model directory, a hub id or "tiny".

    device: None = the GPU when there is one, else the CPU.
    """
    from productlens.finetune.phi3v import Phi3VProcessor, load_phi3v

    target, dtype = inference_device_and_dtype(device)
    if is_run_dir(model):
        if adapter is not None:
            raise ValueError(
                f"{model} is a run directory, which names its own adapter; pass --adapter only with --model"
            )
        from productlens.finetune.trained import load_run

        loaded, processor = load_run(model, dtype=dtype, num_crops=num_crops)
    else:
        if model != "tiny" and Path(model).is_dir() and not (Path(model) / "config.json").is_file():
            raise FileNotFoundError(
                f"{model} holds neither run.json (a run directory from `finetune`) nor config.json "
                "(a Phi-3-Vision model directory)"
            )
        loaded, processor = load_phi3v(model, dtype=dtype, num_crops=num_crops)
        if adapter is not None:
            loaded = _with_adapter(loaded, Path(adapter))
            if (Path(adapter) / "preprocessor_config.json").is_file():
                # finetune saves the processor it trained with beside the adapter; use the same one
                processor = Phi3VProcessor.from_pretrained(adapter, num_crops=num_crops)
    return LocalModel(loaded.to(target).eval(), processor, target)


def _with_adapter(base: torch.nn.Module, adapter: Path) -> torch.nn.Module:
    from peft import PeftModel

    if not (adapter / "adapter_config.json").is_file():
        raise FileNotFoundError(
            f"--adapter {adapter}: no adapter_config.json; expected a PEFT adapter directory "
            "(a run's adapter/), or pass the run itself with --run"
        )
    # Folding the LoRA weights in makes generation as fast as the base model.
    return PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
