"""FinetuneConfig: presets for tiny and a real model, validation before any weight loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from productlens.finetune.config import FinetuneConfig


def test_tiny_preset_trains_everything_from_scratch():
    config = FinetuneConfig().resolve()
    assert (config.model, config.method, config.vision, config.num_crops) == ("tiny", "full", "clip", 1)
    assert config.output == Path("runs/tiny")
    assert config.gradient_checkpointing is False


def test_real_model_defaults_follow_published_lora_recipes():
    config = FinetuneConfig(model="/models/Phi-3.5-vision-instruct").resolve()
    assert config.method == "lora" and config.vision == "frozen"
    assert (config.lora_r, config.lora_alpha, config.learning_rate) == (64, 128, 2e-4)
    assert config.num_crops == 4 and config.gradient_checkpointing is True and config.max_grad_norm == 1.0
    assert config.output == Path("runs/Phi-3.5-vision-instruct")
    assert FinetuneConfig(model="m", method="full").resolve().learning_rate == 2e-5


def test_user_values_win_over_presets():
    config = FinetuneConfig(model="m", num_crops=16, learning_rate=1e-4, lora_r=8, vision="clip").resolve()
    assert (config.num_crops, config.learning_rate, config.lora_alpha, config.vision) == (
        16,
        1e-4,
        16,
        "clip",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("batch_size", 0, "batch_size"),
        ("num_crops", 0, "num_crops"),
        ("lora_dropout", 1.0, "lora_dropout"),
        ("warmup_ratio", 1.5, "warmup_ratio"),
    ],
)
def test_bad_values_are_rejected_with_the_field_name(field, value, message):
    with pytest.raises(ValueError, match=message):
        FinetuneConfig(**{field: value})
