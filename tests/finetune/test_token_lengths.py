"""Every training row's token length is checked before training: `--max-length`, `--on-long`, the dry-run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from productlens.finetune.cli import main
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.token_lengths import default_max_length

LONG_CODE = "[b]LONG-1"  # markup in an id must print as written


def with_one_long_title(sample_set: Path, target: Path, words: int = 3000) -> Path:
    """A copy of the set whose last training row has a title of `words` words (a scraped page)."""
    shutil.copytree(sample_set, target)
    shard = sorted((target / "data").glob("train-*.parquet"))[-1]
    table = pd.read_parquet(shard)
    table.loc[table.index[-1], "title"] = " ".join(["Camel Check Wool Coat"] * (words // 4))
    table.loc[table.index[-1], "product_code"] = LONG_CODE
    table.to_parquet(shard)
    return target


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_dry_run_counts_every_row_and_names_those_over_the_limit(sample_set, tmp_path):
    data = with_one_long_title(sample_set, tmp_path / "set")
    result = run("--dry-run", "--data", str(data), "--max-length", "400", "--output", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "longest row" in text and LONG_CODE in text  # the outlier is found, wherever it sits
    assert "max length" in text and "400" in text
    assert "over the limit │ 1 │ skipped (--on-long skip): [b]LONG-1 (" in text
    lines = [line for line in result.output.splitlines() if "longest row" in line]
    longest = int(lines[0].split("│")[2].strip().replace(",", ""))
    assert longest > 3000  # one token per word at least: the real maximum, not a 32-row sample's


def test_on_long_error_refuses_before_training_and_names_the_row(sample_set, tmp_path):
    data = with_one_long_title(sample_set, tmp_path / "set")
    result = run(
        "--data", str(data), "--output", str(tmp_path / "run"), "--max-length", "400",
        "--on-long", "error", "--max-steps", "1",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert (
        "1 of" in message
        and "training rows are longer than the limit of 400 tokens (--max-length)" in message
    )
    assert LONG_CODE in message and "--on-long skip" in message
    assert not (tmp_path / "run" / "run.json").exists()


@pytest.mark.slow
def test_on_long_skip_trains_without_the_row_and_records_it(sample_set, tmp_path):
    data = with_one_long_title(sample_set, tmp_path / "set")
    result = run(
        "--data", str(data), "--output", str(tmp_path / "run"), "--max-length", "400", "--max-steps", "1",
        "--batch-size", "2", "--eval-steps", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    lengths = record["token_lengths"]
    assert lengths["skipped"] is True and [r["product_code"] for r in lengths["over"]] == [LONG_CODE]
    assert record["train_samples"] == lengths["rows"] - 1
    assert "skipped" in result.output and LONG_CODE in result.output


def test_the_default_limit_comes_from_context_and_memory():
    from productlens.finetune.trained import open_model

    model = open_model("tiny").model
    config = FinetuneConfig(batch_size=8).resolve()
    roomy, why = default_max_length(model.config, config, 1024**4, "RAM")
    assert roomy == model.config.max_position_embeddings and "context" in why
    small, why = default_max_length(model.config, config, 2 * 1024**3, "RAM")
    assert 0 < small < roomy and "2 GB RAM" in why
    halved, _ = default_max_length(model.config, FinetuneConfig(batch_size=16).resolve(), 2 * 1024**3, "RAM")
    assert halved == pytest.approx(small / 2, rel=0.01)
    # On a CPU the (heads, seq, seq) attention scores grow with the square: the 24,000-token row that
    # made tiny allocate 18 GB is over the default of a 23 GB machine.
    cpu, _ = default_max_length(model.config, config, 23 * 1024**3, "RAM", on_cpu=True)
    assert 1_000 < cpu < 24_000
