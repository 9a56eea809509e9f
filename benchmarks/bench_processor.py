"""Processor throughput on real-size photos (num_crops 16 vs 4) and tiny-model training cost per sample.

Run: python benchmarks/bench_processor.py [--images 100]
Prints images/s (best of 3 rounds) and placeholder-token counts of the real-model HD transform (crop 336) on varied JPEG
photos, with and without JPEG decoding, and the forward + backward time per sample of the tiny preset
on the CPU at a few batch sizes. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

import numpy as np
import torch
from PIL import Image
from productlens.finetune.phi3v import Phi3VImageProcessor
from productlens.finetune.trained import open_model

SIZES = [
    (800, 1000),
    (1000, 800),
    (1200, 900),
    (900, 1200),
    (1080, 1350),
    (1920, 1080),
    (640, 480),
    (1000, 1000),
]
PROMPT = "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"
TARGET = "Product: Black Leather Bag, Category: BAGS, Full Price: 1290<|end|>\n<|endoftext|>"


def make_jpegs(count: int, seed: int = 0) -> list[bytes]:
    """Photo-like JPEGs: smooth colour gradients with a bright object and sensor noise, varied sizes."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        width, height = SIZES[k % len(SIZES)]
        y, x = np.mgrid[0:height, 0:width].astype(np.float32)
        base = rng.uniform(60, 200, 3)
        image = base + 40 * np.stack([x / width, y / height, (x + y) / (width + height)], axis=-1)
        cy, cx, r = (
            rng.uniform(0.3, 0.7) * height,
            rng.uniform(0.3, 0.7) * width,
            rng.uniform(0.15, 0.3) * height,
        )
        inside = (y - cy) ** 2 + (x - cx) ** 2 < r**2
        image[inside] = rng.uniform(0, 255, 3)
        image += rng.normal(0, 6, image.shape)
        buffer = io.BytesIO()
        Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
    return out


def best_of(rounds: int, run) -> float:
    """Fastest of several rounds, in seconds: other processes on a shared CPU only ever add time."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_processor(jpegs: list[bytes], num_crops: int, rounds: int = 3) -> dict[str, float]:
    processor = Phi3VImageProcessor(num_crops=num_crops)
    decoded = [Image.open(io.BytesIO(data)).convert("RGB") for data in jpegs]
    tokens = [processor([image]).num_img_tokens[0] for image in decoded]
    process_s = best_of(rounds, lambda: [processor([image]) for image in decoded])
    total_s = best_of(rounds, lambda: [processor([Image.open(io.BytesIO(data))]) for data in jpegs])
    return {
        "images_per_s": len(jpegs) / process_s,
        "with_decode_per_s": len(jpegs) / total_s,
        "tokens_mean": statistics.mean(tokens),
        "tokens_min": min(tokens),
        "tokens_max": max(tokens),
    }


def bench_tiny(batch_sizes: list[int], steps: int = 5) -> list[tuple[int, float, int]]:
    tiny = open_model("tiny")  # seed 0
    model, processor = tiny.model, tiny.processor
    model.train()
    image = Image.open(io.BytesIO(make_jpegs(1)[0]))
    rows = []
    for batch_size in batch_sizes:
        batch = processor([PROMPT] * batch_size, [[image]] * batch_size, targets=[TARGET] * batch_size)
        model(**batch).loss.backward()  # warm-up
        times = []
        for _ in range(steps):
            model.zero_grad()
            start = time.perf_counter()
            model(**batch).loss.backward()
            times.append(time.perf_counter() - start)
        rows.append((batch_size, statistics.median(times) / batch_size, batch["input_ids"].shape[1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, load average {load} (shared CPUs skew timings)"
    )
    jpegs = make_jpegs(args.images)
    print(
        f"{len(jpegs)} JPEG photos, sizes {sorted(set(SIZES))}, mean {statistics.mean(map(len, jpegs)) / 1e3:.0f} kB"
    )
    print(f"{'num_crops':>9} {'images/s':>9} {'+decode/s':>10} {'tokens mean':>12} {'min':>6} {'max':>6}")
    results = {}
    for num_crops in (16, 4):
        r = results[num_crops] = bench_processor(jpegs, num_crops)
        print(
            f"{num_crops:>9} {r['images_per_s']:>9.1f} {r['with_decode_per_s']:>10.1f} {r['tokens_mean']:>12.0f} "
            f"{r['tokens_min']:>6} {r['tokens_max']:>6}"
        )
    ratio = results[4]["images_per_s"] / results[16]["images_per_s"]
    tokens = results[16]["tokens_mean"] / results[4]["tokens_mean"]
    print(f"num_crops 4 vs 16: {ratio:.2f}x the images/s, {tokens:.2f}x fewer placeholder tokens per image")
    print("tiny preset forward + backward on the CPU (crop 64, num_crops 1, 41 image tokens):")
    print(f"{'batch':>6} {'ms/sample':>10} {'seq len':>8}")
    for batch_size, per_sample, length in bench_tiny([1, 8, 32]):
        print(f"{batch_size:>6} {per_sample * 1e3:>10.1f} {length:>8}")


if __name__ == "__main__":
    main()
