"""The Phi-3-Vision processor: prompts with `<|image_k|>` tags + images -> padded model inputs.

Token layout (PHI3V.md section 4, matched exactly): the prompt is split on the tags, every text chunk
is tokenized on its own (so each starts with BOS), and the tag `<|image_k|>` becomes `-k` repeated
once per placeholder token of image k. Unlike the official processor this one takes a batch: right
padding for training, left padding for generation. The attention mask comes from the sequence lengths,
never from `input_ids != pad`, because the pad id is also `<|endoftext|>`, which ends every target.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from PIL import Image
from productlens.core.constants import IGNORE_INDEX
from productlens.finetune.phi3v.image_processing import Phi3VImageProcessor
from transformers import BatchFeature, PreTrainedTokenizerFast

IMAGE_TAG = re.compile(r"<\|image_(\d+)\|>")
STOP_TOKENS = ("<|end|>", "<|endoftext|>")
PaddingSide = Literal["right", "left"]


def load_tokenizer(directory: str | os.PathLike[str]) -> PreTrainedTokenizerFast:
    """The fast tokenizer from `tokenizer.json` (+ its config) in a local directory; never runs remote code."""
    if not (Path(directory) / "tokenizer.json").is_file():
        raise FileNotFoundError(
            f"No tokenizer.json in {directory}; expected the Phi-3 tokenizer files there."
        )
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(directory))
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = "<|endoftext|>"
    return tokenizer


def image_tag_numbers(text: str) -> list[int]:
    """The k of every `<|image_k|>` tag, in order of appearance."""
    return [int(match) for match in IMAGE_TAG.findall(text)]


def check_image_tags(text: str, num_images: int, sample: int = 0) -> None:
    """Tags must read <|image_1|>, <|image_2|>, ... once each, one per image given."""
    numbers = image_tag_numbers(text)
    if len(numbers) != num_images:
        raise ValueError(
            f"Sample {sample}: the prompt has {len(numbers)} <|image_k|> tag(s) but {num_images} image(s) were "
            "given; put one tag per image in the prompt (e.g. '<|user|>\\n<|image_1|>\\n...')."
        )
    expected = list(range(1, num_images + 1))
    if numbers != expected:
        tags = ", ".join(f"<|image_{k}|>" for k in numbers)
        raise ValueError(
            f"Sample {sample}: image tags must be consecutive and in order starting at <|image_1|>, found {tags}."
        )


def pad_sequences(
    sequences: Sequence[Sequence[int]], pad_value: int, padding_side: PaddingSide = "right"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad id lists to one length -> (ids, attention_mask), the mask built from the lengths."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"padding_side must be 'right' or 'left', got {padding_side!r}.")
    longest = max((len(s) for s in sequences), default=0)
    ids = torch.full((len(sequences), longest), pad_value, dtype=torch.long)
    mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, seq in enumerate(sequences):
        n = len(seq)
        if n == 0:
            continue
        span = slice(0, n) if padding_side == "right" else slice(longest - n, longest)
        ids[row, span] = torch.as_tensor(list(seq), dtype=torch.long)
        mask[row, span] = 1
    return ids, mask


class Phi3VProcessor:
    """Tokenizer + HD image processor for Phi-3-Vision, with batching.

    Call it with `texts` (one prompt per sample) and `images` (a list of PIL images per sample, in tag
    order) to get a `BatchFeature` with `input_ids` (placeholders as negative ids), `attention_mask`,
    and, when there are images, `pixel_values` (n_images, num_crops + 1, 3, C, C) and `image_sizes`
    (n_images, 2) ordered like the placeholders (sample by sample, tag by tag).
    """

    def __init__(self, tokenizer: PreTrainedTokenizerFast, image_processor: Phi3VImageProcessor) -> None:
        self.tokenizer = tokenizer
        self.image_processor = image_processor

    @property
    def pad_token_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        if not isinstance(pad, int):
            raise ValueError(
                f"the tokenizer has no pad token id (got {pad!r}); Phi-3-Vision's tokenizer pads"
            )
        return pad

    @property
    def stop_token_ids(self) -> list[int]:
        """Ids generation stops on: <|end|> and <|endoftext|>."""
        # transformers types convert_tokens_to_ids(str) as int | list[int]; one token gives one int
        return [int(self.tokenizer.convert_tokens_to_ids(t)) for t in STOP_TOKENS]  # pyright: ignore[reportArgumentType]

    def prompt_ids(self, text: str, num_img_tokens: Sequence[int], sample: int = 0) -> list[int]:
        """One prompt -> ids: chunks tokenized separately (each with BOS), tag k -> [-k] * tokens of image k."""
        check_image_tags(text, len(num_img_tokens), sample)
        chunks = IMAGE_TAG.split(text)[::2]  # split() also returns the captured numbers; keep the text
        ids: list[int] = []
        for k, chunk in enumerate(chunks):
            if k > 0:
                ids.extend([-k] * num_img_tokens[k - 1])
            ids.extend(self.tokenizer(chunk).input_ids)
        return ids

    def target_ids(self, target: str) -> list[int]:
        """A training target (answer + '<|end|>\\n<|endoftext|>') tokenized without special tokens."""
        return list(self.tokenizer(target, add_special_tokens=False).input_ids)

    def __call__(
        self,
        texts: str | Sequence[str],
        images: Sequence[Sequence[Image.Image]] | Sequence[Image.Image] | None = None,
        padding_side: PaddingSide = "right",
        targets: Sequence[str] | None = None,
    ) -> BatchFeature:
        """Prompts (+ images per prompt) -> BatchFeature(input_ids, attention_mask[, pixel_values, image_sizes]).

        With `targets` (training), each target's ids are appended after its prompt and `labels` holds
        them, with IGNORE_INDEX (-100) on the prompt (BOS, text, image placeholders) and on padding.
        """
        if isinstance(texts, str):
            texts = [texts]
            if images is not None and (len(images) == 0 or isinstance(images[0], Image.Image)):
                images = [images]  # type: ignore[list-item]
        per_sample: list[list[Image.Image]] = (
            [[] for _ in texts] if images is None else [list(group) for group in images]  # type: ignore[arg-type]
        )
        if len(per_sample) != len(texts):
            raise ValueError(
                f"Got {len(texts)} prompts but {len(per_sample)} image lists; pass one list of images per prompt."
            )
        if targets is not None and len(targets) != len(texts):
            raise ValueError(
                f"Got {len(texts)} prompts but {len(targets)} targets; pass one target per prompt."
            )
        for sample, (text, group) in enumerate(zip(texts, per_sample, strict=True)):
            check_image_tags(text, len(group), sample)

        flat = [image for group in per_sample for image in group]
        processed = self.image_processor(flat) if flat else None
        counts = iter(processed.num_img_tokens if processed is not None else [])

        sequences, label_rows = [], []
        for sample, (text, group) in enumerate(zip(texts, per_sample, strict=True)):
            ids = self.prompt_ids(text, [next(counts) for _ in group], sample)
            labels = [IGNORE_INDEX] * len(ids)
            if targets is not None:
                answer = self.target_ids(targets[sample])
                ids = ids + answer
                labels = labels + answer
            sequences.append(ids)
            label_rows.append(labels)

        input_ids, attention_mask = pad_sequences(sequences, self.pad_token_id, padding_side)
        data: dict[str, torch.Tensor] = {"input_ids": input_ids, "attention_mask": attention_mask}
        if targets is not None:
            data["labels"], _ = pad_sequences(label_rows, IGNORE_INDEX, padding_side)
        if processed is not None:
            data["pixel_values"] = processed.pixel_values
            data["image_sizes"] = processed.image_sizes
        return BatchFeature(data=data)

    def batch_decode(self, ids: torch.Tensor | Sequence[Sequence[int]], **kwargs: Any) -> list[str]:
        """Decode generated ids (negative placeholder ids are dropped first)."""
        rows = ids.tolist() if isinstance(ids, torch.Tensor) else [list(r) for r in ids]
        kwargs.setdefault("skip_special_tokens", True)
        return self.tokenizer.batch_decode([[t for t in r if t >= 0] for r in rows], **kwargs)

    def save_pretrained(self, directory: str | os.PathLike[str]) -> None:
        """Write the tokenizer files and preprocessor_config.json into `directory`."""
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.tokenizer.save_pretrained(str(directory))
        self.image_processor.save_pretrained(directory)

    @classmethod
    def from_pretrained(
        cls, directory: str | os.PathLike[str], num_crops: int | None = None, **overrides: object
    ) -> Phi3VProcessor:
        """Load tokenizer + image processor from a local directory (official files or ours)."""
        image_processor = Phi3VImageProcessor.from_pretrained(directory, num_crops=num_crops, **overrides)
        return cls(load_tokenizer(directory), image_processor)
