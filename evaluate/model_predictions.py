"""Predictions from a local model (a run directory, or a model directory with an optional adapter).

Batched greedy generation with the KV cache: prompts are left-padded (so every answer starts at the
same column and the cache grows in step), generation stops on <|end|>/<|endoftext|>, and only the
generated part is decoded. Each batch's records are appended and flushed before the next batch starts,
so an interrupted run loses at most one batch; the evaluation skips ids already written when rerun.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice

import torch
from PIL import Image
from productlens.evaluate.openai_endpoint import Sample
from productlens.evaluate.predictions_io import PredictionWriter
from productlens.finetune.answer_format import PromptStyle, build_prompt
from productlens.finetune.trained import OpenedModel, Placement, open_model


def generate_predictions_with_model(
    model: str,
    adapter: str | None,
    samples: Iterable[Sample],
    writer: PredictionWriter,
    style: PromptStyle,
    *,
    max_new_tokens: int,
    num_crops: int | None,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
    on_loaded: Callable[[OpenedModel], None] | None = None,
) -> int:
    """Generate an answer per sample with the model and append {id, generated, reference, usage} per batch.

    `usage` holds the prompt and generated token counts from the tokenizer and the batch's time per
    sample. Returns the number of samples written. The model is loaded only when there is something
    to do; `on_loaded` is called with it (to note the device and dtype).
    """
    batches = _batches(samples, batch_size)
    first = next(batches, None)
    if first is None:
        return 0
    local = open_model(model, adapter, Placement.for_generation(), num_crops=num_crops)
    if on_loaded is not None:
        on_loaded(local)
    written = 0
    for batch in chain([first], batches):
        started = time.perf_counter()
        images = [open_sample_image(sample) for sample in batch]
        try:
            answers, prompt_tokens, generated_tokens = generate_batch_with_usage(
                local, images, style, max_new_tokens
            )
        except torch.OutOfMemoryError:
            raise ValueError(
                f"out of GPU memory generating a batch of {len(batch)} at num_crops "
                f"{local.processor.image_processor.config.num_crops}: lower --batch-size or --num-crops; "
                f"the {written} predictions written so far are kept and the same command resumes"
            ) from None
        seconds = (time.perf_counter() - started) / len(batch)
        writer.write_batch(
            {
                "id": sample.id,
                "generated": answer,
                "reference": sample.reference,
                "usage": {"prompt_tokens": prompt, "generated_tokens": new, "seconds": round(seconds, 6)},
            }
            for sample, answer, prompt, new in zip(
                batch, answers, prompt_tokens, generated_tokens, strict=True
            )
        )
        written += len(batch)
        if on_batch is not None:
            on_batch(len(batch))
    return written


def generate_batch(
    local: OpenedModel, images: list[Image.Image], style: PromptStyle, max_new_tokens: int
) -> list[str]:
    """Greedy answers, one per image, for one left-padded batch; the text after the prompt only."""
    return generate_batch_with_usage(local, images, style, max_new_tokens)[0]


def generate_batch_with_usage(
    local: OpenedModel, images: list[Image.Image], style: PromptStyle, max_new_tokens: int
) -> tuple[list[str], list[int], list[int]]:
    """(answers, prompt tokens per sample, generated tokens per sample) for one batch.

    Prompt tokens are the tokenizer's count for the prompt with its image tokens (padding left out);
    generated tokens run up to and including the stop token, as a server's usage counts them.
    """
    generated, prompt_tokens = _generate_ids_and_prompt_lengths(local, images, style, max_new_tokens)
    texts = [text.strip() for text in local.processor.batch_decode(generated, skip_special_tokens=True)]
    return texts, prompt_tokens, count_generated_tokens(generated, local.processor.stop_token_ids)


def count_generated_tokens(generated: torch.Tensor, stop_token_ids) -> list[int]:
    """Tokens each row generated: up to and including its first stop token, else the whole row."""
    stops = torch.isin(generated, torch.as_tensor(list(stop_token_ids), dtype=generated.dtype))
    width = generated.shape[1]
    first = torch.where(stops.any(dim=1), stops.to(torch.int8).argmax(dim=1) + 1, width)
    return [int(count) for count in first]


def generate_ids(
    local: OpenedModel, images: list[Image.Image], style: PromptStyle, max_new_tokens: int
) -> torch.Tensor:
    """The generated token ids (batch, new tokens) after each prompt; rows that stopped early end in padding."""
    return _generate_ids_and_prompt_lengths(local, images, style, max_new_tokens)[0]


@torch.inference_mode()
def _generate_ids_and_prompt_lengths(
    local: OpenedModel, images: list[Image.Image], style: PromptStyle, max_new_tokens: int
) -> tuple[torch.Tensor, list[int]]:
    model, processor, device = local.model, local.processor, local.device
    inputs = processor(
        [build_prompt(style)] * len(images), [[image] for image in images], padding_side="left"
    )
    inputs = {key: value.to(device) for key, value in inputs.items()}
    if "pixel_values" in inputs:
        inputs["pixel_values"] = inputs["pixel_values"].to(model.dtype)
    # transformers types generate's `self` as a protocol (for ty) that no decoder-only model meets
    output = model.generate(  # pyright: ignore[reportAttributeAccessIssue]
        **inputs,
        max_new_tokens=max_new_tokens,
        do_sample=False,
        use_cache=True,
        eos_token_id=processor.stop_token_ids,
        pad_token_id=processor.pad_token_id,
    )
    prompt_tokens = [int(count) for count in inputs["attention_mask"].sum(dim=1)]
    return output[:, inputs["input_ids"].shape[1] :].cpu(), prompt_tokens


def open_sample_image(sample: Sample) -> Image.Image:
    """The sample's photo as RGB; an image that cannot be decoded is an error naming the sample."""
    try:
        with Image.open(io.BytesIO(sample.image)) as image:
            return image.convert("RGB")
    except (OSError, ValueError) as error:
        raise ValueError(f"sample {sample.id}: its image cannot be decoded ({error})") from None


def _batches(samples: Iterable[Sample], size: int) -> Iterator[list[Sample]]:
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    iterator = iter(samples)
    while batch := list(islice(iterator, size)):
        yield batch
