"""SMAPE and the price metrics per price band (quintiles of the training prices), on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from productlens.evaluate.aggregate import estimate_metrics
from productlens.evaluate.price_bands import price_band_edges, price_band_index
from productlens.evaluate.price_metrics import price_errors, price_specs, sample_smape, smape
from productlens.evaluate.scoring import evaluate_records
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer


def test_smape_by_hand():
    # |110-100| / 105 = 0.0952..., |50-100| / 75 = 0.666..., both 0 -> 0, unparsed -> NaN
    values = smape(np.array([110.0, 50.0, 0.0, np.nan]), np.array([100.0, 100.0, 0.0, 80.0]))
    assert values[:3] == pytest.approx([20 / 210, 100 / 150, 0.0])
    assert np.isnan(values[3])
    assert sample_smape(110.0, 100.0) == pytest.approx(20 / 210)
    assert smape(np.array([0.0]), np.array([100.0]))[0] == 2.0  # the largest error SMAPE can give

    errors = price_errors(np.array([110.0, 50.0, np.nan]), np.array([100.0, 100.0, 80.0]))
    specs = price_specs(errors["abs_error"], errors["ape"], errors["log_error"], smape=errors["smape"])
    value = estimate_metrics(specs, 3, n_resamples=0)["price_smape"]
    assert value["value"] == pytest.approx((20 / 210 + 100 / 150) / 2) and value["n"] == 2
    assert value["higher_is_better"] is False


def test_band_edges_are_training_quintiles_and_edges_belong_to_the_lower_band():
    edges = price_band_edges([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    assert edges == (20.0, 40.0, 60.0, 80.0)
    prices = np.array([5, 20, 20.5, 40, 60, 80, 81, 1000])
    assert price_band_index(prices, edges).tolist() == [0, 0, 1, 1, 2, 3, 4, 4]


def records_for(pairs):
    """(true price, predicted price or None) -> prediction records with everything else right."""
    records = []
    for i, (true, predicted) in enumerate(pairs):
        generated = "no idea" if predicted is None else format_answer("Coat", "COATS", predicted)
        reference = {
            "title": "Coat",
            "category1": "WOMEN",
            "category2": "OUTERWEAR",
            "category3": "COATS",
            "price": true,
            "currency": "EUR",
            "oracle_price": None,
        }
        records.append({"id": f"P{i}", "generated": generated, "reference": reference})
    return records


def test_every_price_metric_per_band_by_hand():
    # Training prices 100..1000: quintile edges 280, 460, 640, 820.
    train_prices = [100.0 * k for k in range(1, 11)]
    stats = TrainingStats.from_columns(["WOMEN"] * 10, ["OUTERWEAR"] * 10, ["COATS"] * 10, train_prices)
    assert stats.price_quintiles == pytest.approx((280.0, 460.0, 640.0, 820.0))
    records = records_for(
        [
            (100.0, 110.0),  # q1: APE 0.10
            (200.0, 150.0),  # q1: APE 0.25
            (250.0, None),  # q1: unparsed
            (500.0, 500.0),  # q3: exact
            (900.0, 1800.0),  # q5: APE 1.0
        ]
    )
    results = evaluate_records(records, stats, n_resamples=0).results
    bands = results["price_bands"]
    assert bands["edges"] == pytest.approx([280.0, 460.0, 640.0, 820.0])
    assert [band["name"] for band in bands["bands"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert [band["n"] for band in bands["bands"]] == [3, 0, 1, 0, 1]
    assert [band["label"] for band in bands["bands"]] == ["≤ 280", "280–460", "460–640", "640–820", "> 820"]
    q1, q2, q3, _, q5 = (band["metrics"] for band in bands["bands"])
    assert q1["price_mae"]["value"] == pytest.approx(30.0) and q1["price_mae"]["n"] == 2  # (10 + 50) / 2
    assert q1["price_median_ae"]["value"] == pytest.approx(30.0)
    assert q1["price_mape"]["value"] == pytest.approx(0.175)
    assert q1["price_mdape"]["value"] == pytest.approx(0.175)
    assert q1["price_smape"]["value"] == pytest.approx((20 / 210 + 100 / 350) / 2)
    assert q1["price_within_10pct"]["value"] == pytest.approx(0.5)
    assert q1["price_within_10pct_all"]["value"] == pytest.approx(1 / 3)  # the unparsed one is a miss
    assert q1["price_within_10pct_all"]["n"] == 3  # other bands' samples are not counted at all
    expected_rmsle = np.sqrt((np.log(111 / 101) ** 2 + np.log(151 / 201) ** 2) / 2)
    assert q1["price_rmsle"]["value"] == pytest.approx(expected_rmsle)
    assert q2["price_mae"]["value"] is None and q2["price_mae"]["n"] == 0
    assert q3["price_mae"]["value"] == 0.0 and q3["price_within_5pct"]["value"] == 1.0
    assert q5["price_mape"]["value"] == pytest.approx(1.0)
    assert q5["price_smape"]["value"] == pytest.approx(900 / 1350)
    # The overall metric is over all parsed prices, bands aside.
    assert results["metrics"]["price_mae"]["value"] == pytest.approx((10 + 50 + 0 + 900) / 4)
    assert set(q1) >= {
        name for name in results["metrics"] if name.startswith("price_") and "parse" not in name
    }


def test_band_intervals_come_from_the_same_resamples():
    stats = TrainingStats.from_columns(
        ["W"] * 10, ["O"] * 10, ["COATS"] * 10, [100.0 * k for k in range(1, 11)]
    )
    rng = np.random.default_rng(0)
    pairs = [(float(t), float(t * rng.lognormal(0, 0.3))) for t in rng.uniform(100, 1000, 200)]
    bands = evaluate_records(records_for(pairs), stats, n_resamples=200).results["price_bands"]["bands"]
    for band in bands:
        metric = band["metrics"]["price_smape"]
        assert metric["ci_low"] <= metric["value"] <= metric["ci_high"]


def test_stats_saved_before_bands_existed_give_no_bands():
    stats = TrainingStats.from_columns(["W"], ["O"], ["COATS"], [100.0]).to_dict()
    del stats["price_quintiles"]
    old = TrainingStats.from_dict(stats)
    assert old.price_quintiles == ()
    assert "price_bands" not in evaluate_records(records_for([(100.0, 90.0)]), old, n_resamples=0).results
