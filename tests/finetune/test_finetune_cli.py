"""The `finetune` command through CliRunner: dry-run plan and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from productlens.finetune.cli import main

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "phi3v-reference" / "phi-3-vision-128k-instruct"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_dry_run_on_tiny_prints_the_plan_and_writes_nothing(sample_set, tmp_path):
    result = run("--dry-run", "--data", str(sample_set), "--output", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    for line in (
        "parameters",
        "trainable (full, vision clip",
        "tokens / sample",
        "image (num_crops 1)",
        "optimizer (AdamW)",
        "activations",
        "fits in 80 GB",
    ):
        assert line in result.output
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/phi3v-reference is absent")
def test_dry_run_on_the_official_config_counts_exact_parameters_on_the_meta_device(tmp_path):
    result = run(
        "--dry-run", "--model", str(REFERENCE), "--num-crops", "16", "--data", str(tmp_path / "none")
    )
    assert result.exit_code == 0, result.output
    assert "4,146,621,440" in result.output  # PHI3V.md: the official total
    assert "100,663,296" in result.output  # LoRA r 64 on qkv/o/gate_up/down of 32 layers
    assert "2,509 image (num_crops 16)" in result.output


def test_missing_sample_set_says_how_to_make_one(tmp_path):
    result = run("--data", str(tmp_path / "nothing"), "--output", str(tmp_path / "run"))
    assert result.exit_code == 1
    assert "no sample set" in result.output and "sample-gen" in result.output


def test_set_without_needed_columns_names_them(sample_set, tmp_path):
    broken = tmp_path / "broken"
    (broken / "data").mkdir(parents=True)
    for shard in (sample_set / "data").glob("*.parquet"):
        pd.read_parquet(shard).drop(columns=["title"]).to_parquet(broken / "data" / shard.name)
    result = CliRunner().invoke(
        main, ["--data", str(broken), "--output", str(tmp_path / "run"), "--max-steps", "1"]
    )
    assert result.exit_code != 0
    assert "lacks the column(s) title" in result.output


def test_model_directory_that_is_not_phi3v_or_has_pickle_weights(sample_set, tmp_path):
    llama = tmp_path / "llama"
    llama.mkdir()
    (llama / "config.json").write_text(json.dumps({"model_type": "llama"}))
    result = run("--model", str(llama), "--data", str(sample_set), "--output", str(tmp_path / "r1"))
    assert result.exit_code == 1 and "model_type 'llama', not 'phi3_v'" in result.output
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text(json.dumps({"model_type": "phi3_v"}))
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04")
    result = run("--model", str(pickled), "--data", str(sample_set), "--output", str(tmp_path / "r2"))
    assert result.exit_code == 1 and "only pickle weights" in result.output and "safetensors" in result.output


def test_gpu_only_options_fail_clearly_on_the_cpu(sample_set, tmp_path):
    result = run("--precision", "bf16", "--data", str(sample_set), "--output", str(tmp_path / "r"))
    assert result.exit_code == 1 and "needs a GPU" in result.output
    result = run("--method", "qlora", "--data", str(sample_set), "--output", str(tmp_path / "r"))
    assert result.exit_code == 1 and "qlora needs a CUDA GPU" in result.output


def test_existing_finished_run_is_not_overwritten(sample_set, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "run.json").write_text(json.dumps({"status": "finished"}))
    result = run("--data", str(sample_set), "--output", str(run_dir))
    assert result.exit_code == 1 and "--overwrite" in result.output
    assert json.loads((run_dir / "run.json").read_text()) == {"status": "finished"}


def test_empty_train_split_is_refused(sample_set, tmp_path):
    empty = tmp_path / "empty"
    (empty / "data").mkdir(parents=True)
    for shard in (sample_set / "data").glob("*.parquet"):
        frame = pd.read_parquet(shard)
        (frame.iloc[:0] if shard.name.startswith("train") else frame).to_parquet(empty / "data" / shard.name)
    result = run("--data", str(empty), "--output", str(tmp_path / "run"))
    assert result.exit_code == 1 and "train split is empty" in result.output


def test_out_of_memory_says_what_to_lower(sample_set, tmp_path, monkeypatch):
    import torch
    from transformers import Trainer

    def out_of_memory(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(Trainer, "train", out_of_memory)
    result = run("--data", str(sample_set), "--output", str(tmp_path / "run"), "--batch-size", "16")
    assert result.exit_code == 1
    assert "out of GPU memory at batch size 16" in result.output and "--grad-accum" in result.output


def test_reporting_integration_that_is_not_installed_is_named(sample_set, tmp_path):
    from transformers.integrations import is_tensorboard_available

    if is_tensorboard_available():
        pytest.skip("tensorboard is installed here")
    result = run("--data", str(sample_set), "--output", str(tmp_path / "run"), "--report-to", "tensorboard")
    assert result.exit_code == 1 and "pip install tensorboard" in result.output


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/phi3v-reference is absent")
def test_qlora_dry_run_counts_the_upcast_fp32_parameters(tmp_path):
    from productlens.finetune.config import FinetuneConfig
    from productlens.finetune.plan import NF4_BYTES, plan_training

    plan = plan_training(FinetuneConfig(model=str(REFERENCE), method="qlora", data=tmp_path / "none"))
    linears = 32 * 3072 * (9216 + 3072 + 16384 + 8192)  # qkv, o, gate_up, down of 32 layers: NF4
    # embeddings, lm_head, CLIP, projector, norms: fp32 after PEFT's k-bit preparation
    rest = 4_146_621_440 - linears
    assert plan.memory.weights == pytest.approx(NF4_BYTES * linears + 4.0 * rest)
