"""Fine-tuning speed and memory: the tiny model on the CPU at batch 1 vs 8, and the --dry-run plan of the real model.

    python benchmarks/bench_finetune.py [--steps 12] [--rows 160]

Part 1 trains the tiny preset as `finetune --model tiny` does (full training, AdamW, the same collator),
timing collation + forward + backward + optimizer step after two warm-up steps, and prints samples/s,
tokens/s (real, unpadded tokens) from the median step time, and the process's peak resident memory
(cumulative: batch 1 runs first). Part 2 prints the dry-run plan
of Phi-3-vision-128k-instruct (official config from ../shared/phi3v-reference, meta device, no weights)
at num_crops 4 and 16 for one 80 GB GPU.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "phi3v-reference" / "phi-3-vision-128k-instruct"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def train_throughput(rows: list[dict], batch_size: int, steps: int) -> dict[str, float]:
    from productlens.finetune.collator import ProductCollator
    from productlens.finetune.config import FinetuneConfig
    from productlens.finetune.lora import select_full_training
    from productlens.finetune.recipe import prompt_style
    from productlens.finetune.trained import open_model

    config = FinetuneConfig().resolve()
    tiny = open_model("tiny")
    model, processor = tiny.model, tiny.processor
    select_full_training(model, config.vision)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    collate = ProductCollator(processor, prompt_style(config))
    step_times, step_samples, step_tokens = [], [], []
    for step in range(steps + 2):
        start = (step * batch_size) % max(1, len(rows) - batch_size)
        began = time.perf_counter()
        batch = collate(rows[start : start + batch_size])
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step >= 2:  # two warm-up steps excluded
            step_times.append(time.perf_counter() - began)
            step_samples.append(batch["input_ids"].shape[0])
            step_tokens.append(int(batch["attention_mask"].sum()))
    # the median step time: robust to other processes competing for the same cores
    median = statistics.median(step_times)
    return {
        "samples_s": statistics.mean(step_samples) / median,
        "tokens_s": statistics.mean(step_tokens) / median,
        "step_ms": median * 1000,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per batch size")
    parser.add_argument("--rows", type=int, default=160, help="rows in the generated sample set")
    args = parser.parse_args()

    from productlens.core.sample_set import load_sample_set
    from productlens.generate.synthesize import GenerateConfig, generate_set

    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "products"
        generate_set(GenerateConfig(count=args.rows, out=data, seed=1, workers=1))
        rows = list(load_sample_set(data)["train"])
        print(
            f"\n1. tiny model, full training on the CPU ({len(rows)} training rows, {args.steps} timed steps)"
        )
        print(f"{'batch':>6} {'step ms':>9} {'samples/s':>10} {'tokens/s':>10} {'peak RSS MB':>12}")
        results = {}
        for batch_size in (1, 8):
            results[batch_size] = train_throughput(rows, batch_size, args.steps)
            r = results[batch_size]
            print(
                f"{batch_size:>6} {r['step_ms']:>9.0f} {r['samples_s']:>10.1f} {r['tokens_s']:>10.0f} "
                f"{r['peak_rss_mb']:>12.0f}"
            )
        ratio = results[8]["samples_s"] / results[1]["samples_s"]
        print(
            f"batch 8 / batch 1: {ratio:.2f}x samples/s, {results[8]['tokens_s'] / results[1]['tokens_s']:.2f}x tokens/s"
        )

    print(
        "\n2. finetune --dry-run for Phi-3-vision-128k-instruct (meta device), LoRA r 64, batch 8, 80 GB GPU"
    )
    if not REFERENCE.is_dir():
        print(f"skipped: {REFERENCE} not found")
        return
    from productlens.finetune.config import FinetuneConfig
    from productlens.finetune.plan import GB, plan_training
    from productlens.reports.finetune_view import plan_table
    from rich.console import Console

    console = Console(width=110, color_system=None)
    plans = {}
    for num_crops in (4, 16):
        config = FinetuneConfig(model=str(REFERENCE), num_crops=num_crops, data=Path("/nonexistent"))
        started = time.perf_counter()
        plans[num_crops] = plan_training(config, gpu_memory_gb=80)
        console.print(plan_table(plans[num_crops].to_dict()))
        print(f"(planned in {time.perf_counter() - started:.1f} s)")
    a, b = plans[4], plans[16]
    print(
        f"num_crops 16 vs 4: tokens/sample {b.tokens.total / a.tokens.total:.2f}x, activations/sample "
        f"{b.activations_per_sample / a.activations_per_sample:.2f}x, total at batch 8 "
        f"{b.memory.total / GB:.1f} vs {a.memory.total / GB:.1f} GB, largest batch {b.max_batch_size} vs {a.max_batch_size}"
    )


if __name__ == "__main__":
    main()
