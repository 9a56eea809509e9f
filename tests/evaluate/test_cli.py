"""`evaluate` through CliRunner: re-scoring a predictions file end to end, compare, and errors users see."""

import json

import pytest
from click.testing import CliRunner
from productlens.evaluate.cli import main
from productlens.evaluate.predictions_io import read_predictions, write_predictions


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture
def saved_predictions(tmp_path, test_predictions):
    path = tmp_path / "saved" / "predictions.jsonl"
    write_predictions(path, test_predictions)
    return path


def test_rescoring_a_predictions_file_end_to_end(tmp_path, eval_set, saved_predictions):
    out = tmp_path / "evals" / "rescored"
    result = invoke("--predictions", saved_predictions, "--data", eval_set, "--out", out, "--bootstrap", 100)
    assert result.exit_code == 0, result.output
    assert f"Results: {out / 'results.json'}" in result.output
    results = json.loads((out / "results.json").read_text())
    assert results["name"] == "saved"
    assert results["n"] == 12
    assert results["metrics"]["parse_rate"]["value"] == pytest.approx(0.75)
    assert results["provenance"]["split"] == "test"
    assert results["provenance"]["data_fingerprint"]
    assert results["provenance"]["settings"]["n_resamples"] == 100
    records = read_predictions(out / "predictions.jsonl")
    assert len(records) == 12 and all("scores" in record for record in records)
    assert (out / "training_stats.json").is_file()


def test_report_json_prints_results(tmp_path, eval_set, saved_predictions):
    result = invoke(
        "--predictions",
        saved_predictions,
        "--data",
        eval_set,
        "--out",
        tmp_path / "e",
        "--report",
        "json",
        "--bootstrap",
        0,
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["metrics"]["price_mae"]["ci_low"] is None  # --bootstrap 0: no intervals


def test_rescoring_again_without_the_set_uses_saved_training_stats(tmp_path, eval_set, saved_predictions):
    first = tmp_path / "first"
    assert (
        invoke(
            "--predictions", saved_predictions, "--data", eval_set, "--out", first, "--report", "none"
        ).exit_code
        == 0
    )
    again = invoke(
        "--predictions",
        first / "predictions.jsonl",
        "--data",
        tmp_path / "nowhere",
        "--report",
        "none",
        "--out",
        tmp_path / "again",
    )
    assert again.exit_code == 0, again.output
    before = json.loads((first / "results.json").read_text())
    after = json.loads((tmp_path / "again" / "results.json").read_text())
    assert after["metrics"] == before["metrics"]
    assert after["baselines"] == before["baselines"]


def test_html_report_through_the_cli(tmp_path, eval_set, saved_predictions, monkeypatch):
    pytest.importorskip("productlens.reports.html")
    from productlens.evaluate import evaluation

    reads = []
    load_split = evaluation._load_split
    monkeypatch.setattr(
        evaluation, "_load_split", lambda config: reads.append(config.data) or load_split(config)
    )
    out = tmp_path / "html"
    result = invoke(
        "--predictions",
        saved_predictions,
        "--data",
        eval_set,
        "--out",
        out,
        "--report",
        "html",
        "--bootstrap",
        50,
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "data:image/jpeg;base64," in html  # thumbnails from the set's images
    assert reads == [eval_set]  # the set is read once: scoring and the report's thumbnails share it


def test_compare_two_evaluations(tmp_path, eval_set, saved_predictions, test_predictions):
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        invoke(
            "--predictions",
            saved_predictions,
            "--data",
            eval_set,
            "--out",
            a,
            "--name",
            "a",
            "--report",
            "none",
        ).exit_code
        == 0
    )
    fixed = [
        dict(r, generated=r["generated"].replace("HATS", r["reference"]["category3"]))
        for r in test_predictions
    ]
    write_predictions(tmp_path / "fixed.jsonl", fixed)
    assert (
        invoke(
            "--predictions",
            tmp_path / "fixed.jsonl",
            "--data",
            eval_set,
            "--out",
            b,
            "--name",
            "b",
            "--report",
            "none",
        ).exit_code
        == 0
    )

    result = invoke("compare", a, b, "--out", tmp_path / "cmp", "--report", "json", "--bootstrap", 200)
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.output)
    assert [run["name"] for run in comparison["runs"]] == ["a", "b"]
    accuracy = comparison["differences"]["category3_accuracy"][0]
    assert accuracy["vs"] == "b" and accuracy["n_shared"] == 12
    assert accuracy["delta"] == pytest.approx(1.0 - 6 / 9)
    assert accuracy["ci_low"] <= accuracy["delta"] <= accuracy["ci_high"]
    assert comparison["differences"]["title_exact"][0]["delta"] == 0.0
    disagreeing = {d["id"] for d in comparison["disagreements"]}
    assert disagreeing == {r["id"] for r in test_predictions if "HATS" in r["generated"]}
    assert set(comparison["disagreements"][0]["answers"]) == {"a", "b"}
    assert (tmp_path / "cmp" / "compare.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "http://127.0.0.1:9/v1"], "--endpoint needs --model-name"),
        (["--predictions", "missing.jsonl"], "File 'missing.jsonl' does not exist"),
        (["--model", "./no-such-model"], "--model: ./no-such-model does not exist"),
        (
            ["--predictions", "{file}", "--endpoint", "http://x/v1", "--model-name", "m"],
            "choose one prediction source",
        ),
    ],
)
def test_user_errors_are_messages_not_tracebacks(tmp_path, eval_set, saved_predictions, args, message):
    args = [str(saved_predictions) if arg == "{file}" else arg for arg in args]
    result = invoke(*args, "--data", eval_set, "--out", tmp_path / "e")
    assert result.exit_code != 0
    assert "Error" in result.output and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_predictions_from_another_set_are_refused(tmp_path, eval_set, test_predictions):
    other = [dict(r, id=f"X{i}") for i, r in enumerate(test_predictions)]
    write_predictions(tmp_path / "other.jsonl", other)
    result = invoke("--predictions", tmp_path / "other.jsonl", "--data", eval_set, "--out", tmp_path / "e")
    assert result.exit_code == 1
    assert "none of the 12 predictions has an id of the 'test' split" in result.output


def test_no_run_to_evaluate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke()
    assert result.exit_code == 1
    assert "nothing to evaluate: no run under runs/" in result.output


def test_compare_html_report_shows_the_photos_of_the_disagreements(
    tmp_path, eval_set, saved_predictions, test_predictions
):
    pytest.importorskip("productlens.reports.html")
    fixed = [
        dict(r, generated=r["generated"].replace("HATS", r["reference"]["category3"]))
        for r in test_predictions
    ]
    write_predictions(tmp_path / "fixed.jsonl", fixed)
    for name, predictions in (("a", saved_predictions), ("b", tmp_path / "fixed.jsonl")):
        args = (
            "--predictions",
            predictions,
            "--data",
            eval_set,
            "--out",
            tmp_path / name,
            "--name",
            name,
        )
        assert invoke(*args, "--report", "none").exit_code == 0
    result = invoke(
        "compare",
        tmp_path / "a",
        tmp_path / "b",
        "--out",
        tmp_path / "cmp",
        "--report",
        "html",
        "--bootstrap",
        50,
    )
    assert result.exit_code == 0, result.output
    assert f"Report: {tmp_path / 'cmp' / 'report.html'}" in result.output
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert page.lstrip().lower().startswith("<!doctype html")
    disagreements = page[page.index('id="disagreements"') :]
    assert 'alt="photo of' in disagreements and "data:image/jpeg;base64," in disagreements
