"""The README's main job at a smaller size: the three console scripts, chained by their defaults, learn.

The same commands as the README (no --data/--run/--out: each command's default input is the previous
one's default output), with fewer and smaller photos and fewer epochs so it fits the test budget. What a
user would check in the report: every answer parses, the category is read from the photo far more often
than the majority class, and the price error is below the training-median baseline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(*command: str, cwd: Path) -> str:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (pip install -e .)")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "COLUMNS": "120"}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def test_the_tiny_pipeline_learns_to_read_product_photos(tmp_path: Path) -> None:
    run("sample-gen", "-n", "3000", "--size", "96x96", cwd=tmp_path)
    # The image check compares the same validation images with and without the photo; at this smaller size
    # the model is right on about a quarter of them, so 16 images (the default) cannot tell it from chance.
    run(
        "finetune",
        "--model",
        "tiny",
        "--epochs",
        "8",
        "--eval-steps",
        "0",
        "--eval-samples",
        "96",
        cwd=tmp_path,
    )
    printed = run("evaluate", "--report", "html", "--bootstrap", "200", cwd=tmp_path)

    assert "evals/tiny/report.html" in printed  # it ends by saying where the report is
    assert (tmp_path / "evals" / "tiny" / "report.html").stat().st_size > 0
    results = json.loads((tmp_path / "evals" / "tiny" / "results.json").read_text())
    metrics, baselines = results["metrics"], results["baselines"]
    majority = baselines["majority_category"]["metrics"]["category3_accuracy"]["value"]
    training_median = baselines["train_median_price"]["metrics"]["price_mdape"]["value"]

    figures = {name: metrics[name] for name in ("parse_rate", "category3_accuracy", "price_mdape")}
    print(figures, {"majority": majority, "training_median": training_median})
    assert metrics["parse_rate"]["value"] >= 0.95, figures
    assert metrics["category3_accuracy"]["ci_low"] > 3 * majority, (figures, majority)
    assert metrics["price_mdape"]["ci_high"] < training_median, (figures, training_median)

    # It reads the photo: evaluate's ablations (on by default) and finetune's blank-image check agree.
    ablation = results["ablation"]
    assert ablation["reads_image"] is True, ablation
    assert "Reads the photo: category3 accuracy" in " ".join(printed.split())
    check = json.loads((tmp_path / "runs" / "tiny" / "run.json").read_text())["image_check"]
    assert check["reads_image"] is True and check["warning"] is None, check
