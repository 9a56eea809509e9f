"""Token lengths of every training row, checked before training starts (`--max-length`, `--on-long`).

A row's length is what the collator will build for it: the prompt's text tokens, the image's
placeholder tokens (from the image header and the HD transform's grid) and the answer's tokens,
counted by the run's own processor for every row (`data.with_lengths`), not estimated from a sample.
One scraped 51,000-character title is 24,000 tokens: a batch holding it needs tens of GB, so such
rows are found here and skipped or refused, never met by the Trainer mid-run.

The limit is `--max-length`, or by default the smaller of the model's context
(`max_position_embeddings`) and the longest sequence whose activations, for a whole batch, fit in
half the memory (the GPU's, or the machine's RAM on a CPU; `plan.py`'s per-token estimate).
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from productlens.finetune.answer_format import PromptStyle, build_prompt
from productlens.finetune.data import LENGTH_COLUMN
from productlens.finetune.errors import FinetuneError

OnLong = Literal["skip", "error"]
MEMORY_SHARE = 0.5  # of the device's memory that one batch's activations may take by default
SHOWN_IDS = 8


@dataclass(frozen=True)
class TokenCount:
    """Tokens of one training row, as the --dry-run plan counts them."""

    image: int
    text: int  # prompt text (BOS chunks) + target

    @property
    def total(self) -> int:
        return self.image + self.text


@dataclass(frozen=True)
class LengthReport:
    """Every training row's length against the limit: the longest, and the rows above it."""

    max_length: int
    limit_source: str  # how the limit was chosen (the option, or the context / memory default)
    rows: int
    longest: int  # tokens of the longest row, over the limit or not
    longest_id: str
    prompt_tokens: int = 0  # the prompt's text tokens, part of every row's length
    longest_kept: int = 0  # tokens of the longest row within the limit
    over: list[tuple[str, int]] = field(default_factory=list)  # (product_code, tokens), longest first
    skipped: bool = False  # the rows in `over` were left out of training

    def describe_over(self, shown: int = SHOWN_IDS) -> str:
        listed = ", ".join(f"{code} ({tokens:,} tokens)" for code, tokens in self.over[:shown])
        more = f" and {len(self.over) - shown:,} more" if len(self.over) > shown else ""
        return listed + more

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["over"] = [{"product_code": code, "tokens": tokens} for code, tokens in self.over]
        return data


def prompt_tokens(processor, style: PromptStyle) -> int:
    """Text tokens of the prompt (BOS chunks); the image's placeholders come on top, per row."""
    return len(processor.prompt_ids(build_prompt(style), [0]))


def device_memory_bytes() -> tuple[float, str]:
    """The memory a training batch lives in: the first GPU's, else the machine's RAM."""
    import torch

    if torch.cuda.is_available():
        return float(torch.cuda.get_device_properties(0).total_memory), "GPU memory"
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")), "RAM"


def default_max_length(
    model_config, config, memory_bytes: float, memory_name: str, on_cpu: bool = False
) -> tuple[int, str]:
    """min(context, the longest sequence whose activations for a batch fit in MEMORY_SHARE of memory), and why.

    Per token, plan.py's estimate of the saved 16-bit activations. On a CPU training runs in fp32
    (twice the bytes) and attention materialises its (heads, seq, seq) scores and probabilities in
    every layer, so the memory grows with the square of the length: that term decides there.
    """
    from productlens.finetune.plan import _activation_bytes

    context = int(getattr(model_config, "max_position_embeddings", 0) or 0) or 131_072
    vision, crops, checkpointing = config.vision, config.num_crops, bool(config.gradient_checkpointing)
    linear = _activation_bytes(model_config, 2, crops, vision, checkpointing) - _activation_bytes(
        model_config, 1, crops, vision, checkpointing
    )
    quadratic = 0.0
    if on_cpu:
        linear *= 2.0
        quadratic = 2 * 4.0 * model_config.num_attention_heads * model_config.num_hidden_layers
    budget = MEMORY_SHARE * memory_bytes / config.batch_size  # bytes per sample of the batch
    if quadratic:
        by_memory = int((-linear + math.sqrt(linear**2 + 4 * quadratic * budget)) / (2 * quadratic))
    else:
        by_memory = int(budget / max(1.0, linear))
    if by_memory < context:
        return max(1, by_memory), (
            f"default: a batch of {config.batch_size} at this length takes {MEMORY_SHARE:.0%} of "
            f"{memory_bytes / 1024**3:.0f} GB {memory_name}"
        )
    return context, f"default: the model's context ({context:,} tokens)"


def resolve_max_length(
    config, model_config, memory: tuple[float, str] | None = None, on_cpu: bool = False
) -> tuple[int, str]:
    """(limit, how it was chosen): `config.max_length` when given, else the context / memory default."""
    if config.max_length is not None:
        return config.max_length, "--max-length"
    memory_bytes, memory_name = memory if memory is not None else device_memory_bytes()
    return default_max_length(model_config, config, memory_bytes, memory_name, on_cpu)


def check_lengths(train, processor, style: PromptStyle, max_length: int, limit_source: str) -> LengthReport:
    """Compare every row of `train` (with data.LENGTH_COLUMN) with `max_length`."""
    fixed = prompt_tokens(processor, style)
    lengths = [fixed + n for n in train[LENGTH_COLUMN]]
    codes = [str(code) for code in train["product_code"]]
    if not lengths:
        return LengthReport(max_length, limit_source, 0, 0, "", fixed)
    longest_index = max(range(len(lengths)), key=lengths.__getitem__)
    over = sorted(
        ((code, n) for code, n in zip(codes, lengths, strict=True) if n > max_length), key=lambda x: -x[1]
    )
    return LengthReport(
        max_length=max_length,
        limit_source=limit_source,
        rows=len(lengths),
        longest=lengths[longest_index],
        longest_id=codes[longest_index],
        prompt_tokens=fixed,
        longest_kept=max((n for n in lengths if n <= max_length), default=0),
        over=over,
    )


def apply_on_long(train, report: LengthReport, on_long: OnLong):
    """`train` without the rows over the limit (`skip`), or FinetuneError naming them (`error`)."""
    if not report.over:
        return train, report
    where = f"the limit of {report.max_length:,} tokens ({report.limit_source})"
    if on_long == "error":
        raise FinetuneError(
            f"{len(report.over):,} of {report.rows:,} training rows are longer than {where}: "
            f"{report.describe_over()}. Shorten those titles in the set, raise --max-length, or pass "
            "--on-long skip to train without them."
        )
    if len(report.over) == report.rows:
        raise FinetuneError(
            f"every training row is longer than {where} (the shortest has "
            f"{min(n for _, n in report.over):,} tokens); raise --max-length"
        )
    keep = [i for i, n in enumerate(train[LENGTH_COLUMN]) if report.prompt_tokens + n <= report.max_length]
    return train.select(keep), replace(report, skipped=True)


def scan_set(config, processor, model_config, memory_bytes: float):
    """For `--dry-run`: (LengthReport over every training row, TokenCount of the longest row that trains),
    or None when there is no readable sample set at `config.data`."""
    import datasets
    from PIL import Image
    from productlens.finetune.data import load_training_data, with_lengths
    from productlens.finetune.recipe import prompt_style

    try:
        data = load_training_data(config.data, config.max_train_samples)
    except (FinetuneError, FileNotFoundError):
        return None
    style = prompt_style(config)
    train = with_lengths(data.train, processor, style)
    limit, source = resolve_max_length(config, model_config, (memory_bytes, "GPU memory (--gpu-memory)"))
    report = check_lengths(train, processor, style, limit, source)
    lengths = train[LENGTH_COLUMN]
    kept = [i for i, n in enumerate(lengths) if report.prompt_tokens + n <= limit] or range(len(lengths))
    index = max(kept, key=lengths.__getitem__)
    image = train.cast_column("image", datasets.Image(decode=False))[index]["image"]
    import io

    with Image.open(io.BytesIO(image["bytes"]) if image.get("bytes") else image["path"]) as opened:
        image_tokens = processor.image_processor.num_tokens_for_image(*opened.size)
    total = report.prompt_tokens + lengths[index]
    return report, TokenCount(image=image_tokens, text=total - image_tokens)
