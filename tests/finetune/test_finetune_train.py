"""Tiny model + LoRA on a generated set: learning, what changes, adapter and merged weights, resume."""

from __future__ import annotations

import copy
import json

import pytest
import torch
from peft import PeftModel
from productlens.core.sample_set import load_sample_set
from productlens.finetune.collator import ProductCollator
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.lora import add_lora
from productlens.finetune.recipe import prompt_style, run_finetune
from productlens.finetune.trained import open_model
from transformers import TrainerCallback, set_seed


def lora_config(sample_set, output, **overrides) -> FinetuneConfig:
    settings = dict(
        data=sample_set,
        output=output,
        method="lora",
        vision="frozen",
        lora_r=8,
        lora_dropout=0.0,
        max_steps=8,
        batch_size=4,
        learning_rate=5e-3,
        warmup_ratio=0.0,
        logging_steps=1,
        eval_steps=4,
        eval_samples=2,
        eval_max_new_tokens=8,
        save_steps=4,
    )
    return FinetuneConfig(**{**settings, **overrides})


@pytest.fixture(scope="module")
def lora_run(sample_set, tmp_path_factory):
    config = lora_config(sample_set, tmp_path_factory.mktemp("runs") / "lora", merge=True)
    return config, run_finetune(config)


@pytest.fixture(scope="module")
def batch(sample_set):
    rows = list(load_sample_set(sample_set)["validation"].select(range(2)))
    return dict(ProductCollator(open_model("tiny").processor, prompt_style(FinetuneConfig()))(rows))


def logits(model, batch) -> torch.Tensor:
    with torch.no_grad():
        return model.eval()(**{k: v for k, v in batch.items() if k != "labels"}).logits


@pytest.mark.slow
def test_loss_decreases(lora_run):
    losses = [entry["loss"] for entry in lora_run[1].record["loss_history"]]
    assert len(losses) == 8
    assert sum(losses[-2:]) / 2 < sum(losses[:2]) / 2 - 0.2, losses


@pytest.mark.slow
def test_only_lora_parameters_change(lora_run):
    config, result = lora_run
    set_seed(config.seed)
    initial = dict(add_lora(open_model("tiny").model, config.resolve()).named_parameters())
    changed, unchanged = [], []
    for name, parameter in result.model.named_parameters():
        (unchanged if torch.equal(parameter.detach().cpu(), initial[name].detach()) else changed).append(name)
    assert changed and all("lora_" in name for name in changed)
    assert all("lora_B" not in name for name in unchanged)  # every adapter's B moved away from zero


@pytest.mark.slow
def test_saved_adapter_and_merged_weights_reproduce_the_trained_model(lora_run, batch):
    config, result = lora_run
    expected = logits(result.model, batch)
    adapter = PeftModel.from_pretrained(open_model("tiny").model, str(config.output / "adapter"))
    assert torch.allclose(logits(adapter, batch), expected, atol=1e-5)
    merged = open_model(config.output / "merged").model  # plain model, no PEFT
    assert not isinstance(merged, PeftModel)
    assert torch.allclose(logits(merged, batch), expected, atol=1e-4)


@pytest.mark.slow
def test_run_json_records_config_data_history_and_validation(lora_run):
    config, _ = lora_run
    record = json.loads((config.output / "run.json").read_text())
    assert record["status"] == "finished" and record["global_step"] == 8
    assert record["base_model"] == "tiny" and record["adapter"] == "adapter" and record["merged"] == "merged"
    assert record["data_fingerprint"] not in ("", "unknown")
    assert {"torch", "transformers", "peft"} <= set(record["versions"])
    assert [e["step"] for e in record["eval_history"]] == [4, 8]
    assert 0.0 <= record["eval_history"][-1]["val_parse_rate"] <= 1.0
    assert (config.output / "README.md").read_text().startswith("---\nlibrary_name: peft")
    assert (config.output / "processor" / "preprocessor_config.json").is_file()


class StopAt(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise KeyboardInterrupt


class ResumeProbe(TrainerCallback):
    def on_train_begin(self, args, state, control, optimizer=None, **kwargs):
        self.step = state.global_step
        self.optimizer_state = copy.deepcopy(optimizer.state_dict())  # live tensors move on


@pytest.mark.slow
def test_resume_continues_from_the_saved_step_with_the_same_optimizer_state(sample_set, tmp_path):
    config = lora_config(sample_set, tmp_path / "run", max_steps=4, save_steps=2, eval_steps=0)
    with pytest.raises(KeyboardInterrupt):
        run_finetune(config, callbacks=[StopAt(3)])
    assert not (config.output / "run.json").exists()
    probe = ResumeProbe()
    result = run_finetune(config, callbacks=[probe])
    checkpoint = config.output / "checkpoints" / "checkpoint-2"
    assert result.record["resumed_from"] == str(checkpoint)
    assert probe.step == 2 and result.record["global_step"] == 4
    saved = torch.load(checkpoint / "optimizer.pt", weights_only=True)
    assert saved["state"].keys() == probe.optimizer_state["state"].keys()
    for key, state in saved["state"].items():
        assert int(probe.optimizer_state["state"][key]["step"]) == int(state["step"]) == 2
        assert torch.equal(probe.optimizer_state["state"][key]["exp_avg"], state["exp_avg"])
        assert torch.equal(probe.optimizer_state["state"][key]["exp_avg_sq"], state["exp_avg_sq"])


@pytest.mark.slow
def test_load_run_gives_the_trained_model(lora_run, batch):
    from productlens.finetune.trained import load_run

    config, result = lora_run
    model, processor = load_run(config.output)
    assert processor.image_processor.num_crops == 1
    assert torch.allclose(logits(model, batch), logits(result.model, batch), atol=1e-4)
    assert open_model(config.output).prompt_style == prompt_style(config)  # the style it was trained with


@pytest.mark.slow
def test_default_tiny_command_trains_all_weights_and_writes_merged(sample_set, tmp_path, batch):
    from click.testing import CliRunner
    from productlens.finetune.cli import main
    from productlens.finetune.trained import load_run

    output = tmp_path / "tiny"
    args = ["--data", str(sample_set), "--output", str(output), "--max-steps", "2", "--eval-samples", "2"]
    result = CliRunner().invoke(main, [*args, "--eval-max-new-tokens", "4"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "finetune: done" in result.output and "tiny (full, vision clip)" in result.output
    record = json.loads((output / "run.json").read_text())
    assert record["method"] == "full" and record["adapter"] is None and record["merged"] == "merged"
    assert not (output / "merged" / "training_args.bin").exists()  # no pickles next to the weights
    model, _ = load_run(output)
    assert logits(model, batch).shape[0] == 2
    again = CliRunner().invoke(main, args)  # a finished run is not overwritten
    assert again.exit_code == 1 and "--overwrite" in again.output
