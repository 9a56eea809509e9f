"""No training lost: SIGTERM mid-run saves a checkpoint and the rerun resumes from it and says so; timed
checkpoints; a failed run leaves no folder; progress lines in a log; messages naming the option."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from productlens.finetune.cli import main
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.recipe import run_finetune

TINY_RUN = ["--model", "tiny", "--batch-size", "2", "--eval-steps", "0", "--logging-steps", "1"]


def finetune_process(sample_set: Path, output: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "productlens.finetune.cli", *TINY_RUN, "--data", str(sample_set)]
    return subprocess.Popen(
        [*command, "--output", str(output), "--save-minutes", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )


@pytest.mark.slow
def test_sigterm_mid_training_saves_a_checkpoint_and_the_rerun_resumes_from_it(sample_set, tmp_path):
    run_dir = tmp_path / "run"
    process = finetune_process(sample_set, run_dir, "--max-steps", "500")
    lines = []
    for line in process.stdout:  # a log, not a terminal: plain progress lines arrive as training goes
        lines.append(line)
        if line.startswith("finetune: step "):
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=120)
    output = "".join(lines) + rest
    assert process.returncode == 143, output
    checkpoints = sorted((run_dir / "checkpoints").glob("checkpoint-*"))
    assert len(checkpoints) == 1, output
    step = int(checkpoints[0].name.split("-")[1])
    assert 1 <= step < 500
    assert f"stopped at step {step} of 500; saved {checkpoints[0]}" in output
    assert not (run_dir / "run.json").exists()  # not a finished run

    resumed = finetune_process(sample_set, run_dir, "--max-steps", str(step + 2))
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert f"resuming from checkpoint-{step} (step {step} of {step + 2})" in output
    record = json.loads((run_dir / "run.json").read_text())
    assert record["global_step"] == step + 2 and record["resumed_from"] == str(checkpoints[0])


@pytest.mark.slow
def test_checkpoints_come_on_a_time_interval_as_well(sample_set, tmp_path):
    config = FinetuneConfig(
        data=sample_set, output=tmp_path / "run", max_steps=3, batch_size=2, eval_steps=0,
        save_steps=1000, save_minutes=1e-6,  # every step is "minutes" after the last save
    )  # fmt: skip
    run_finetune(config)
    saved = sorted(path.name for path in (tmp_path / "run" / "checkpoints").iterdir())
    assert saved == ["checkpoint-2", "checkpoint-3"]  # save_total_limit 2 keeps the latest two


@pytest.mark.slow
def test_progress_lines_in_a_log_give_step_loss_rate_and_eta(sample_set, tmp_path):
    result = CliRunner().invoke(
        main, [*TINY_RUN, "--data", str(sample_set), "--output", str(tmp_path / "run"), "--max-steps", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("finetune: step ")]
    assert lines[0].startswith("finetune: step 1/3 (33%)  loss ") and " samples/s  ETA 0:" in lines[0]
    assert lines[-1].startswith("finetune: step 3/3 (100%)  loss ") and lines[-1].endswith("samples/s  done")
    assert "━" not in result.output  # no bar characters in a log


def test_a_failed_run_leaves_no_directory(sample_set, tmp_path, monkeypatch):
    import torch
    from transformers import Trainer

    def out_of_memory_after_making_folders(self, *args, **kwargs):
        assert Path(self.args.output_dir).is_dir()  # the Trainer made checkpoints/ (no checkpoint yet)
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(Trainer, "train", out_of_memory_after_making_folders)
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["--data", str(sample_set), "--output", str(run_dir), "--max-steps", "1"]
    )
    assert result.exit_code == 1 and "out of GPU memory" in result.output
    assert not run_dir.exists()


def test_a_folder_left_by_a_run_killed_before_its_first_checkpoint_starts_again(tmp_path):
    from productlens.finetune.run_dir import plan_run_dir

    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    assert plan_run_dir(tmp_path / "run", True, False) is None


@pytest.mark.parametrize(
    ("args", "option", "path"),
    [
        (["--data", "{tmp}/no-set"], "--data", "{tmp}/no-set"),
        (["--model", "{tmp}/no-model"], "--model", "{tmp}/no-model"),
        (["--model", "./no-model", "--dry-run"], "--model", "./no-model"),
    ],
)
def test_missing_paths_are_named_with_their_option_first(sample_set, tmp_path, args, option, path):
    finished = tmp_path / "finished"
    finished.mkdir()
    (finished / "run.json").write_text(json.dumps({"status": "finished"}))
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    data = [] if "--data" in args else ["--data", str(sample_set)]
    result = CliRunner().invoke(main, [*args, *data, "--output", str(finished)])
    assert result.exit_code == 2, result.output
    assert (
        f"Invalid value for {option}: " in result.output
        and f"{path.replace('{tmp}', str(tmp_path))} does not exist" in result.output
    )
    assert "finished run" not in result.output  # the path, not the run directory, is the problem


def test_config_errors_name_the_option_not_the_field(sample_set, tmp_path):
    result = CliRunner().invoke(
        main, ["--lr", "-1", "--data", str(sample_set), "--output", str(tmp_path / "r")]
    )
    assert result.exit_code == 2
    assert "--learning-rate/--lr must be positive" in result.output and "learning_rate" not in result.output
    result = CliRunner().invoke(main, ["--save-minutes", "-1", "--dry-run"])
    assert "--save-minutes must be 0 (off) or positive, got -1.0" in result.output


def test_dry_run_on_a_cpu_says_what_applies_on_a_cpu(sample_set, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = CliRunner().invoke(main, ["--dry-run", "--data", str(sample_set)])
    assert result.exit_code == 0, result.output
    assert "of RAM, training on this CPU in fp32" in result.output
    for absent in ("largest batch", "autocast", "bf16", "CUDA overhead"):
        assert absent not in result.output


def test_resume_and_time_between_lines_do_not_depend_on_a_terminal():
    from productlens.core.progress_lines import ProgressLog, format_eta, steady_remaining

    assert format_eta(3725.4) == "1:02:05" and format_eta(None) == "-:--:--"
    # 100 of 1,000 done in 50 s after resuming at 50: 50 steps in 50 s, 900 to go -> 900 s
    assert steady_remaining(100, 1000, 50.0, done_at_start=50) == pytest.approx(900.0)
    lines: list[str] = []
    log = ProgressLog("x", 4, lines.append, every_s=3600)
    for done in range(1, 5):
        log.update(done)
        time.sleep(0.001)
    assert [line.split("  ")[0] for line in lines] == ["x: 1/4 (25%)", "x: 4/4 (100%)"]


def test_the_terminal_bar_says_what_it_resumes_and_times_from_the_resumed_step():
    import io
    from types import SimpleNamespace

    from productlens.finetune.cli_progress import RichProgress
    from rich.console import Console

    screen = io.StringIO()
    bar = RichProgress(
        Console(file=screen, force_terminal=True, width=80, highlight=False, color_system=None)
    )
    args = SimpleNamespace(resume_from_checkpoint="runs/tiny/checkpoints/checkpoint-4")
    state = SimpleNamespace(is_world_process_zero=True, global_step=4, max_steps=8)
    bar.on_train_begin(args, state, None)
    said = " ".join(screen.getvalue().split())
    assert "resuming from checkpoint-4 (step 4 of 8): runs/tiny/checkpoints/checkpoint-4" in said
    time.sleep(0.05)
    state.global_step = 6
    bar.on_step_end(args, state, None)
    task = bar.progress.tasks[0]
    assert task.elapsed and task.elapsed > 0  # the clock runs (elapsed and ETA are not "-:--:--")
    assert task.fields["resumed_at"] == 4
    bar.on_train_end(args, state, None)
