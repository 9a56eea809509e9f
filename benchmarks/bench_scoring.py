"""Scoring speed: 100,000 predictions re-parsed, scored and aggregated with 95 % bootstrap CIs.

The aggregates include SMAPE and every price metric per price band (training quintiles); the compare
step includes McNemar's exact test, the paired-bootstrap p-values and Holm's correction.

Run: python benchmarks/bench_scoring.py [--n 100000] [--resamples 1000]
Prints wall-clock seconds per stage and the share the bootstrap takes, and the CPU seconds each stage
used in this process and in the worker processes it forked (on a loaded machine the wall clock
stretches, the CPU time much less).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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


class Stage:
    """Wall-clock and CPU seconds of a block: this process's, and its reaped worker processes'."""

    def __enter__(self) -> Stage:
        self._wall, self._cpu, self._workers = time.perf_counter(), time.process_time(), _workers_cpu()
        return self

    def __exit__(self, *_) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self.workers = _workers_cpu() - self._workers

    def __str__(self) -> str:
        return f"{self.wall:7.2f} s  (CPU {self.cpu:.2f} s here + {self.workers:.2f} s in workers)"


def _workers_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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

    with Stage() as parse:
        rescored = rescore_records(records, stats.hierarchy)

    specs = metric_specs(rescored, _columns(rescored))
    with Stage() as ci:
        estimate_metrics(specs, len(rescored), n_resamples=args.resamples, seed=0)

    with Stage() as total_point:
        point = evaluate_records(records, stats, n_resamples=0)
    with Stage() as total:
        full = evaluate_records(records, stats, n_resamples=args.resamples, seed=0)

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
    print(f"parse + per-sample scores:    {parse}  {args.n / parse.wall:,.0f} samples/s")
    print(f"model metrics CIs only ({len(specs)}):  {ci}")
    print(f"score_predictions, no CIs:    {total_point}")
    print(f"score_predictions, with CIs:  {total}  CIs add x{total.wall / total_point.wall:.2f}")
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
        with Stage() as compare:
            comparison = compare_evaluations([Path(tmp) / "a", Path(tmp) / "b"], n_resamples=args.resamples)
    delta = comparison["differences"]["title_exact"][0]
    print(f"compare 2 x {args.n:,} (re-score + paired CIs + tests): {compare}")
    print(f"check: title_exact delta {delta['delta']:+.3f} [{delta['ci_low']:+.3f}, {delta['ci_high']:+.3f}] "
          f"{delta['test']} p_holm {delta['p_holm']:.2g}")  # fmt: skip
    m = full.results["price_bands"]["bands"]
    print("check: price_smape by band " + "  ".join(
        f"{band['name']} {band['metrics']['price_smape']['value']:.3f}" for band in m))  # fmt: skip


if __name__ == "__main__":
    main()
