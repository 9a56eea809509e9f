"""Scoring speed: 100,000 predictions re-parsed, scored and aggregated with 95 % bootstrap CIs.

The aggregates include SMAPE and every price metric per price band (training quintiles); the compare
step includes McNemar's exact test, the paired-bootstrap p-values and Holm's correction.

Run: python benchmarks/bench_scoring.py [--n 100000] [--resamples 1000]
Prints wall-clock seconds per stage and the share the bootstrap takes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from productlens.evaluate.aggregate import estimate_metrics
from productlens.evaluate.compare import compare_evaluations
from productlens.evaluate.predictions_io import write_predictions
from productlens.evaluate.scoring import _columns, evaluate_records, metric_specs, rescore_records
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer

WORDS = [
    "check",
    "cotton",
    "silk",
    "wool",
    "trench",
    "coat",
    "scarf",
    "shirt",
    "monogram",
    "quilted",
    "vintage",
    "heritage",
    "leather",
    "bag",
    "belt",
]


def synthetic_records(n: int, n_categories: int = 30, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    categories = [f"CATEGORY {i}" for i in range(n_categories)]
    records = []
    for i in range(n):
        category = categories[i % n_categories]
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(2, 5)))
        price = round(rng.lognormvariate(6.5, 0.8), 2)
        roll = rng.random()
        if roll < 0.05:
            generated = "I am not sure what this is."
        else:
            predicted_title = title if roll < 0.5 else " ".join([*title.split()[:-1], rng.choice(WORDS)])
            predicted_category = category if roll < 0.7 else rng.choice(categories)
            generated = format_answer(predicted_title, predicted_category, price * rng.lognormvariate(0, 0.3))
        records.append(
            {
                "id": f"P{i:07d}",
                "generated": generated,
                "reference": {
                    "title": title,
                    "category1": "WOMEN" if i % 2 else "MEN",
                    "category2": "CLOTHING",
                    "category3": category,
                    "price": price,
                    "currency": "USD",
                    "oracle_price": price * 0.97,
                },
            }
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()

    records = synthetic_records(args.n)
    train = synthetic_records(20_000, seed=1)
    stats = TrainingStats.from_columns(
        [r["reference"]["category1"] for r in train],
        [r["reference"]["category2"] for r in train],
        [r["reference"]["category3"] for r in train],
        [r["reference"]["price"] for r in train],
    )

    started = time.perf_counter()
    rescored = rescore_records(records, stats.hierarchy)
    parse_s = time.perf_counter() - started

    specs = metric_specs(rescored, _columns(rescored))
    started = time.perf_counter()
    estimate_metrics(specs, len(rescored), n_resamples=args.resamples, seed=0)
    ci_s = time.perf_counter() - started

    started = time.perf_counter()
    point = evaluate_records(records, stats, n_resamples=0)
    total_point_s = time.perf_counter() - started
    started = time.perf_counter()
    full = evaluate_records(records, stats, n_resamples=args.resamples, seed=0)
    total_s = time.perf_counter() - started

    n_metrics = len(full.results["metrics"]) + sum(
        len(b["metrics"]) for b in full.results["baselines"].values()
    )
    n_banded = sum(len(band["metrics"]) for band in full.results["price_bands"]["bands"])
    n_metrics += n_banded
    print(
        f"predictions: {args.n:,}   bootstrap resamples: {args.resamples}   aggregates with CIs: {n_metrics}"
        f" ({n_banded} of them per price band)"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (timings stretch when it exceeds the CPUs)"
    )
    print(f"parse + per-sample scores:        {parse_s:7.2f} s  ({args.n / parse_s:,.0f} samples/s)")
    print(f"model metrics CIs only ({len(specs)}):      {ci_s:7.2f} s")
    print(f"score_predictions, no CIs:        {total_point_s:7.2f} s")
    print(f"score_predictions, with CIs:      {total_s:7.2f} s  (CIs add x{total_s / total_point_s:.2f})")
    m = full.results["metrics"]
    print(
        "check: parse_rate {:.3f} [{:.3f}, {:.3f}]  price_mdape {:.3f} [{:.3f}, {:.3f}]".format(
            m["parse_rate"]["value"], m["parse_rate"]["ci_low"], m["parse_rate"]["ci_high"],
            m["price_mdape"]["value"], m["price_mdape"]["ci_low"], m["price_mdape"]["ci_high"],
        )
    )  # fmt: skip
    assert point.results["metrics"]["parse_rate"]["value"] == m["parse_rate"]["value"]

    # compare: the same samples answered by a second "model" that puts the brand in a third of its titles
    other = [
        dict(
            r,
            generated=r["generated"].replace("Product: ", "Product: Burberry ")
            if i % 3 == 0
            else r["generated"],
        )
        for i, r in enumerate(records)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("a", full), ("b", evaluate_records(other, stats, n_resamples=0))):
            (Path(tmp) / name).mkdir()
            write_predictions(Path(tmp) / name / "predictions.jsonl", run.records)
            (Path(tmp) / name / "results.json").write_text(json.dumps({**run.results, "name": name}))
        started = time.perf_counter()
        comparison = compare_evaluations([Path(tmp) / "a", Path(tmp) / "b"], n_resamples=args.resamples)
        compare_s = time.perf_counter() - started
    delta = comparison["differences"]["title_exact"][0]
    print(f"compare 2 x {args.n:,} (re-score + paired CIs + tests): {compare_s:5.2f} s  "
          f"title_exact delta {delta['delta']:+.3f} [{delta['ci_low']:+.3f}, {delta['ci_high']:+.3f}] "
          f"{delta['test']} p_holm {delta['p_holm']:.2g}")  # fmt: skip
    m = full.results["price_bands"]["bands"]
    print("check: price_smape by band " + "  ".join(
        f"{band['name']} {band['metrics']['price_smape']['value']:.3f}" for band in m))  # fmt: skip


if __name__ == "__main__":
    main()
