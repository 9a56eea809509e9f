"""Cost and speed per evaluation: counted by the tokenizer for a local model, explicitly absent for a file."""

from __future__ import annotations

import io
import json

import pytest
import torch
from PIL import Image
from productlens.evaluate.config import EvaluateConfig
from productlens.evaluate.cost import PREDICTIONS_ABSENT
from productlens.evaluate.evaluation import run_evaluation
from productlens.evaluate.model_predictions import count_generated_tokens
from productlens.evaluate.predictions_io import read_predictions, write_predictions
from productlens.finetune.answer_format import PRESETS, build_prompt
from productlens.finetune.trained import Placement, open_model


@pytest.mark.slow
def test_tiny_model_cost_counts_tokens_with_the_tokenizer(tmp_path, eval_set):
    config = EvaluateConfig(
        data=eval_set, model="tiny", out=tmp_path / "e", max_new_tokens=6, batch_size=4, n_resamples=0
    )
    outcome = run_evaluation(config)
    cost = outcome.results["cost"]
    records = read_predictions(tmp_path / "e" / "predictions.jsonl")
    assert cost["source"] == "model" and cost["absent"] is None and cost["samples"] == 12
    assert cost["tokens_from"] == "tokenizer"
    assert cost["device"].startswith("cpu (") and cost["dtype"] == "float32" and cost["batch_size"] == 4
    assert cost["peak_memory_gb"] is None  # no accelerator
    assert cost["wall_s"] == pytest.approx(sum(r["usage"]["seconds"] for r in records), abs=1e-3)
    assert cost["samples_per_s"] == pytest.approx(12 / cost["wall_s"], rel=1e-2)

    # The prompt count is the processor's: text tokens plus the image's placeholder tokens.
    local = open_model("tiny", placement=Placement.for_generation())
    image = Image.open(io.BytesIO(_first_test_image(eval_set))).convert("RGB")
    expected_prompt = local.processor([build_prompt(PRESETS["chat"])], [[image]])["input_ids"].shape[1]
    assert records[0]["usage"]["prompt_tokens"] == expected_prompt
    assert cost["prompt_tokens_per_sample"] == pytest.approx(expected_prompt)
    assert all(1 <= r["usage"]["generated_tokens"] <= 6 for r in records)
    mean_generated = sum(r["usage"]["generated_tokens"] for r in records) / 12
    assert cost["generated_tokens_per_sample"] == pytest.approx(mean_generated, abs=0.01)


def test_generated_tokens_run_to_the_first_stop_token():
    stop, pad = 7, 0
    generated = torch.tensor([[5, 6, stop, pad, pad], [5, 5, 5, 5, 5], [stop, pad, pad, pad, pad]])
    assert count_generated_tokens(generated, [stop]) == [3, 5, 1]


def test_a_predictions_file_has_no_cost_and_says_why(tmp_path, eval_set, test_predictions):
    records = [
        {**r, "usage": {"prompt_tokens": 9, "generated_tokens": 3, "seconds": 0.5}} for r in test_predictions
    ]
    write_predictions(tmp_path / "saved" / "predictions.jsonl", records)
    config = EvaluateConfig(
        data=eval_set, predictions=tmp_path / "saved" / "predictions.jsonl", out=tmp_path / "e", n_resamples=0
    )
    cost = run_evaluation(config).results["cost"]
    assert cost["absent"] == PREDICTIONS_ABSENT
    figures = ("wall_s", "samples_per_s", "prompt_tokens_per_sample", "generated_tokens_per_sample", "device")
    assert all(cost[name] is None for name in figures)
    saved = json.loads((tmp_path / "e" / "results.json").read_text())["cost"]
    assert saved == cost  # written as such, not left out


def _first_test_image(eval_set) -> bytes:
    import datasets
    from productlens.core.sample_set import load_sample_set

    test = load_sample_set(eval_set)["test"].cast_column("image", datasets.Image(decode=False))
    return test[0]["image"]["bytes"]
