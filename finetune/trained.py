"""Opening a model, in one place: a run directory, a model directory (a run's merged/ too), "tiny" or a hub id
with an optional adapter -> the model, its processor and the prompt style it answers in, placed where its use
needs it.

    open_model("runs/tiny", placement=Placement.for_generation())       # evaluate --run
    open_model("tiny", adapter="runs/x/adapter", placement=...)          # evaluate --model --adapter
    load_run("runs/tiny")                                                # (model, processor), for users

A run is opened the way `finetune` wrote it: merged/ (full weights) when run.json names it, else the base
model with adapter/ folded in, and the processor the run trained with; run.json also gives the prompt style.
The tiny preset's tokenizer is built from the catalogue's title words, so a tiny base always has the
vocabulary its runs were trained with. Weights are read from safetensors only (phi3v/weights.py), and a hub
id is fetched only when it cannot be a local path (phi3v/loader.py).

Where and in which dtype (`Placement`): generation on the GPU when there is one (bf16, fp16 where bf16 is not
supported), else the CPU in the checkpoint's dtype; training in the dtype its method and precision need (a
4-bit decoder for QLoRA); merging on the CPU in fp32 for tiny, bf16 otherwise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import torch
from productlens.core.run_json import read_run_record
from productlens.finetune.answer_format import PromptStyle
from productlens.finetune.config import TINY
from productlens.finetune.run_dir import RunLayout

if TYPE_CHECKING:
    from productlens.finetune.phi3v import Phi3VForCausalLM

TrainPrecision = Literal["bf16", "fp16", "fp32"]


@dataclass(frozen=True)
class Placement:
    """Where the opened model goes and in which dtype; the rules for each use are the constructors."""

    device: torch.device | None = None  # None: where it loads (the CPU; the Trainer places a model to train)
    dtype: torch.dtype | None = None  # None: the checkpoint's (float32 for tiny)

    @classmethod
    def for_generation(cls, device: str | None = None) -> Placement:
        """The GPU in bf16 (fp16 on GPUs without bf16) when there is one or `device` names it; else the CPU
        in the checkpoint's dtype."""
        if device is not None and torch.device(device).type == "cpu":
            return cls(torch.device("cpu"), None)
        if device is not None or torch.cuda.is_available():
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            return cls(torch.device(device or "cuda"), dtype)
        return cls(torch.device("cpu"), None)

    @classmethod
    def for_training(cls, method: str, precision: TrainPrecision) -> Placement:
        """LoRA keeps the frozen base in 16 bits (adapters stay fp32); full training keeps fp32 master weights."""
        if method == "full" or precision == "fp32":
            return cls(None, torch.float32)
        return cls(None, torch.bfloat16 if precision == "bf16" else torch.float16)

    @classmethod
    def for_merging(cls, base_model: str) -> Placement:
        """A fresh base on the CPU: fp32 for tiny, bf16 for a real checkpoint."""
        return cls(torch.device("cpu"), torch.float32 if base_model == TINY else torch.bfloat16)


@dataclass
class OpenedModel:
    model: Phi3VForCausalLM  # eval mode, on `device`
    processor: Any  # Phi3VProcessor
    device: torch.device
    prompt_style: PromptStyle  # the one a run was trained with; the chat preset for any other model


class TrainedRun(NamedTuple):
    """What opening a run needs from its run.json (the one place that reads it here)."""

    base_model: str
    adapter: str | None  # relative to the run directory
    merged: str | None
    prompt_style: PromptStyle


def read_trained_run(run_dir: str | Path) -> TrainedRun:
    """Base model, adapter/merged directories and prompt style (preset plus question/answer overrides)."""
    record = read_run_record(Path(run_dir))
    style = PromptStyle.preset(record["prompt_style"])  # type: ignore[arg-type]  # checked by PromptStyle.preset
    overrides = {key: record["config"].get(key) for key in ("question", "answer_template")}
    style = dataclasses.replace(style, **{key: value for key, value in overrides.items() if value})
    return TrainedRun(record["base_model"], record["adapter"], record["merged"], style)


def is_run_dir(path: str | Path) -> bool:
    """True for a directory `finetune` wrote (it holds run.json)."""
    return (Path(path) / "run.json").is_file()


def resolve_prompt_style(requested: str | None, run_dir: str | Path | None) -> PromptStyle:
    """The preset the user asked for; else the run's own style; else the chat preset."""
    if requested is not None:
        return PromptStyle.preset(requested)  # type: ignore[arg-type]
    if run_dir is not None and is_run_dir(run_dir):
        return read_trained_run(run_dir).prompt_style
    return PromptStyle.preset("chat")


def open_model(
    model: str | Path,
    adapter: str | Path | None = None,
    placement: Placement = Placement(),
    *,
    num_crops: int | None = None,
    attn_implementation: str | None = None,
    quantization_config: Any = None,
) -> OpenedModel:
    """A run directory, a model directory, "tiny" or a hub id (+ a PEFT adapter folded in), opened for use.

    The processor is the run's, or the one saved beside the adapter, else the model directory's.
    """
    if is_run_dir(model):
        if adapter is not None:
            raise ValueError(
                f"{model} is a run directory, which names its own adapter; pass --adapter only with --model"
            )
        return _open_run(Path(model), placement, num_crops)
    text = str(model)
    if text != TINY and Path(text).is_dir() and not (Path(text) / "config.json").is_file():
        raise FileNotFoundError(
            f"{text} holds neither run.json (a run directory from `finetune`) nor config.json "
            "(a Phi-3-Vision model directory)"
        )
    loaded, processor = _load(text, placement, num_crops, attn_implementation, quantization_config)
    if adapter is not None:
        loaded = _fold_adapter(loaded, Path(adapter))
        if (Path(adapter) / "preprocessor_config.json").is_file():
            # finetune saves the processor it trained with beside the adapter; use the same one
            processor = _processor(Path(adapter), num_crops)
    return _placed(loaded, processor, placement, PromptStyle.preset("chat"))


def load_run(run_dir: str | Path, dtype: torch.dtype | None = None, num_crops: int | None = None):
    """(model in eval mode, processor) of a run directory written by `finetune`, on the CPU."""
    opened = _open_run(Path(run_dir), Placement(None, dtype), num_crops)
    return opened.model, opened.processor


def _open_run(root: Path, placement: Placement, num_crops: int | None) -> OpenedModel:
    layout = RunLayout(root)
    run = read_trained_run(layout.root)
    if run.merged:
        model, _ = _load(str(layout.root / run.merged), placement)
    else:
        base, _ = _load(run.base_model, placement)
        model = _fold_adapter(base, layout.root / str(run.adapter))
    return _placed(model, _processor(layout.processor, num_crops), placement, run.prompt_style)


def _load(
    model: str,
    placement: Placement,
    num_crops: int | None = None,
    attn_implementation: str | None = None,
    quantization_config: Any = None,
):
    from productlens.finetune.phi3v import load_phi3v
    from productlens.generate.taxonomy import title_vocabulary

    return load_phi3v(
        model,
        dtype=placement.dtype,
        attn_implementation=attn_implementation,
        num_crops=num_crops,
        quantization_config=quantization_config,
        tiny_words=title_vocabulary() if model == TINY else None,
    )


def _processor(directory: Path, num_crops: int | None):
    from productlens.finetune.phi3v import Phi3VProcessor

    return Phi3VProcessor.from_pretrained(directory, num_crops=num_crops)


def _fold_adapter(base: Phi3VForCausalLM, adapter: Path) -> Phi3VForCausalLM:
    # peft is imported here, not at the top: evaluate --help, compare and --predictions never need it.
    from peft import PeftModel

    if not (adapter / "adapter_config.json").is_file():
        raise FileNotFoundError(
            f"--adapter {adapter}: no adapter_config.json; expected a PEFT adapter directory "
            "(a run's adapter/), or pass the run itself with --run"
        )
    # Folding the LoRA weights in makes generation as fast as the base model.
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    assert isinstance(merged, type(base))  # the base model itself, with the adapter's weights folded in
    return merged


def _placed(model: Phi3VForCausalLM, processor: Any, placement: Placement, style: PromptStyle) -> OpenedModel:
    if placement.device is not None:
        # PreTrainedModel.to is wrapped with functools.wraps, whose stub loses the method binding
        model = model.to(placement.device)  # pyright: ignore[reportArgumentType]
    device = placement.device or next(model.parameters()).device
    return OpenedModel(model.eval(), processor, device, style)
