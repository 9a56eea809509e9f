"""finetune's blank-image check: a model trained without photos is warned about, in run.json and the report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.cli import main as evaluate_main
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.image_check import blank_rows, image_check
from productlens.finetune.recipe import run_finetune
from productlens.generate.sample_set_writer import SampleSetWriter


def test_the_same_answers_with_and_without_the_photo_are_a_warning():
    check = image_check(10, [True, False, True, False], [True, False, True, False])
    assert check["difference"] == 0 and (check["ci_low"], check["ci_high"]) == (0, 0)
    assert not check["reads_image"]
    assert "does as well without the image" in check["warning"] and "50% with the photo" in check["warning"]


def test_a_model_right_only_with_the_photo_reads_it():
    with_photo = [True] * 14 + [False] * 2
    check = image_check(10, with_photo, [False] * 15 + [True])
    # 14 right only with the photo, 1 only without: (14 - 1) / 16, Wald interval for paired proportions
    assert check["difference"] == pytest.approx(13 / 16)
    se = (14 + 1 - 13**2 / 16) ** 0.5 / 16
    assert check["ci_low"] == pytest.approx(13 / 16 - 1.959964 * se, abs=1e-6)
    assert check["reads_image"] and check["warning"] is None


def test_blank_rows_keep_the_size_and_the_other_columns():
    rows = [{"image": Image.new("RGB", (40, 30), (9, 9, 9)), "title": "Red Scarf"}]
    (blank,) = blank_rows(rows)
    assert blank["image"].size == (40, 30) and blank["image"].getextrema() == ((255, 255),) * 3
    assert blank["title"] == "Red Scarf" and rows[0]["image"].getpixel((0, 0)) == (9, 9, 9)


@pytest.fixture(scope="module")
def blank_trained_set(sample_set, tmp_path_factory):
    """The session's set with every training photo replaced by a white image (validation/test unchanged)."""
    out = tmp_path_factory.mktemp("blank") / "set"
    dataset = load_sample_set(sample_set)
    with SampleSetWriter(out, seed=0) as writer:
        for split in dataset:
            for row in dataset[split]:
                if split == "train":
                    row = {**row, "image": Image.new("RGB", row["image"].size, (255, 255, 255))}
                writer.add(row, split=split)
    return out


@pytest.mark.slow
def test_a_tiny_model_trained_on_blank_images_gets_the_warning(blank_trained_set, tmp_path):
    config = FinetuneConfig(
        data=blank_trained_set,
        output=tmp_path / "runs" / "blank",
        max_steps=6,
        batch_size=8,
        eval_steps=3,
        eval_samples=4,
        eval_max_new_tokens=8,
        save_steps=6,
        warmup_ratio=0.0,
    )
    result = run_finetune(config)
    record = json.loads((result.run_dir / "run.json").read_text())
    check = record["image_check"]
    assert check["step"] == 6 and check["n"] == 4
    assert check["reads_image"] is False and "does as well without the image" in check["warning"]
    # with --eval-steps the check runs at every validation, logged beside the other figures
    assert [entry["step"] for entry in record["eval_history"] if "val_blank_category3_accuracy" in entry] == [
        3,
        6,
    ]

    out = tmp_path / "evals" / "blank"
    args = ["--run", result.run_dir, "--data", blank_trained_set, "--out", out, "--limit", 6]
    args += ["--max-new-tokens", 8, "--bootstrap", 50, "--report", "html"]
    printed = CliRunner().invoke(evaluate_main, [str(arg) for arg in args])
    assert printed.exit_code == 0, printed.output
    assert json.loads((out / "results.json").read_text())["ablation"]["reads_image"] is False
    assert "do not depend on the image" in " ".join(printed.output.split())
    assert 'class="ablation warning"' in (out / "report.html").read_text()
