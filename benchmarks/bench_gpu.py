"""The real job on one GPU: LoRA training and generation speed and memory of full-size Phi-3-Vision.

    python benchmarks/bench_gpu.py                 # both official configs (../shared/phi3v-reference), random bf16
    python benchmarks/bench_gpu.py --model /models/Phi-3.5-vision-instruct   # a directory with weights loads them
    python benchmarks/bench_gpu.py --tiny          # the tiny preset on the CPU, end to end in under a minute

A --model directory needs config.json, the tokenizer and preprocessor_config.json; with *.safetensors in it the
weights are loaded, else the model is built at full size from config.json with random weights. On a synthetic
set made here (sample-gen's renderer), for each model:

1. LoRA training with the default recipe (r 64 on the decoder, vision frozen, activation checkpointing, SDPA,
   bf16 autocast, AdamW) at num_crops 4 and 16 and batch 1, 8 and the largest that `finetune --dry-run` says
   fits: images/s and tokens/s from the median of timed steps after warm-up (collation included, as finetune
   runs with --dataloader-workers 0; CUDA-synchronised), MFU from the token count, and peak allocated /
   reserved memory beside the dry-run estimate for the same settings;
2. greedy generation of the answer format (evaluate's code path, 64 new tokens) at batch 1, 8 and 32;
3. flash-attention 2 and QLoRA (bitsandbytes) repeats of num_crops 16 batch 8, skipped with the reason when
   the package or a GPU is missing.

Every measurement stops taking steps after --budget seconds; each model has an equal share of --deadline,
and measurements that would start after its share are skipped (listed). Prints one table and writes the
same rows as JSON (--json).

MFU counts model FLOPs per step: 4 x frozen decoder parameters (forward + input gradients; frozen weights get
no weight gradient) + 6 x adapter parameters per token, causal attention 6 x layers x hidden x length^2 per
sample, and the CLIP forward (2 x its parameters per patch); recomputation under checkpointing is not counted.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import torch
from productlens.core.json_files import write_json

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout, or shared/ inside it (a copied working tree on a GPU host)
REFERENCE = next(
    (
        p
        for p in (ROOT.parent / "shared" / "phi3v-reference", ROOT / "shared" / "phi3v-reference")
        if p.is_dir()
    ),
    ROOT.parent / "shared" / "phi3v-reference",
)
OFFICIAL = [REFERENCE / "phi-3-vision-128k-instruct", REFERENCE / "phi-3.5-vision-instruct"]
GB = 1024**3
# Dense bf16 tensor-core peaks (FLOP/s) from the vendors' data sheets; --peak-tflops for anything else.
PEAK_BF16 = [("H100 PCIe", 756e12), ("H100", 989e12), ("H200", 989e12), ("A100", 312e12), ("L40S", 362e12)]


@dataclass
class Row:
    model: str
    part: str  # lora, gen, fa2-lora, fa2-gen, qlora
    num_crops: int
    batch: int
    status: str = "ok"  # ok, OOM, or why it did not run
    steps: int = 0
    per_s: float | None = None  # images/s (training) or samples/s (generation)
    tokens_s: float | None = None
    step_s: float | None = None
    collate_share: float | None = None
    mfu: float | None = None
    tokens_per_sample: float | None = None
    peak_allocated_gb: float | None = None
    peak_reserved_gb: float | None = None
    dry_run_gb: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.peak_reserved_gb is None or not self.dry_run_gb:
            return None
        return self.peak_reserved_gb / self.dry_run_gb


@dataclass
class Clock:
    budget: float  # seconds per measurement
    deadline: float  # seconds for the whole run
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> float:
        return self.deadline - (time.perf_counter() - self.started)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # note: a CPU-GPU sync point, so the step time is the GPU's


def reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def record_peak(row: Row, device: torch.device) -> None:
    if device.type == "cuda":
        row.peak_allocated_gb = torch.cuda.max_memory_allocated(device) / GB
        row.peak_reserved_gb = torch.cuda.max_memory_reserved(device) / GB


def peak_flops(device: torch.device, override_tflops: float | None) -> float | None:
    if override_tflops:
        return override_tflops * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in PEAK_BF16 if key in name), None)


# -- the set, the model -------------------------------------------------------------------------------------
def make_rows(directory: Path, count: int, side: int) -> tuple[Path, list[dict]]:
    import datasets
    from productlens.core.sample_set import load_sample_set
    from productlens.generate.synthesize import GenerateConfig, generate_set

    datasets.disable_progress_bars()
    data = directory / "products"
    generate_set(GenerateConfig(count=count, out=data, seed=0, workers=1, width=side, height=side))
    rows = [row for split in load_sample_set(data).values() for row in split]
    return data, rows


def build(model_dir: str, attn: str, device: torch.device, dtype: torch.dtype):
    """(model, processor): 'tiny', weights from a directory with safetensors, else random at full size."""
    from productlens.finetune.phi3v import Phi3VConfig, Phi3VProcessor
    from productlens.finetune.phi3v.modeling import build_model
    from productlens.finetune.phi3v.tiny import stop_generation_config
    from productlens.finetune.trained import Placement, open_model

    if any(Path(model_dir).glob("*.safetensors")):
        opened = open_model(model_dir, placement=Placement(device, dtype), attn_implementation=attn)
        return opened.model, opened.processor, False
    config = Phi3VConfig.from_json_file_or_dir(model_dir)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = build_model(config, dtype, attn, device=str(device))  # random init, on the GPU itself
    model.model.vision_embed_tokens.freeze_unused()
    model.config.dtype = dtype
    processor = Phi3VProcessor.from_pretrained(model_dir)
    model.generation_config = stop_generation_config(processor)
    return model.eval(), processor, True


def tiny_config_dir(directory: Path) -> str:
    """The tiny preset as a config directory without weights: --tiny takes the full-size code path."""
    from productlens.finetune.trained import open_model

    tiny = open_model("tiny")
    tiny.model.config.save_pretrained(directory)
    tiny.processor.save_pretrained(directory)
    return str(directory)


def recipe(model_dir: str, num_crops: int, batch: int, data: Path, method: str = "lora"):
    """The FinetuneConfig of the default real-model recipe, also for the tiny preset."""
    from productlens.finetune.config import FinetuneConfig

    return FinetuneConfig(
        model=model_dir,
        data=data,
        method=method,
        vision="frozen",
        gradient_checkpointing=True,
        attn_implementation="sdpa",
        num_crops=num_crops,
        batch_size=batch,
    ).resolve()


def dry_run(model_dir: str, num_crops: int, data: Path, gpu_gb: float, method: str = "lora"):
    """`finetune --dry-run`'s plan at batch 1 (the same memory model, nothing allocated)."""
    from productlens.finetune.plan import plan_training

    return plan_training(recipe(model_dir, num_crops, 1, data, method), gpu_memory_gb=gpu_gb)


def estimate_gb(plan, batch: int) -> float:
    """The plan's total at another batch size: what --dry-run --batch-size `batch` prints."""
    memory = plan.memory
    return (memory.total - memory.activations + plan.activations_per_sample * batch) / GB


# -- training ---------------------------------------------------------------------------------------------
@dataclass
class Trainee:
    model: Any  # PeftModel
    optimizer: torch.optim.Optimizer
    frozen_decoder: int  # parameters
    adapters: int
    clip: int
    layers: int
    hidden: int


def with_lora(model, config) -> Trainee:
    from productlens.finetune.lora import add_lora

    kwargs = {"use_reentrant": False}  # as the Trainer does for the recipe
    if hasattr(model, "activation_checkpointing_enable"):  # the newer name of the same switch
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    model = add_lora(model, config)
    model.train()
    named = list(model.named_parameters())
    adapters = sum(p.numel() for n, p in named if "lora_" in n)
    clip = sum(p.numel() for n, p in named if "img_processor" in n)
    decoder = sum(p.numel() for n, p in named if "vision_embed_tokens" not in n and "lora_" not in n)
    decoder -= sum(p.numel() for n, p in named if "embed_tokens.weight" in n and "vision" not in n)
    trainable = [p for _, p in named if p.requires_grad]
    base_config = model.get_base_model().config
    return Trainee(
        model=model,
        optimizer=torch.optim.AdamW(trainable, lr=config.learning_rate),
        frozen_decoder=decoder,
        adapters=adapters,
        clip=clip,
        layers=base_config.num_hidden_layers,
        hidden=base_config.hidden_size,
    )


def step_flops(trainee: Trainee, batch: dict, patches_per_image: int) -> float:
    lengths = batch["attention_mask"].sum(1).double()
    tokens = float(lengths.sum())
    attention = 6.0 * trainee.layers * trainee.hidden * float((lengths**2).sum())
    clip = 2.0 * trainee.clip * patches_per_image * batch["pixel_values"].shape[0]
    return tokens * (4.0 * trainee.frozen_decoder + 6.0 * trainee.adapters) + attention + clip


def measure_training(
    trainee: Trainee, processor, style, rows, row: Row, args, clock: Clock, device, peak: float | None
) -> Row:
    from productlens.finetune.collator import ProductCollator

    processor.image_processor.config.num_crops = row.num_crops
    collate = ProductCollator(processor, style)
    clip = trainee.model.get_base_model().config.clip_config()
    patches = (row.num_crops + 1) * ((clip.image_size // clip.patch_size) ** 2 + 1)
    source = cycle(rows)
    times, collate_times, tokens, flops = [], [], [], []
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    reset_peak(device)
    began = time.perf_counter()
    try:
        for step in range(args.warmup + args.steps):
            if (
                step >= args.warmup
                and times
                and time.perf_counter() - began > min(clock.budget, clock.left())
            ):
                break
            sync(device)
            start = time.perf_counter()
            batch = collate(list(islice(source, row.batch)))
            collated = time.perf_counter()
            inputs = {key: value.to(device) for key, value in batch.items()}
            with autocast:
                loss = trainee.model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainee.model.parameters(), 1.0)
            trainee.optimizer.step()
            trainee.optimizer.zero_grad(set_to_none=True)
            sync(device)
            if step >= args.warmup:
                times.append(time.perf_counter() - start)
                collate_times.append(collated - start)
                tokens.append(int(batch["attention_mask"].sum()))
                flops.append(step_flops(trainee, batch, patches))
    except torch.OutOfMemoryError:
        trainee.optimizer.zero_grad(set_to_none=True)
        row.status = "OOM"
    record_peak(row, device)
    if times:
        median = statistics.median(times)
        row.steps, row.step_s = len(times), median
        row.per_s = row.batch / median
        row.tokens_s = statistics.mean(tokens) / median
        row.tokens_per_sample = statistics.mean(tokens) / row.batch
        row.collate_share = statistics.median(collate_times) / median
        row.mfu = statistics.mean(flops) / median / peak if peak else None
    elif row.status == "ok":
        row.status = "no timed step within the budget"
    return row


# -- generation -------------------------------------------------------------------------------------------
def measure_generation(model, processor, style, rows, row: Row, args, clock: Clock, device) -> Row:
    from productlens.evaluate.model_predictions import generate_ids
    from productlens.finetune.trained import OpenedModel

    processor.image_processor.config.num_crops = row.num_crops
    local = OpenedModel(model.eval(), processor, device, style)
    images = [r["image"].convert("RGB") for r in islice(cycle(rows), row.batch)]
    stops = torch.tensor(processor.stop_token_ids)
    times, generated = [], []
    reset_peak(device)
    began = time.perf_counter()
    try:
        for call in range(1 + args.gen_rounds):  # the first call warms up
            if call >= 1 and times and time.perf_counter() - began > min(clock.budget, clock.left()):
                break
            sync(device)
            start = time.perf_counter()
            ids = generate_ids(local, images, style, args.new_tokens)
            sync(device)
            if call >= 1:
                times.append(time.perf_counter() - start)
                is_stop = torch.isin(ids, stops)
                lengths = torch.where(is_stop.any(1), is_stop.int().argmax(1) + 1, ids.shape[1])
                generated.append(float(lengths.float().mean()))
    except torch.OutOfMemoryError:
        row.status = "OOM"
    record_peak(row, device)
    if times:
        median = statistics.median(times)
        row.steps, row.step_s = len(times), median
        row.per_s = row.batch / median
        row.tokens_per_sample = statistics.mean(generated)
        row.tokens_s = row.tokens_per_sample * row.batch / median
    elif row.status == "ok":
        row.status = "no timed call within the budget"
    return row


# -- the plan of one model ----------------------------------------------------------------------------------
def skip_reason(part: str, device: torch.device) -> str | None:
    package = {"fa2": "flash_attn", "qlora": "bitsandbytes"}[part]
    if importlib.util.find_spec(package) is None:
        return f"{package} not installed"
    if device.type != "cuda":
        return "needs a CUDA GPU"
    return None


def free() -> None:
    """Return the memory of models the caller has just deleted."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def bench_model(
    model_dir: str, name: str, data: Path, rows, args, clock: Clock, device, out: list[Row]
) -> None:
    """Every measurement of one model, appended to `out` as it is made."""
    from productlens.finetune.recipe import prompt_style

    dtype = torch.float32 if device.type == "cpu" else torch.bfloat16
    peak = peak_flops(device, args.peak_tflops)
    style = prompt_style(recipe(model_dir, 4, 1, data))
    first = len(out)

    def late(row: Row) -> bool:
        if clock.left() <= 0:
            row.status = "skipped: --deadline reached"
            out.append(row)
            return True
        return False

    model, processor, random_weights = build(model_dir, "sdpa", device, dtype)
    for batch in args.gen_batches:
        row = Row(name, "gen", args.gen_crops, batch)
        if not late(row):
            out.append(measure_generation(model, processor, style, rows, row, args, clock, device))
    trainee = with_lora(model, recipe(model_dir, 4, 1, data))
    for num_crops in args.crops:
        plan = dry_run(model_dir, num_crops, data, args.gpu_memory)
        largest = plan.max_batch_size
        batches = sorted({*args.train_batches, min(largest, args.max_batch)} - {0})
        for batch in batches:
            row = Row(name, "lora", num_crops, batch, extra={"dry_run_largest_batch": largest})
            if late(row):
                continue
            row.dry_run_gb = estimate_gb(plan, batch)
            out.append(measure_training(trainee, processor, style, rows, row, args, clock, device, peak))
    del trainee, model
    free()
    crops, batch = max(args.crops), 8

    for part in ("fa2", "qlora"):
        reason = skip_reason(part, device)
        row = Row(name, f"{part}-lora" if part == "fa2" else part, crops, batch)
        if reason:
            row.status = f"skipped: {reason}"
            out.append(row)
            continue
        if late(row):
            continue
        try:
            out.extend(
                optional_part(part, row, model_dir, data, rows, style, args, clock, device, dtype, peak)
            )
        except Exception as error:  # one failing part (a kernel, a package) must not lose the others
            row.status = f"error: {type(error).__name__}: {error}"
            out.append(row)
            free()
    for row in out[first:]:
        row.extra["random_weights"] = random_weights


def optional_part(
    part: str,
    row: Row,
    model_dir: str,
    data: Path,
    rows: list[dict],
    style: Any,
    args: argparse.Namespace,
    clock: Clock,
    device: torch.device,
    dtype: torch.dtype,
    peak: float | None,
) -> list[Row]:
    """The flash-attention 2 (generation + training) or QLoRA repeat at the largest num_crops, batch 8."""
    out = []
    crops, batch = row.num_crops, row.batch
    if part == "fa2":
        model, processor, _ = build(model_dir, "flash_attention_2", device, dtype)
        gen = Row(row.model, "fa2-gen", args.gen_crops, max(args.gen_batches))
        out.append(measure_generation(model, processor, style, rows, gen, args, clock, device))
        trainee = with_lora(model, recipe(model_dir, crops, batch, data))
        plan = dry_run(model_dir, crops, data, args.gpu_memory)
    else:  # QLoRA as finetune --method qlora loads it (loading.py): NF4 decoder linears, k-bit preparation
        from productlens.finetune.loading import prepare_4bit
        from productlens.finetune.phi3v.quantize import qlora_config, quantize_4bit

        model, processor, _ = build(model_dir, "sdpa", device, dtype)
        model = prepare_4bit(quantize_4bit(model, qlora_config(dtype), device), gradient_checkpointing=True)
        trainee = with_lora(model, recipe(model_dir, crops, batch, data, method="qlora"))
        plan = dry_run(model_dir, crops, data, args.gpu_memory, method="qlora")
    row.dry_run_gb = estimate_gb(plan, batch)
    out.append(measure_training(trainee, processor, style, rows, row, args, clock, device, peak))
    del trainee, model
    free()
    return out


# -- output -----------------------------------------------------------------------------------------------
def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


HEADER = (
    f"{'model':<6}{'part':<9}{'crops':>5}{'batch':>6}{'img|smp/s':>10}{'tok/s':>9}{'MFU':>6}"
    f"{'alloc':>7}{'resv':>6}{'est':>6}{'resv/est':>9}"
)


def table_lines(rows: list[Row]) -> list[str]:
    lines = [HEADER, "-" * len(HEADER)]
    for r in rows:
        head = f"{r.model:<6}{r.part:<9}{r.num_crops:>5}{r.batch:>6}"
        if r.status.startswith(("skipped", "error")):  # the whole text is in the JSON
            lines.append(f"{head}  {r.status}"[:80])
            continue
        rate = fmt(r.per_s, ".2f") if r.per_s is not None or r.status == "ok" else r.status[:9]
        lines.append(
            f"{head}{rate:>10}{fmt(r.tokens_s, ',.0f'):>9}"
            f"{fmt(r.mfu * 100 if r.mfu is not None else None, '.0f'):>5}{'%' if r.mfu is not None else ' '}"
            f"{fmt(r.peak_allocated_gb, '.1f'):>7}{fmt(r.peak_reserved_gb, '.1f'):>6}{fmt(r.dry_run_gb, '.1f'):>6}"
            f"{fmt(r.ratio, '.2f'):>9}" + ("" if r.status == "ok" or r.per_s is None else f" {r.status}")
        )
    return lines


def summary(rows: list[Row]) -> dict[str, Any]:
    """The issue's three targets, from the rows measured."""
    out: dict[str, Any] = {}
    for name in dict.fromkeys(r.model for r in rows):
        gen = {r.batch: r.per_s for r in rows if r.model == name and r.part == "gen" and r.per_s}
        if 1 in gen and 32 in gen:
            out[f"{name}: generation batch 32 / batch 1 samples/s (target >= 10x)"] = round(
                gen[32] / gen[1], 2
            )
        lora16 = [
            r.per_s for r in rows if r.model == name and r.part == "lora" and r.num_crops == 16 and r.per_s
        ]
        if lora16:
            out[f"{name}: best LoRA images/s at num_crops 16 (target >= 6)"] = round(max(lora16), 2)
        ratios = [r.ratio for r in rows if r.model == name and r.ratio is not None]
        if ratios:
            worst = max(ratios, key=lambda x: abs(x - 1))
            out[f"{name}: peak reserved / dry-run, furthest from 1 (target 0.8-1.2)"] = round(worst, 2)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=None, help="config or model directory (repeat)")
    parser.add_argument("--tiny", action="store_true", help="the tiny preset on the CPU, small settings")
    parser.add_argument("--crops", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--train-batches", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--max-batch", type=int, default=None, help="cap on the dry-run's largest batch (64; tiny 8)"
    )
    parser.add_argument("--gen-batches", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--gen-crops", type=int, default=None, help="num_crops for generation (4; tiny 1)")
    parser.add_argument("--new-tokens", type=int, default=None, help="generated tokens (64; tiny 8)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed steps (default 2; tiny 1)")
    parser.add_argument("--steps", type=int, default=None, help="timed steps at most (default 8; tiny 2)")
    parser.add_argument("--gen-rounds", type=int, default=None, help="timed generate calls (3; tiny 1)")
    parser.add_argument("--budget", type=float, default=None, help="seconds per measurement (20; tiny 4)")
    parser.add_argument("--deadline", type=float, default=None, help="seconds in all (540; tiny 45)")
    parser.add_argument("--rows", type=int, default=None, help="synthetic products (64; tiny 32)")
    parser.add_argument("--gpu-memory", type=float, default=None, help="GB for the largest batch (the GPU's)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="bf16 peak for MFU (known GPUs)")
    parser.add_argument("--json", type=Path, default=Path("bench_gpu.json"), help="where the rows go")
    args = parser.parse_args(argv)
    small = args.tiny
    defaults = {
        "warmup": 1 if small else 2,
        "steps": 2 if small else 8,
        "gen_rounds": 1 if small else 3,
        "budget": 4.0 if small else 20.0,
        "deadline": 45.0 if small else 540.0,
        "rows": 32 if small else 64,
        "max_batch": 8 if small else 64,
        "new_tokens": 8 if small else 64,
        "gen_crops": 1 if small else 4,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.tiny and args.model:
        parser.error("--tiny runs the tiny preset; leave out --model")
    args.model = ["tiny"] if args.tiny else [str(p) for p in (args.model or OFFICIAL)]
    for model in args.model:
        if model != "tiny" and not (Path(model) / "config.json").is_file():
            parser.error(f"--model {model}: no config.json there (a Phi-3-Vision config or model directory)")
    if args.gpu_memory is None:
        cuda = torch.cuda.is_available()
        args.gpu_memory = torch.cuda.get_device_properties(0).total_memory / GB if cuda else 80.0
    return args


def main(argv: list[str] | None = None) -> None:
    from transformers.utils import logging as hf_logging

    args = parse_args(argv)
    hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # deprecation notices between HF libraries
    device = torch.device("cuda" if torch.cuda.is_available() and not args.tiny else "cpu")
    if device.type == "cpu" and not args.tiny:
        sys.exit("the full-size models need a CUDA GPU; on the CPU run --tiny")
    clock = Clock(budget=args.budget, deadline=args.deadline)
    what = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU, {torch.get_num_threads()} threads"
    )
    print(
        f"bench_gpu: {what}, torch {torch.__version__}, budget {args.budget:.0f} s each, deadline {args.deadline:.0f} s"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        data, samples = make_rows(Path(tmp), args.rows, 96 if args.tiny else 336)
        for index, model_dir in enumerate(args.model):
            # each model gets an equal share of the time left, so the last one is measured too
            share = Clock(budget=args.budget, deadline=clock.left() / (len(args.model) - index))
            name = "tiny" if model_dir == "tiny" else ("3.5" if "3.5" in Path(model_dir).name else "128k")
            if model_dir == "tiny":
                model_dir = tiny_config_dir(Path(tmp) / "tiny")
            try:
                bench_model(model_dir, name, data, samples, args, share, device, rows)
            except Exception as error:  # the rows measured so far are kept and printed
                rows.append(Row(name, "error", 0, 0, status=f"error: {type(error).__name__}: {error}"))
                free()
    lines = table_lines(rows)
    print("img|smp/s: training images/s or generated samples/s; memory in GB (peak allocated, reserved,")
    print(f"--dry-run estimate); generation at num_crops {args.gen_crops}, {args.new_tokens} new tokens\n")
    print("\n".join(lines))
    results = summary(rows)
    for key, value in results.items():
        print(f"{key}: {value}")
    print(f"total {time.perf_counter() - clock.started:.1f} s")
    document = {
        "device": what,
        "torch": torch.__version__,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "rows": [{**vars(r), "ratio": r.ratio} for r in rows],
        "summary": results,
        "table": lines,
    }
    write_json(args.json, document)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
