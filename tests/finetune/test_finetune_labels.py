"""Training labels on literal tensors: -100 on prompt, image placeholders and padding; the target is kept."""

from __future__ import annotations

import pytest
import torch
from PIL import Image
from productlens.core.constants import IGNORE_INDEX
from productlens.finetune.answer_format import PromptStyle, build_prompt, build_target
from productlens.finetune.collator import ProductCollator


@pytest.fixture(scope="module")
def processor():
    from productlens.finetune.trained import open_model

    return open_model("tiny").processor


def rows() -> list[dict]:
    return [
        {
            "image": Image.new("RGB", (96, 96), "red"),
            "title": "red bag",
            "category3_code": "bags",
            "full_price": 1290,
        },
        {
            "image": Image.new("RGB", (96, 96), "blue"),
            "title": "blue wool coat with belt",
            "category3_code": "coats",
            "full_price": 2450.5,
        },
    ]


def test_labels_ignore_prompt_placeholders_and_padding_and_keep_the_target(processor):
    style = PromptStyle.preset("chat")
    batch = ProductCollator(processor, style)(rows())
    tokenizer = processor.tokenizer
    prompt = processor.prompt_ids(
        build_prompt(style), [processor.image_processor.num_tokens_for_image(96, 96)]
    )
    targets = [
        tokenizer(
            build_target(r["title"], r["category3_code"], r["full_price"], style), add_special_tokens=False
        )["input_ids"]
        for r in rows()
    ]
    width = len(prompt) + max(len(t) for t in targets)
    pad = tokenizer.pad_token_id
    for i, target in enumerate(targets):
        padding = width - len(prompt) - len(target)
        assert batch["input_ids"][i].tolist() == prompt + target + [pad] * padding
        assert batch["labels"][i].tolist() == [IGNORE_INDEX] * len(prompt) + target + [IGNORE_INDEX] * padding
        assert batch["attention_mask"][i].tolist() == [1] * (len(prompt) + len(target)) + [0] * padding
    # placeholders (negative ids) are never labels, and the target ends with <|end|> "\n" <|endoftext|>
    assert (batch["labels"][batch["input_ids"] < 0] == IGNORE_INDEX).all()
    end, eos = tokenizer.convert_tokens_to_ids(["<|end|>", "<|endoftext|>"])
    for target in targets:
        assert target[-1] == eos and end in target[-3:]
    assert eos == pad  # the reason the mask comes from lengths: the final eos is real and attended
    assert batch["pixel_values"].shape[0] == 2 and batch["image_sizes"].shape == (2, 2)


def test_labels_literal_small_case():
    """The processor's padding on hand-written ids (prompt with placeholders, target, right padding)."""
    from productlens.finetune.phi3v.processing import pad_sequences

    ids, mask = pad_sequences(
        [[1, 5, -1, -1, 7, 30, 31, 32000], [1, 5, -1, -1, 7, 40, 32000]], 32000, "right"
    )
    labels, _ = pad_sequences([[-100] * 5 + [30, 31, 32000], [-100] * 5 + [40, 32000]], IGNORE_INDEX, "right")
    assert torch.equal(
        ids, torch.tensor([[1, 5, -1, -1, 7, 30, 31, 32000], [1, 5, -1, -1, 7, 40, 32000, 32000]])
    )
    assert torch.equal(mask, torch.tensor([[1] * 8, [1] * 7 + [0]]))
    assert torch.equal(labels, torch.tensor([[-100] * 5 + [30, 31, 32000], [-100] * 5 + [40, 32000, -100]]))
