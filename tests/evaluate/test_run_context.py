"""What results.json records for the report about the run and the prompt (evaluate/run_context.py)."""

from __future__ import annotations

import json

from productlens.evaluate.run_context import MAX_CURVE_POINTS, prompt_context, training_context
from productlens.finetune.answer_format import PromptStyle


def test_training_context_reads_method_settings_and_curves_from_run_json(tmp_path, run_record):
    losses = [{"step": s, "epoch": s / 100, "loss": 3.0 / s, "learning_rate": 5e-4} for s in range(1, 1001)]
    record = run_record | {
        "method": "full",
        "train_samples": 4200,
        "global_step": 1000,
        "config": {"learning_rate": 5e-4, "epochs": 12, "batch_size": 8, "lora_r": 64, "output": "runs/x"},
        "loss_history": losses,
        "eval_history": [{"step": 500, "val_parse_rate": 1.0, "val_n": 16}],
    }
    (tmp_path / "run.json").write_text(json.dumps(record))
    context = training_context(tmp_path)
    assert context["method"] == "full" and context["train_samples"] == 4200
    assert context["command"] == "finetune --model tiny" and "resumed_from" not in context  # None: left out
    assert context["config"] == {
        "learning_rate": 5e-4,
        "epochs": 12,
        "batch_size": 8,
    }  # no LoRA rank: no adapter
    curve = context["loss_history"]
    assert len(curve) == MAX_CURVE_POINTS and curve[0]["step"] == 1 and curve[-1]["step"] == 1000
    assert context["eval_history"] == record["eval_history"]
    assert training_context(tmp_path / "missing") is None and training_context(None) is None


def test_prompt_context_is_the_exact_user_turn():
    context = prompt_context(PromptStyle.preset("chat"), "generation and parsing")
    assert context["name"] == "chat"
    assert context["prompt"] == "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"
    assert "{title}" in context["answer_template"]
