"""compare's statistics: McNemar's exact test, the paired bootstrap, Holm's correction, identical runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from productlens.evaluate.bootstrap import Estimate
from productlens.evaluate.compare import compare_evaluations
from productlens.evaluate.paired_tests import bootstrap_p_value, holm, mcnemar_exact
from productlens.evaluate.predictions_io import reference_from_row, write_predictions
from productlens.evaluate.scoring import evaluate_records
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer
from scipy.stats import binomtest


@pytest.mark.parametrize(
    ("only_a", "only_b"), [(0, 0), (0, 1), (1, 0), (3, 7), (7, 3), (5, 5), (0, 9), (2, 14), (12, 30)]
)
def test_mcnemar_exact_matches_scipys_binomial_test(only_a, only_b):
    expected = 1.0 if only_a + only_b == 0 else binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert mcnemar_exact(only_a, only_b) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_by_hand():
    # 1 vs 5 discordant pairs: 2 * P(X <= 1), X ~ Binomial(6, 1/2) = 2 * 7/64
    assert mcnemar_exact(1, 5) == pytest.approx(14 / 64)


def test_holm_on_a_known_example():
    # Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> monotone 0.02, 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, None, 0.9]) == [
        pytest.approx(1.0),
        None,
        pytest.approx(1.0),
    ]  # capped; None not counted
    assert holm([]) == []


def test_bootstrap_p_value_from_the_standard_error():
    replicates = np.random.default_rng(0).normal(0.02, 0.01, 5000)
    p = bootstrap_p_value(Estimate(0.02, 0.0, 0.04, replicates))
    assert p == pytest.approx(0.0455, abs=0.005)  # |z| = 2
    assert bootstrap_p_value(Estimate(0.0, 0.0, 0.0, np.zeros(100))) == 1.0
    assert bootstrap_p_value(Estimate(0.1, 0.1, 0.1, None)) is None  # no resamples: no test


def write_evaluation(directory, records, stats, name):
    scored = evaluate_records(records, stats, name=name, n_resamples=0)
    directory.mkdir(parents=True)
    write_predictions(directory / "predictions.jsonl", scored.records)
    (directory / "results.json").write_text(json.dumps(scored.results))
    (directory / "training_stats.json").write_text(json.dumps(stats.to_dict()))
    return directory


@pytest.fixture
def runs(tmp_path, eval_rows):
    """Three evaluations of 120 made-up samples: a, a copy of a, and b with 30 more categories right."""
    columns = ("category1_code", "category2_code", "category3_code", "full_price")
    stats = TrainingStats.from_columns(*([r[c] for r in eval_rows] for c in columns))
    rows = [dict(eval_rows[i % len(eval_rows)], product_code=f"S{i:03d}") for i in range(120)]
    a, b = [], []
    for i, row in enumerate(rows):
        right = row["category3_code"]
        a_category = right if i % 2 == 0 else "HATS"  # a: half right
        b_category = right if i % 2 == 0 or i % 4 == 1 else "HATS"  # b: also every 4th odd one -> 30 more
        for records, category in ((a, a_category), (b, b_category)):
            records.append(
                {
                    "id": row["product_code"],
                    "generated": format_answer(row["title"], category, row["full_price"] * 1.1),
                    "reference": reference_from_row(row),
                }
            )
    return (
        write_evaluation(tmp_path / "a", a, stats, "a"),
        write_evaluation(tmp_path / "a-again", a, stats, "a-again"),
        write_evaluation(tmp_path / "b", b, stats, "b"),
    )


def test_a_real_difference_is_significant_after_holm_and_nothing_else_is(runs):
    comparison = compare_evaluations([runs[0], runs[2]], n_resamples=500)
    accuracy = comparison["differences"]["category3_accuracy"][0]
    assert accuracy["test"] == "mcnemar"
    assert accuracy["p_value"] == pytest.approx(binomtest(0, 30, 0.5).pvalue)  # 30 discordant, all for b
    n_metrics = len(comparison["differences"])
    assert accuracy["p_holm"] <= min(1.0, n_metrics * accuracy["p_value"])
    assert accuracy["significant"] is True and accuracy["delta"] == pytest.approx(0.25)
    assert comparison["differences"]["category3_macro_f1"][0]["test"] == "bootstrap"
    assert comparison["differences"]["price_mdape"][0]["identical"] is True  # same prices in both
    significant = {m for m, (d,) in comparison["differences"].items() if d["significant"]}
    assert "category3_accuracy" in significant
    assert significant <= {m for m in comparison["differences"] if m.startswith("category")}


def test_identical_runs_read_no_difference(runs):
    comparison = compare_evaluations([runs[0], runs[1]], n_resamples=200)
    for metric, (difference,) in comparison["differences"].items():
        assert difference["identical"] is True, metric
        assert difference["significant"] is False and difference["p_value"] == 1.0, metric


def test_compare_cli_prints_the_sentence_and_writes_the_summary(tmp_path, runs):
    from click.testing import CliRunner
    from productlens.evaluate.cli import main

    out = tmp_path / "cmp"
    args = ["compare", str(runs[0]), str(runs[2]), str(runs[1]), "--out", str(out), "--report", "html"]
    result = CliRunner().invoke(main, [*args, "--bootstrap", "300"])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.output.split())
    assert "b beats a on category accuracy by 25.0 points [" in printed
    assert "a-again and a scored the same on all 120 shared samples: no difference." in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('class="pair-sentence"') == 2 and '<figure class="ranked"><svg' in page
    assert '<table class="cost">' in page
    saved = json.loads((out / "compare.json").read_text())
    assert saved["differences"]["category3_accuracy"][0]["significant"] is True
