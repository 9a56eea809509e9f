"""Generation speed of evaluate's local-model path: the tiny model, samples/s at batch 1 vs batch 16.

Run: python benchmarks/bench_generation.py [--n 48] [--max-new-tokens 24] [--rounds 2]
Generates a small sample set, loads the tiny preset once, then times image decoding + batched greedy
generation (left padding, KV cache, stop tokens) over the same samples at each batch size. The fastest
of --rounds rounds counts, because the machine may be shared; the load average is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import torch
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.model_predictions import generate_ids, open_sample_image
from productlens.evaluate.openai_endpoint import Sample
from productlens.evaluate.predictions_io import reference_from_row
from productlens.finetune.answer_format import PromptStyle
from productlens.finetune.trained import Placement, open_model
from productlens.generate.synthesize import GenerateConfig, generate_set


def make_samples(n: int, directory: Path) -> list[Sample]:
    import datasets

    datasets.disable_progress_bars()
    generate_set(GenerateConfig(count=n, out=directory / "products", seed=0, workers=1))
    samples = []
    for split in load_sample_set(directory / "products").values():
        rows = split.cast_column("image", datasets.Image(decode=False))
        for row in rows:
            samples.append(Sample(row["product_code"], row["image"]["bytes"], reference_from_row(row)))
    return samples[:n]


def answer_lengths(generated: torch.Tensor, stop_ids: list[int]) -> int:
    """Generated tokens summed over rows, each row counted up to and including its first stop token."""
    stops = torch.isin(generated, torch.tensor(stop_ids))
    first_stop = torch.where(stops.any(1), stops.int().argmax(1) + 1, generated.shape[1])
    return int(first_stop.sum())


def time_batches(local, samples: list[Sample], batch_size: int, max_new_tokens: int) -> tuple[float, int]:
    """(seconds, generated tokens) for all samples at one batch size, images decoded inside the timing."""
    style = PromptStyle.preset("chat")
    tokens = 0
    started = time.perf_counter()
    for start in range(0, len(samples), batch_size):
        images = [open_sample_image(sample) for sample in samples[start : start + batch_size]]
        generated = generate_ids(local, images, style, max_new_tokens)
        local.processor.batch_decode(generated)  # decoding is part of the work
        tokens += answer_lengths(generated, local.processor.stop_token_ids)
    return time.perf_counter() - started, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=48, help="Samples to generate for.")
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--rounds", type=int, default=2, help="Timed rounds per batch size (fastest counts).")
    parser.add_argument("--num-crops", type=int, default=None, help="HD crops (tiny default: 1).")
    parser.add_argument("--device", default=None, help="cpu or cuda; default: the GPU when there is one.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        samples = make_samples(args.n, Path(tmp))
    local = open_model("tiny", placement=Placement.for_generation(args.device), num_crops=args.num_crops)
    time_batches(local, samples[: max(args.batch_sizes)], max(args.batch_sizes), 4)  # warm-up

    print(
        f"tiny model, {len(samples)} samples, max_new_tokens {args.max_new_tokens}, "
        f"num_crops {local.processor.image_processor.config.num_crops}, device {local.device}"
    )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), best of {args.rounds} rounds"
    )
    if local.device.type == "cuda":
        print(f"GPU: {torch.cuda.get_device_name(local.device)}, dtype {local.model.dtype}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rates = {}
    for batch_size in args.batch_sizes:
        best, tokens = min(
            time_batches(local, samples, batch_size, args.max_new_tokens) for _ in range(args.rounds)
        )
        rates[batch_size] = len(samples) / best
        print(
            f"batch {batch_size:>3}: {best:7.2f} s  {rates[batch_size]:7.2f} samples/s  "
            f"{tokens / best:8.1f} generated tokens/s  ({tokens / len(samples):.1f} tokens/answer)"
        )
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    first, last = args.batch_sizes[0], args.batch_sizes[-1]
    print(f"ratio batch {last} / batch {first}: {rates[last] / rates[first]:.2f}x samples/s")


if __name__ == "__main__":
    main()
