"""The README's main job, timed: `sample-gen && finetune --model tiny && evaluate --report html`.

    python benchmarks/bench_main_job.py [--workdir DIR]

Runs the three commands exactly as the README does (no options, so the defaults have to chain) in an
empty working directory, times each one, and prints the test-split figures of the report next to the
baselines the issue asks the tiny pipeline to beat. The install step of the README's command is not timed.
Run it on a quiet machine: the load average before and after is printed, since a busy machine stretches
every time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from productlens.core.json_files import read_json
from productlens.core.run_json import RunRecord, read_run_record

STAGES = [
    ["sample-gen"],
    ["finetune", "--model", "tiny"],
    ["evaluate", "--report", "html"],
]


def run_stage(command: list[str], workdir: Path) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return elapsed


def value(block: dict, name: str) -> float:
    return block["metrics"][name]["value"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="Empty directory to run in (default: a temporary one).")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="productlens-main-job-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        sys.exit(f"{workdir} is not empty; the main job starts from nothing.")

    print(f"cores {os.cpu_count()}, load average before {os.getloadavg()[0]:.2f}, in {workdir}")
    times = {}
    for command in STAGES:
        times[" ".join(command)] = seconds = run_stage(command, workdir)
        print(f"  {' '.join(command):<28} {seconds:7.1f} s", flush=True)
    total = sum(times.values())
    print(f"  {'total':<28} {total:7.1f} s  ({total / 60:.1f} min; target < 10 min)")
    print(f"load average after {os.getloadavg()[0]:.2f}")

    results = read_json(workdir / "evals" / "tiny" / "results.json")
    metrics, baselines = results["metrics"], results["baselines"]
    majority = baselines["majority_category"]
    print(f"\ntest split, n {results['n']}; report: {workdir / 'evals' / 'tiny' / 'report.html'}")
    print(f"  parse rate            {metrics['parse_rate']['value']:7.1%}  (target >= 95%)")
    print(
        f"  category3 accuracy    {metrics['category3_accuracy']['value']:7.1%}  "
        f"majority-class baseline {value(majority, 'category3_accuracy'):.1%}"
    )
    print(
        f"  price median APE      {metrics['price_mdape']['value']:7.1%}  "
        f"training-median baseline {value(baselines['train_median_price'], 'price_mdape'):.1%}, "
        f"median of the true category {value(baselines['category_median_price'], 'price_mdape'):.1%}, "
        f"noise floor (oracle_price) {value(baselines['oracle_price'], 'price_mdape'):.1%}"
    )
    category1, majority1 = metrics["category1_accuracy"], majority["metrics"]["category1_accuracy"]
    print(
        f"  category1 accuracy    {category1['value']:7.1%} [{category1['ci_low']:.1%}, {category1['ci_high']:.1%}]  "
        f"majority-class baseline {majority1['value']:.1%} [{majority1['ci_low']:.1%}, {majority1['ci_high']:.1%}]"
    )
    print_image_check(results, read_run_record(workdir / "runs" / "tiny"))


def print_image_check(results: dict, run: RunRecord) -> None:
    """The ablations of evaluate (test split) and finetune's blank-image check (validation samples)."""
    ablation = results.get("ablation")
    if ablation:
        primary = ablation["primary"]
        print(f"\nimage ablations (evaluate, {primary}; reads the photo: {ablation['reads_image']})")
        print(f"  with the photo        {results['metrics'][primary]['value']:7.1%}")
        for kind, ablated in ablation["runs"].items():
            gap = ablated["differences"][primary]
            print(
                f"  {kind:<21} {ablated['metrics'][primary]['value']:7.1%}  difference "
                f"{gap['delta'] * 100:.1f} points [{gap['ci_low'] * 100:.1f}, {gap['ci_high'] * 100:.1f}]"
            )
            if "follows_image" in ablated:
                print(
                    f"  {'':<21} answers naming the shown photo's category {ablated['follows_image']['value']:.1%}, "
                    f"their own {ablated['keeps_own']['value']:.1%}"
                )
    check = run.get("image_check")
    if check:
        print(
            f"finetune blank-image check (n {check['n']}): {check['category3_accuracy']:.1%} with the photo, "
            f"{check['blank_category3_accuracy']:.1%} blank, difference {check['difference'] * 100:.1f} points "
            f"[{check['ci_low'] * 100:.1f}, {check['ci_high'] * 100:.1f}]; warning: {check['warning']}"
        )


if __name__ == "__main__":
    main()
