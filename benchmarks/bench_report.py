"""HTML report size and render time for 1,000 samples with thumbnails (and the Rich summary beside it).

Run: python benchmarks/bench_report.py [--n 1000] [--repeats 3]
Builds a synthetic set with sample-gen's renderer, scores made-up answers with evaluate's scoring,
then times reports alone: rendering the HTML string, writing it atomically, and the terminal summary.
Prints the figures and how the file's bytes split between thumbnails, plots and the rest.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from io import StringIO
from pathlib import Path

from productlens.evaluate.predictions_io import reference_from_row
from productlens.evaluate.scoring import evaluate_records
from productlens.evaluate.thumbnails import thumbnail_jpeg
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer
from productlens.generate.synthesize import GenerateConfig, iter_products
from productlens.reports.html import render_report, write_report
from productlens.reports.svg_plots import (
    log_error_histogram_svg,
    log_errors,
    price_scatter_svg,
    scatter_points,
)
from productlens.reports.terminal import render_summary
from rich.console import Console


def made_up_answer(row: dict, rng: random.Random) -> str:
    """Mostly right, sometimes off in price or category, sometimes unreadable - like a half-trained model."""
    roll = rng.random()
    if roll < 0.08:
        return "I am not sure what this product is."
    category = row["category3_code"] if roll > 0.25 else rng.choice(["BAGS", "SCARVES", "COATS", "SHIRTS"])
    price = row["full_price"] * rng.lognormvariate(0, 0.3)
    return format_answer(row["title"], category, round(price, 2))


def build(n: int, seed: int = 0) -> tuple[dict, list[dict], dict[str, bytes]]:
    rows = list(iter_products(GenerateConfig(count=2 * n, seed=seed, workers=None)))
    train, test = rows[:n], rows[n:]
    stats = TrainingStats.from_columns(
        [r["category1_code"] for r in train],
        [r["category2_code"] for r in train],
        [r["category3_code"] for r in train],
        [r["full_price"] for r in train],
    )
    rng = random.Random(seed)
    records = [
        {"id": r["product_code"], "generated": made_up_answer(r, rng), "reference": reference_from_row(r)}
        for r in test
    ]
    scored = evaluate_records(records, stats, name="bench", n_resamples=200, seed=seed)
    thumbnails = {r["product_code"]: thumbnail_jpeg(r["image"]) for r in test}
    return scored.results, scored.records, thumbnails


def timed(function, repeats: int) -> tuple[float, object]:
    """The fastest of `repeats` runs (the least disturbed by other work on the machine) and the result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="samples in the report")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the fastest is printed")
    args = parser.parse_args()

    started = time.perf_counter()
    results, records, thumbnails = build(args.n)
    print(
        f"setup: {args.n} samples generated, scored and thumbnailed in {time.perf_counter() - started:.1f} s"
    )

    render_report(results, records[:10], thumbnails)  # warm-up: matplotlib's first figure loads fonts
    render_s, document = timed(lambda: render_report(results, records, thumbnails), args.repeats)
    bare_s, bare = timed(lambda: render_report(results, records, None), args.repeats)
    small_s, _ = timed(lambda: render_report(results, records[: args.n // 10], thumbnails), args.repeats)
    plots_s, _ = timed(
        lambda: (
            price_scatter_svg(scatter_points(records)),
            log_error_histogram_svg(log_errors(records)),
        ),
        args.repeats,
    )
    with tempfile.TemporaryDirectory() as directory:
        write_s, path = timed(
            lambda: write_report(Path(directory) / "report.html", results, records, thumbnails), 1
        )
        size = Path(path).stat().st_size
    terminal_s, _ = timed(
        lambda: Console(file=StringIO(), width=100, color_system=None).print(
            render_summary(results, records)
        ),
        args.repeats,
    )

    thumb_bytes = sum(len(t) for t in thumbnails.values())
    thumb_b64 = sum(4 * ((len(t) + 2) // 3) for t in thumbnails.values())
    svg_bytes = sum(
        len(block) for block in document.split("<svg")[1:] for block in [block.split("</svg>")[0]]
    )
    print(f"{'':34}{'seconds':>10}{'MB':>10}")
    print(
        f"{f'HTML, {args.n} samples + thumbnails':34}{render_s:>10.3f}{len(document.encode()) / 1e6:>10.2f}"
    )
    print(f"{f'HTML, {args.n} samples, no thumbnails':34}{bare_s:>10.3f}{len(bare.encode()) / 1e6:>10.2f}")
    print(f"{f'HTML, {args.n // 10} samples + thumbnails':34}{small_s:>10.3f}")
    print(f"{'  of which the two plots':34}{plots_s:>10.3f}")
    print(f"{'write_report (render + write)':34}{write_s:>10.3f}{size / 1e6:>10.2f}")
    print(f"{'Rich summary with worst examples':34}{terminal_s:>10.3f}")
    print(
        f"size split: thumbnails {thumb_b64 / 1e6:.2f} MB as base64 ({thumb_bytes / args.n / 1e3:.1f} kB JPEG each), "
        f"plots {svg_bytes / 1e6:.2f} MB, everything else {(size - thumb_b64 - svg_bytes) / 1e6:.2f} MB"
    )
    print(
        f"ratios: {args.n} vs {args.n // 10} samples render time x{render_s / small_s:.1f}; "
        f"per extra sample {1e3 * (render_s - small_s) / (args.n - args.n // 10):.2f} ms; thumbnails add x{render_s / bare_s:.2f} time, "
        f"x{len(document) / len(bare):.1f} size"
    )


if __name__ == "__main__":
    main()
