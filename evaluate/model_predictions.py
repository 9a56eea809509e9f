"""Predictions from a local model (a run directory, or a model directory with an optional adapter).

Batched greedy generation with the native Phi-3-Vision lands here once the model is in place; the
evaluation already calls this function with everything it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import click
from productlens.evaluate.openai_endpoint import Sample
from productlens.evaluate.predictions_io import PredictionWriter
from productlens.finetune.answer_format import PromptStyle


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
) -> int:
    """Generate an answer per sample with the model and append {id, generated, reference} per batch."""
    raise click.ClickException(
        f"generating with a local model ({model}) is not available yet in this version; "
        "score an OpenAI-compatible server with --endpoint URL --model-name NAME, "
        "or re-score a saved file with --predictions FILE"
    )
