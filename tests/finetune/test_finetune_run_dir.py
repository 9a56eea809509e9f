"""The run directory: resume by default, refuse to overwrite, --overwrite only deletes run directories."""

from __future__ import annotations

import json

import pytest
from productlens.finetune.errors import FinetuneError
from productlens.finetune.run_dir import clear_run_dir, latest_checkpoint, plan_run_dir


def checkpoint(root, step):
    path = root / "checkpoints" / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "trainer_state.json").write_text("{}")
    return path


def test_new_or_empty_directory_starts_fresh(tmp_path):
    assert plan_run_dir(tmp_path / "new", True, False) is None
    assert plan_run_dir(tmp_path, True, False) is None


def test_unfinished_run_resumes_from_the_latest_complete_checkpoint(tmp_path):
    checkpoint(tmp_path, 5)
    latest = checkpoint(tmp_path, 20)
    (tmp_path / "checkpoints" / "checkpoint-30").mkdir()  # interrupted while saving: no trainer_state.json
    assert latest_checkpoint(tmp_path / "checkpoints") == latest
    assert plan_run_dir(tmp_path, True, False) == latest


def test_finished_run_or_no_resume_is_refused_without_overwrite(tmp_path):
    checkpoint(tmp_path, 4)
    with pytest.raises(FinetuneError, match="--overwrite"):
        plan_run_dir(tmp_path, False, False)
    (tmp_path / "run.json").write_text(json.dumps({"status": "finished"}))
    with pytest.raises(FinetuneError, match="finished run"):
        plan_run_dir(tmp_path, True, False)
    assert plan_run_dir(tmp_path, True, True) is None


def test_a_directory_that_is_not_a_run_is_never_used_or_deleted(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(FinetuneError, match="not a run directory"):
        plan_run_dir(tmp_path, True, False)
    with pytest.raises(FinetuneError, match="not deleting"):
        clear_run_dir(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def test_the_model_card_of_a_run_from_before_token_lengths_and_image_check(run_record):
    from productlens.finetune.run_record import model_card

    del run_record["token_lengths"], run_record["image_check"]
    card = model_card(run_record)
    assert "| samples / steps | 4785 / 7188 |" in card and "library_name: transformers" in card
