"""Shared fixtures: one small synthetic sample set per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from productlens.core.run_json import RunRecord
from productlens.generate.synthesize import GenerateConfig, generate_set

SAMPLE_SET_ROWS = 120


@pytest.fixture(scope="session")
def sample_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-row synthetic sample set with 96x96 photos (all three splits), made once per session."""
    out = tmp_path_factory.mktemp("sample-set") / "products"
    generate_set(GenerateConfig(count=SAMPLE_SET_ROWS, out=out, seed=7, workers=1, width=96, height=96))
    return out


@pytest.fixture
def run_record() -> RunRecord:
    """A complete run.json record as `finetune --model tiny` writes it (a fresh copy per test)."""
    return RunRecord(
        schema=1,
        status="finished",
        command="finetune --model tiny",
        config={
            "model": "tiny",
            "output": "runs/tiny",
            "method": "full",
            "vision": "clip",
            "num_crops": 1,
            "learning_rate": 5e-4,
            "scheduler": "cosine",
            "epochs": 12,
        },
        base_model="tiny",
        method="full",
        adapter=None,
        merged="merged",
        processor="processor",
        data="data/products",
        data_fingerprint="sha256:0123",
        prompt_style="chat",
        precision="fp32",
        world_size=1,
        parameters={"total": 674944, "trainable": 641344},
        train_samples=4785,
        token_lengths={"max_length": 4664, "rows": 4785, "longest": 85, "skipped": False, "over": []},
        global_step=7188,
        resumed_from=None,
        train_loss=0.46,
        train_runtime_s=1271.5,
        train_samples_per_second=45.2,
        wall_s=1274.9,
        loss_history=[{"step": 1, "epoch": 0.0, "loss": 6.79, "learning_rate": 0.0, "grad_norm": 6.1}],
        eval_history=[{"step": 1797, "val_n": 16.0, "val_parse_rate": 1.0, "val_category3_accuracy": 0.125}],
        image_check=None,
        versions={"productlens": "0.1.0"},
        created="2026-12-02T01:20:19Z",
    )
