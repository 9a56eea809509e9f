"""Scoring on a set made by sample-gen (the shared fixture): real columns, oracle prices, thumbnails."""

import json

import pytest
from click.testing import CliRunner
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.cli import main
from productlens.evaluate.predictions_io import reference_from_row, write_predictions
from productlens.finetune.answer_format import format_answer


def test_rescoring_answers_on_a_generated_set(tmp_path, sample_set):
    test = load_sample_set(sample_set)["test"].remove_columns("image")
    records = []
    for number, row in enumerate(test):
        price = row["full_price"] * (1.1 if number % 2 else 1.0)
        generated = format_answer(row["title"], row["category3_code"], price) if number % 5 else ""
        records.append(
            {"id": row["product_code"], "generated": generated, "reference": reference_from_row(row)}
        )
    write_predictions(tmp_path / "answers.jsonl", records)

    out = tmp_path / "evals" / "generated"
    report = ["--report", "html"]
    try:
        import productlens.reports.html  # noqa: F401
    except ImportError:
        report = ["--report", "none"]
    result = CliRunner().invoke(
        main,
        [
            "--predictions",
            str(tmp_path / "answers.jsonl"),
            "--data",
            str(sample_set),
            "--out",
            str(out),
            *report,
        ],
    )
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text())
    assert results["n"] == len(records)
    empty = sum(1 for r in records if not r["generated"])
    assert results["metrics"]["parse_rate"]["value"] == pytest.approx(1 - empty / len(records))
    assert results["metrics"]["title_exact"]["value"] == 1.0
    assert results["metrics"]["category3_accuracy"]["value"] == 1.0
    assert "oracle_price" in results["baselines"]  # a synthetic set has the noise floor
    assert results["provenance"]["data_fingerprint"]
    if report[1] == "html":
        assert (out / "report.html").stat().st_size > 0
