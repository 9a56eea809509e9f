"""The pure scoring function: per-sample scores, results.json shape, baselines, re-scoring a file."""

import json

import pytest
from productlens.evaluate.predictions_io import write_predictions
from productlens.evaluate.scoring import evaluate_records, score_predictions, score_record
from productlens.evaluate.training_stats import TrainingStats

REFERENCE = {
    "title": "Check Cotton Shirt",
    "category1": "MEN",
    "category2": "CLOTHING",
    "category3": "SHIRTS",
    "price": 590.0,
    "currency": "USD",
    "oracle_price": None,
}
HIERARCHY = {"shirts": ("MEN", "CLOTHING"), "coats": ("WOMEN", "CLOTHING")}


def stats_from(rows):
    train = [r for r in rows if r["split"] == "train"]
    return TrainingStats.from_columns(
        [r["category1_code"] for r in train],
        [r["category2_code"] for r in train],
        [r["category3_code"] for r in train],
        [r["full_price"] for r in train],
    )


def test_a_perfect_answer_scores_perfectly():
    record = score_record(
        "P1", "Product: Check Cotton Shirt, Category: SHIRTS, Full Price: 590", REFERENCE, HIERARCHY
    )
    scores = record["scores"]
    assert scores["parsed"] is True
    assert (scores["title_exact"], scores["title_f1"], scores["title_anls"]) == (1, 1.0, 1.0)
    assert scores["category3_correct"] == scores["category1_correct"] == scores["category2_correct"] == 1
    assert (scores["price_abs_error"], scores["price_ape"], scores["price_log_error"]) == (0.0, 0.0, 0.0)


def test_a_failed_field_is_unscored_never_zero():
    record = score_record("P1", "Product: Check Cotton Shirt, Category: COATS", REFERENCE, HIERARCHY)
    scores = record["scores"]
    assert scores["parsed"] is False
    assert record["parse_error"] == "price: missing"
    assert (
        scores["price_abs_error"] is None
        and scores["price_ape"] is None
        and scores["price_log_error"] is None
    )
    assert scores["category3_correct"] == 0  # parsed and wrong is a 0
    assert scores["category2_correct"] == 1  # COATS and SHIRTS share CLOTHING
    assert scores["title_exact"] == 1


def test_results_have_the_documented_shape(eval_rows, test_predictions):
    results = score_predictions(test_predictions, stats_from(eval_rows), name="demo", n_resamples=200)
    json.dumps(results, allow_nan=False)  # valid JSON, no NaN
    assert set(results) >= {
        "schema",
        "name",
        "n",
        "metrics",
        "baselines",
        "per_category",
        "confusion",
        "provenance",
        "timings",
    }
    assert (results["schema"], results["name"], results["n"]) == (1, "demo", 12)
    for name in (
        "parse_rate",
        "price_mdape",
        "price_mae",
        "price_within_10pct",
        "title_exact",
        "title_f1",
        "category3_accuracy",
    ):
        metric = results["metrics"][name]
        assert set(metric) == {"value", "ci_low", "ci_high", "n", "higher_is_better", "label"}
        assert metric["ci_low"] <= metric["value"] <= metric["ci_high"], name
    assert set(results["baselines"]) == {
        "train_median_price",
        "category_median_price",
        "oracle_price",
        "majority_category",
    }
    assert set(results["provenance"]) >= {
        "model",
        "adapter",
        "data",
        "data_fingerprint",
        "split",
        "settings",
        "versions",
        "created",
    }
    assert results["timings"]["scoring_s"] >= 0 and results["timings"]["generation_s"] is None


def test_values_follow_the_answers(eval_rows, test_predictions):
    results = score_predictions(test_predictions, stats_from(eval_rows), n_resamples=0)
    metrics = results["metrics"]
    # 12 test rows: every 4th unparseable (3), every 4th (from 2) with a wrong category (3)
    assert metrics["parse_rate"]["value"] == pytest.approx(9 / 12)
    assert metrics["category3_accuracy"]["n"] == 9
    assert metrics["category3_accuracy"]["value"] == pytest.approx(6 / 9)
    assert metrics["category3_accuracy_all"]["value"] == pytest.approx(6 / 12)
    assert metrics["title_exact"]["value"] == 1.0
    assert metrics["title_exact_all"]["value"] == pytest.approx(9 / 12)
    assert metrics["price_within_25pct"]["value"] == pytest.approx(6 / 9)  # the 1.5x answers miss
    confusion = results["confusion"]
    assert confusion["columns"][-1] == "(unparsed)"
    assert sum(row[-1] for row in confusion["matrix"]) == 3
    assert "HATS" in confusion["labels"]
    assert sum(row["n"] for row in results["per_category"].values()) == 12


def test_baselines_by_hand(eval_rows, test_predictions):
    stats = stats_from(eval_rows)
    baselines = score_predictions(test_predictions, stats, n_resamples=0)["baselines"]
    test = [r for r in eval_rows if r["split"] == "test"]
    expected_mae = sum(abs(stats.median_price - r["full_price"]) for r in test) / len(test)
    assert baselines["train_median_price"]["metrics"]["price_mae"]["value"] == pytest.approx(expected_mae)
    majority = sum(r["category3_code"] == stats.majority_category for r in test) / len(test)
    assert baselines["majority_category"]["metrics"]["category3_accuracy"]["value"] == pytest.approx(majority)
    # the category median knows the true category, so it beats one price for all; the oracle beats both
    mdape = {
        name: baselines[name]["metrics"]["price_mdape"]["value"]
        for name in ("train_median_price", "category_median_price", "oracle_price")
    }
    assert mdape["oracle_price"] < mdape["category_median_price"] < mdape["train_median_price"]


def test_rescoring_a_file_reparses_the_raw_answers(tmp_path, eval_rows, test_predictions):
    stale = [
        dict(r, parsed={"title": None, "category": None, "price": 0.0}, scores={"parsed": False})
        for r in test_predictions
    ]
    path = tmp_path / "predictions.jsonl"
    write_predictions(path, stale)
    from_file = evaluate_records(path, stats_from(eval_rows), n_resamples=0)
    from_records = evaluate_records(test_predictions, stats_from(eval_rows), n_resamples=0)
    assert from_file.results["metrics"] == from_records.results["metrics"]
    assert from_file.records[0]["parsed"]["price"] == pytest.approx(eval_rows[24]["full_price"])


def test_duplicate_ids_are_refused(eval_rows, test_predictions):
    with pytest.raises(ValueError, match="appears twice"):
        score_predictions(test_predictions + test_predictions[:1], stats_from(eval_rows))


def test_training_stats_round_trip_and_empty_split(eval_rows):
    stats = stats_from(eval_rows)
    assert TrainingStats.from_dict(json.loads(json.dumps(stats.to_dict()))) == stats
    assert stats.hierarchy["coats"] == ("WOMEN", "CLOTHING")
    with pytest.raises(ValueError, match="training split is empty"):
        TrainingStats.from_columns([], [], [], [])


def test_prediction_records_have_the_documented_fields(eval_rows, test_predictions):
    records = evaluate_records(test_predictions, stats_from(eval_rows), n_resamples=0).records
    documented_scores = {
        "parsed",
        "title_exact",
        "title_f1",
        "title_anls",
        "category3_correct",
        "price_abs_error",
        "price_ape",
        "price_log_error",
    }
    for record in records:
        assert set(record) == {"id", "generated", "parsed", "parse_error", "reference", "scores"}
        assert set(record["parsed"]) == {"title", "category", "price"}
        assert set(record["reference"]) == {
            "title",
            "category1",
            "category2",
            "category3",
            "price",
            "currency",
            "oracle_price",
        }
        assert documented_scores <= set(record["scores"])
    unparsed = next(r for r in records if r["generated"] == "I cannot tell.")
    assert unparsed["parse_error"].startswith("no labelled fields found")
    assert all(unparsed["scores"][key] is None for key in documented_scores - {"parsed"})
