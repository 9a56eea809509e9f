"""Training batches: prompt (with image placeholders) + target, right-padded, labels only on the target.

The official recipe (PHI3V.md section 4): the processor encodes the prompt with the image's negative
placeholder ids; the target (answer + `<|end|>\\n<|endoftext|>`, from the answer-format module) is
tokenized without special tokens and appended. Labels are IGNORE_INDEX on every prompt position (BOS,
text, placeholders) and on padding. The processor builds the attention mask from the real lengths, never
from `input_ids != pad`: the pad id is also the `<|endoftext|>` that ends every answer, and the model
has to learn to produce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import torch
from productlens.finetune.answer_format import PromptStyle, build_prompt, build_target


class TrainingBatch(TypedDict):
    input_ids: torch.Tensor  # (batch, seq) long; image placeholders negative, right padding = pad id
    attention_mask: torch.Tensor  # (batch, seq) long; 0 on right padding only
    labels: torch.Tensor  # (batch, seq) long; IGNORE_INDEX except on target tokens
    pixel_values: torch.Tensor  # (n_images, num_crops + 1, 3, crop, crop)
    image_sizes: torch.Tensor  # (n_images, 2) padded [height, width]


def target_text(row: dict[str, Any], style: PromptStyle) -> str:
    """The text the model learns to generate for one sample-set row."""
    return build_target(row["title"], row["category3_code"], row["full_price"], style)


@dataclass
class ProductCollator:
    """Turns sample-set rows (image, title, category3_code, full_price) into a TrainingBatch."""

    processor: Any  # Phi3VProcessor
    style: PromptStyle

    def __call__(self, rows: list[dict[str, Any]]) -> TrainingBatch:
        encoded = self.processor(
            [build_prompt(self.style)] * len(rows),
            [[row["image"]] for row in rows],
            padding_side="right",
            targets=[target_text(row, self.style) for row in rows],
        )
        return TrainingBatch(
            input_ids=encoded["input_ids"],
            attention_mask=encoded["attention_mask"],
            labels=encoded["labels"],
            pixel_values=encoded["pixel_values"],
            image_sizes=encoded["image_sizes"],
        )
