"""The shipped DeepSpeed / FSDP / accelerate configs parse and defer sizes to the Trainer ("auto")."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

CONFIGS = Path(__file__).resolve().parents[2] / "finetune" / "configs"


def test_deepspeed_configs_leave_batch_and_precision_to_the_trainer():
    for name, stage in (("zero2.json", 2), ("zero3.json", 3)):
        config = json.loads((CONFIGS / name).read_text())
        assert config["zero_optimization"]["stage"] == stage
        assert config["train_micro_batch_size_per_gpu"] == "auto" and config["bf16"]["enabled"] == "auto"
    zero3 = json.loads((CONFIGS / "zero3.json").read_text())["zero_optimization"]
    assert (
        zero3["stage3_gather_16bit_weights_on_model_save"] is True
    )  # adapter/merged saves need full weights


def test_fsdp_wraps_decoder_and_clip_layers_and_accelerate_configs_point_at_shipped_files():
    fsdp = json.loads((CONFIGS / "fsdp.json").read_text())
    assert set(fsdp["transformer_layer_cls_to_wrap"]) == {"Phi3DecoderLayer", "CLIPEncoderLayer"}
    assert fsdp["use_orig_params"] is True  # frozen and trainable weights in one wrapped layer
    for name in ("accelerate_ddp.yaml", "accelerate_zero3.yaml"):
        config = yaml.safe_load((CONFIGS / name).read_text())
        assert config["num_machines"] == 1
        file = config.get("deepspeed_config", {}).get("deepspeed_config_file")
        assert file is None or (CONFIGS.parents[1] / file).is_file()
