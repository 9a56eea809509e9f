"""What trains: LoRA targets, vision options, unused CLIP parts frozen."""

from __future__ import annotations

import re

import pytest
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.lora import (
    add_lora,
    count_parameters,
    lora_target_modules,
    select_full_training,
    unused_vision_parameters,
)


@pytest.fixture
def model():
    from productlens.finetune.trained import open_model

    return open_model("tiny").model


def leaves(names):
    return sorted({name.rsplit(".", 1)[-1] for name in names})


def test_default_targets_are_the_decoder_projections(model):
    targets = lora_target_modules(model, "frozen")
    assert leaves(targets) == ["down_proj", "gate_up_proj", "o_proj", "qkv_proj"]
    assert len(targets) == 4 * model.config.num_hidden_layers
    assert not any("vision_embed_tokens" in t for t in targets)


def test_vision_options_add_projector_then_clip_but_never_the_unused_last_layer(model):
    projector = lora_target_modules(model, "projector")
    assert sorted(t for t in projector if "vision" in t) == [
        "model.vision_embed_tokens.img_projection.0",
        "model.vision_embed_tokens.img_projection.2",
    ]
    clip = [t for t in lora_target_modules(model, "clip") if "img_processor" in t]
    assert clip and leaves(clip) == ["fc1", "fc2", "k_proj", "out_proj", "q_proj", "v_proj"]
    layers = sorted({int(m.group(1)) for t in clip if (m := re.search(r"encoder\.layers\.(\d+)\.", t))})
    n_clip_layers = model.config.clip_config().num_hidden_layers
    assert layers == list(range(n_clip_layers - 1))  # the last layer never feeds the features


def test_only_lora_parameters_train(model):
    peft_model = add_lora(model, FinetuneConfig(lora_r=4).resolve())
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert count_parameters(peft_model).trainable == sum(
        p.numel() for n, p in peft_model.named_parameters() if "lora_" in n
    )


def test_full_training_freezes_unused_clip_parts_and_the_vision_side_when_asked(model):
    unused = unused_vision_parameters(model)
    assert unused and any("post_layernorm" in n for n in unused)
    select_full_training(model, "frozen")
    for name, parameter in model.named_parameters():
        assert parameter.requires_grad == ("vision_embed_tokens" not in name), name
    select_full_training(model, "clip")
    for name, parameter in model.named_parameters():
        assert parameter.requires_grad == (name not in unused), name
