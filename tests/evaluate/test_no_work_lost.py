"""evaluate as a user's day goes: --limit never shrinks a full evaluation, a rerun says what it reused,
a failed evaluation leaves no folder, missing paths are named by their option, progress reads in a log."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from productlens.evaluate.cli import main
from productlens.evaluate.predictions_io import read_predictions, write_predictions

FAST = ["--max-new-tokens", "4", "--batch-size", "12", "--bootstrap", "0", "--report", "none"]


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_limit_never_shrinks_an_existing_evaluation(in_tmp, eval_set):
    full = invoke("--model", "tiny", "--data", eval_set, *FAST)
    assert full.exit_code == 0, full.output
    before = {
        name: (in_tmp / "evals" / "tiny" / name).read_bytes()
        for name in ("predictions.jsonl", "results.json")
    }
    assert json.loads(before["results.json"])["n"] == 12

    partial = invoke("--model", "tiny", "--data", eval_set, "--limit", 5, *FAST)
    assert partial.exit_code == 0, partial.output
    assert len(read_predictions(in_tmp / "evals" / "tiny-first5" / "predictions.jsonl")) == 5
    assert json.loads((in_tmp / "evals" / "tiny-first5" / "results.json").read_text())["n"] == 5

    into_full = invoke("--model", "tiny", "--data", eval_set, "--limit", 5, "--name", "tiny", *FAST)
    assert into_full.exit_code == 1
    assert "evals/tiny holds an evaluation of 12 samples; --limit 5 would replace it" in into_full.output
    after = {name: (in_tmp / "evals" / "tiny" / name).read_bytes() for name in before}
    assert after == before  # the full evaluation is untouched


def test_a_rerun_says_it_reused_the_answers_and_keeps_their_generation_time(in_tmp, eval_set):
    first = invoke("--model", "tiny", "--data", eval_set, *FAST)
    assert first.exit_code == 0, first.output
    took = json.loads((in_tmp / "evals" / "tiny" / "results.json").read_text())["timings"]["generation_s"]
    assert took > 0
    again = invoke("--model", "tiny", "--data", eval_set, *FAST)
    assert again.exit_code == 0, again.output
    assert (
        f"reused all 12 answers in evals/tiny/predictions.jsonl (generated in {took:.1f} s)" in again.output
    )
    assert "generating" not in again.output
    assert (
        json.loads((in_tmp / "evals" / "tiny" / "results.json").read_text())["timings"]["generation_s"]
        == took
    )


def test_progress_in_a_log_is_plain_lines_with_rate_and_eta(in_tmp, eval_set):
    result = invoke("--model", "tiny", "--data", eval_set, *FAST[:2], "--batch-size", 4, "--bootstrap", 0)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("evaluate: generating ")]
    assert lines[0].startswith("evaluate: generating 4/12 (33%)  ") and " samples/s  ETA 0:" in lines[0]
    assert lines[-1].startswith("evaluate: generating 12/12 (100%)") and lines[-1].endswith("samples/s  done")


def test_a_failed_evaluation_leaves_no_folder(in_tmp, eval_set, test_predictions):
    not_an_adapter = in_tmp / "not-an-adapter"
    not_an_adapter.mkdir()
    result = invoke(
        "--model", "tiny", "--adapter", not_an_adapter, "--data", eval_set, "--name", "bad", *FAST
    )
    assert result.exit_code == 1 and "no adapter_config.json" in result.output
    other = [dict(record, id=f"X{i}") for i, record in enumerate(test_predictions)]
    write_predictions(in_tmp / "other" / "predictions.jsonl", other)
    result = invoke(
        "--predictions", in_tmp / "other" / "predictions.jsonl", "--data", eval_set, "--name", "x"
    )
    assert result.exit_code == 1 and "none of the 12 predictions" in result.output
    assert not (in_tmp / "evals").exists() or list((in_tmp / "evals").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "option", "missing"),
    [
        (["--run", "runs/tiny", "--data", "{set}"], "--run", "runs/tiny"),
        (["--run", "runs/tiny"], "--run", "runs/tiny"),
        (["--model", "./no-such-model", "--data", "{set}"], "--model", "./no-such-model"),
        (["--model", "runs/tiny", "--data", "{set}"], "--model", "runs/tiny"),  # runs/ is a local folder
        (["--model", "tiny", "--data", "no-such-set"], "--data", "no-such-set"),
        (["--model", "tiny", "--adapter", "no-adapter", "--data", "{set}"], "--adapter", "no-adapter"),
        (["--predictions", "missing.jsonl"], "--predictions", "missing.jsonl"),
    ],
)
def test_missing_paths_say_does_not_exist_with_their_option(in_tmp, eval_set, args, option, missing):
    (in_tmp / "runs").mkdir()
    result = invoke(*[str(eval_set) if arg == "{set}" else arg for arg in args])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output or f"Invalid value for {option}:" in result.output
    assert missing in result.output and "does not exist" in result.output
    assert "Could not fetch" not in result.output  # never looked up on the hub
    assert not (in_tmp / "evals").exists()
