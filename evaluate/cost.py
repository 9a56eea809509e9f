"""What an evaluation's answers cost: time, samples/s, tokens per sample, device, dtype, batch, peak memory.

Per-sample figures travel with each answer in predictions.jsonl (`usage`: prompt and generated tokens
and the batch's time per sample), so they survive resuming and `--ids`: the totals here are sums over
the answers of the split. Where the answers came from a predictions file nothing was generated or timed,
and results.json says so (`absent`) instead of showing zeros.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from productlens.core.json_files import read_json
from productlens.core.results_schema import Cost, PredictionRecord

TOKENS_FROM = {"model": "tokenizer", "endpoint": "server usage"}
PREDICTIONS_ABSENT = (
    "answers read from a predictions file: nothing was generated, timed or counted in this evaluation"
)
HARDWARE_FIELDS = ("device", "dtype", "batch_size", "peak_memory_gb")


class HardwareRecorder:
    """Notes where the answers were generated: device, dtype, batch size and peak accelerator memory."""

    def __init__(self, batch_size: int | None) -> None:
        self.facts: dict = {"device": None, "dtype": None, "batch_size": batch_size, "peak_memory_gb": None}
        self._cuda_device = None

    def model_loaded(self, local) -> None:
        """Called with the OpenedModel (finetune/trained.py) once it is on its device (before the first batch)."""
        import torch

        device = local.device
        self.facts["dtype"] = str(getattr(local.model, "dtype", "")).removeprefix("torch.") or None
        if device.type == "cuda":
            self._cuda_device = device
            torch.cuda.reset_peak_memory_stats(device)
            self.facts["device"] = torch.cuda.get_device_name(device)
        else:
            self.facts["device"] = (
                f"{device.type} ({os.cpu_count()} cores)" if device.type == "cpu" else str(device)
            )

    def endpoint(self, url: str) -> None:
        """An endpoint's hardware is the server's; the URL is in the provenance's model."""
        self.facts["device"] = "server (device not visible)"

    def finish(self) -> dict:
        """The facts, with the peak memory allocated on the GPU since the model was loaded."""
        if self._cuda_device is not None:
            import torch

            self.facts["peak_memory_gb"] = round(torch.cuda.max_memory_allocated(self._cuda_device) / 1e9, 3)
        return dict(self.facts)


def previous_hardware(results_path: Path) -> dict | None:
    """The hardware facts of an earlier results.json (a resumed run that generated nothing new)."""
    try:
        cost = read_json(results_path).get("cost") or {}
    except (OSError, ValueError):
        return None
    return {key: cost.get(key) for key in HARDWARE_FIELDS} if cost.get("device") else None


def summarise_cost(source: str, records: Sequence[PredictionRecord], hardware: dict | None) -> Cost:
    """results.json's cost section for the scored records of an evaluation."""
    hardware = hardware or {}
    if source == "predictions":
        return _absent(source, PREDICTIONS_ABSENT)
    usages = [usage for record in records if isinstance(usage := record.get("usage"), dict)]
    if not usages:
        return _absent(source, "no answer carries a usage record (generated before productlens counted them)")
    wall_s = sum(float(usage.get("seconds") or 0.0) for usage in usages)
    prompt = [tokens for usage in usages if (tokens := usage.get("prompt_tokens")) is not None]
    generated = [tokens for usage in usages if (tokens := usage.get("generated_tokens")) is not None]
    tokens_from = TOKENS_FROM.get(source, source)
    if not (prompt or generated):
        tokens_from = f"not reported ({tokens_from} gave no counts)"
    return Cost(
        source=source,
        absent=None,
        samples=len(usages),
        wall_s=round(wall_s, 3),
        samples_per_s=round(len(usages) / wall_s, 3) if wall_s > 0 else None,
        prompt_tokens_per_sample=round(sum(prompt) / len(prompt), 2) if prompt else None,
        generated_tokens_per_sample=round(sum(generated) / len(generated), 2) if generated else None,
        tokens_from=tokens_from,
        device=hardware.get("device"),
        dtype=hardware.get("dtype"),
        batch_size=hardware.get("batch_size"),
        peak_memory_gb=hardware.get("peak_memory_gb"),
    )


def _absent(source: str, reason: str) -> Cost:
    return Cost(
        source=source,
        absent=reason,
        samples=0,
        wall_s=None,
        samples_per_s=None,
        prompt_tokens_per_sample=None,
        generated_tokens_per_sample=None,
        tokens_from=None,
        device=None,
        dtype=None,
        batch_size=None,
        peak_memory_gb=None,
    )
