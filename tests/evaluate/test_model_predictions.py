"""Predictions from a local model: one record per sample, resuming after an interruption, left padding."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from productlens.evaluate.config import EvaluateConfig
from productlens.evaluate.evaluation import run_evaluation
from productlens.evaluate.model_predictions import generate_batch, open_sample_image
from productlens.evaluate.openai_endpoint import Sample
from productlens.evaluate.predictions_io import read_predictions, reference_from_row
from productlens.finetune.answer_format import PromptStyle
from productlens.finetune.trained import Placement, open_model, resolve_prompt_style

TEST_IDS = [f"P{i:04d}" for i in range(24, 36)]  # the 12 test rows of eval_set


class Interrupted(Exception):
    """Stands in for Ctrl-C or a killed job between two batches."""


def tiny_config(eval_set, out, **overrides) -> EvaluateConfig:
    settings = dict(data=eval_set, model="tiny", out=out, max_new_tokens=6, batch_size=4, n_resamples=0)
    settings["ablate"] = "none"  # these tests are about generating the real answers
    return EvaluateConfig(**{**settings, **overrides})


@pytest.mark.slow
def test_tiny_model_writes_one_record_per_sample_with_its_raw_text(tmp_path, eval_set):
    progress = []
    outcome = run_evaluation(
        tiny_config(eval_set, tmp_path / "e"), lambda done, total: progress.append((done, total))
    )

    records = read_predictions(tmp_path / "e" / "predictions.jsonl")
    assert [record["id"] for record in records] == TEST_IDS
    assert all(isinstance(record["generated"], str) and record["generated"] for record in records)
    assert all(record["reference"]["title"] for record in records)
    assert progress == [(4, 12), (8, 12), (12, 12)]  # one call per batch of 4
    assert outcome.results["n"] == 12
    assert outcome.results["timings"]["generation_s"] > 0
    assert outcome.results["provenance"]["model"] == "tiny"


@pytest.mark.slow
def test_interrupted_generation_resumes_without_duplicating_ids(tmp_path, eval_set):
    config = tiny_config(eval_set, tmp_path / "e")
    path = tmp_path / "e" / "predictions.jsonl"

    def stop_after_first_batch(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        run_evaluation(config, stop_after_first_batch)
    saved = read_predictions(path)
    assert [record["id"] for record in saved] == TEST_IDS[:4]  # the first batch was flushed

    progress = []
    run_evaluation(config, lambda done, total: progress.append((done, total)))
    records = read_predictions(path)
    assert [record["id"] for record in records] == TEST_IDS  # each id once, in the split's order
    assert progress[-1] == (8, 8)  # the rerun generated only the 8 samples still missing
    assert [r["generated"] for r in records[:4]] == [r["generated"] for r in saved]


@pytest.mark.slow
def test_a_rerun_with_other_settings_generates_again_instead_of_reusing_answers(tmp_path, eval_set):
    run_evaluation(tiny_config(eval_set, tmp_path / "e", max_new_tokens=2))
    short = read_predictions(tmp_path / "e" / "predictions.jsonl")

    progress = []
    run_evaluation(tiny_config(eval_set, tmp_path / "e"), lambda done, total: progress.append((done, total)))
    records = read_predictions(tmp_path / "e" / "predictions.jsonl")
    assert progress[-1] == (12, 12)  # nothing reused: the answers came from other settings
    assert [r["id"] for r in records] == TEST_IDS
    assert any(len(r["generated"]) > len(s["generated"]) for r, s in zip(records, short, strict=True))


@pytest.mark.slow
def test_retrained_weights_in_the_same_model_directory_are_evaluated_again(tmp_path, eval_set):
    from productlens.finetune.phi3v.tiny import build_tiny
    from productlens.generate.taxonomy import title_vocabulary

    def save(seed: int) -> None:
        model, processor = build_tiny(title_vocabulary(), seed=seed)
        model.save_pretrained(tmp_path / "model")
        processor.save_pretrained(tmp_path / "model")

    save(seed=0)
    config = tiny_config(eval_set, tmp_path / "e", model=str(tmp_path / "model"))
    run_evaluation(config)
    save(seed=1)  # same directory, same config.json, other weights: what retraining leaves behind
    progress = []
    run_evaluation(config, lambda done, total: progress.append((done, total)))
    assert progress[-1] == (12, 12)


@pytest.fixture(scope="module")
def tiny_four_crops():
    # num_crops 4: images of other shapes get other numbers of image tokens, so a batch needs padding.
    # fp32 on the CPU: exact parity; in bf16 on a GPU, padding may flip a near-tie between two tokens.
    return open_model("tiny", placement=Placement.for_generation("cpu"), num_crops=4)


@pytest.mark.slow
def test_batch_of_4_gives_the_same_greedy_text_as_one_at_a_time(tiny_four_crops):
    sizes = [(96, 96), (160, 64), (64, 160), (120, 90)]
    images = [Image.new("RGB", size, (60 * i, 100, 200 - 40 * i)) for i, size in enumerate(sizes)]
    style = PromptStyle.preset("chat")
    lengths = tiny_four_crops.processor(["<|image_1|>"] * 4, [[image] for image in images])[
        "attention_mask"
    ].sum(1)
    assert len(set(lengths.tolist())) > 1  # the prompts differ in length: the batch is padded

    batched = generate_batch(tiny_four_crops, images, style, max_new_tokens=12)
    one_by_one = [generate_batch(tiny_four_crops, [image], style, max_new_tokens=12)[0] for image in images]
    assert batched == one_by_one
    assert len(set(batched)) > 1  # answers depend on the image, so a padding bug would show


def test_run_prompt_style_comes_from_run_json_unless_overridden(tmp_path, run_record):
    run = tmp_path / "run"
    run.mkdir()
    config = {"question": "Which product is this?", "answer_template": None}
    (run / "run.json").write_text(json.dumps(run_record | {"prompt_style": "cookbook", "config": config}))

    style = resolve_prompt_style(None, run)
    assert style.name == "cookbook" and style.question == "Which product is this?"
    assert style.prompt_template == PromptStyle.preset("cookbook").prompt_template
    assert resolve_prompt_style("chat", run) == PromptStyle.preset("chat")
    assert resolve_prompt_style(None, None) == PromptStyle.preset("chat")


def test_adapter_without_adapter_config_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no adapter_config\.json"):
        open_model("tiny", adapter=str(tmp_path))


def test_a_run_with_an_adapter_and_a_folder_that_is_no_model_are_clear_errors(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"base_model": "tiny", "adapter": "adapter"}))
    with pytest.raises(ValueError, match="names its own adapter; pass --adapter only with --model"):
        open_model(tmp_path, adapter=tmp_path / "adapter")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"holds neither run\.json .* nor config\.json"):
        open_model(tmp_path / "empty")


def test_an_undecodable_image_is_an_error_naming_the_sample(eval_rows):
    reference = reference_from_row(eval_rows[0])
    with pytest.raises(ValueError, match="sample P0000: its image cannot be decoded"):
        open_sample_image(Sample(id="P0000", image=b"not an image", reference=reference))
