"""Metric values on small hand-computed cases, and parity with numpy, scikit-learn and sacrebleu."""

import math

import numpy as np
import pytest
from productlens.evaluate.aggregate import estimate_metrics
from productlens.evaluate.category_metrics import category_scores, confusion_matrix
from productlens.evaluate.price_metrics import price_errors, price_specs
from productlens.evaluate.title_metrics import anls, chrf, exact_match, normalise_title, token_f1
from productlens.evaluate.weighted_stats import weighted_macro_f1, weighted_mean, weighted_median
from sklearn.metrics import f1_score

ONES = np.ones((1, 1))


def point(stat, n):
    return float(stat(np.ones((1, n)))[0])


def price_values(predicted, true):
    errors = price_errors(np.array(predicted, dtype=float), np.array(true, dtype=float))
    parsed = ~np.isnan(np.array(predicted, dtype=float))
    specs = price_specs(errors["abs_error"], errors["ape"], errors["log_error"], parsed)
    return estimate_metrics(specs, len(true), n_resamples=0)


def test_price_metrics_by_hand():
    values = price_values([110, 90, np.nan, 300], [100, 100, 50, 200])
    assert values["price_mae"]["value"] == pytest.approx(
        40.0
    )  # (10 + 10 + 100) / 3; the unparsed row is left out
    assert values["price_mae"]["n"] == 3
    assert values["price_median_ae"]["value"] == pytest.approx(10.0)
    assert values["price_mape"]["value"] == pytest.approx((0.1 + 0.1 + 0.5) / 3)
    assert values["price_mdape"]["value"] == pytest.approx(0.1)
    assert values["price_within_5pct"]["value"] == 0.0
    assert values["price_within_10pct"]["value"] == pytest.approx(2 / 3)
    assert values["price_within_10pct_all"]["value"] == pytest.approx(2 / 4)  # the failure is a miss
    assert values["price_within_10pct_all"]["n"] == 4
    assert values["price_within_25pct"]["value"] == pytest.approx(2 / 3)
    squares = [math.log(111 / 101) ** 2, math.log(91 / 101) ** 2, math.log(301 / 201) ** 2]
    assert values["price_rmsle"]["value"] == pytest.approx(math.sqrt(sum(squares) / 3))
    assert values["price_mae"]["higher_is_better"] is False
    assert values["price_within_10pct"]["higher_is_better"] is True


def test_zero_true_price_leaves_ape_unscored_but_not_abs_error():
    values = price_values([10, 110], [0, 100])
    assert values["price_mae"]["value"] == pytest.approx(10.0)
    assert values["price_mape"]["n"] == 1
    assert values["price_mape"]["value"] == pytest.approx(0.1)


def test_nothing_parsed_gives_no_value_rather_than_zero():
    values = price_values([np.nan, np.nan], [100, 200])
    assert values["price_mae"]["value"] is None
    assert values["price_mae"]["n"] == 0
    assert values["price_within_10pct_all"]["value"] == 0.0


def test_title_normalisation_and_exact_match():
    assert normalise_title("  Check-Cotton   SHIRT! ") == "check cotton shirt"
    assert exact_match("Check-Cotton Shirt", "check cotton shirt") == 1
    assert exact_match("Check Shirt", "Check Cotton Shirt") == 0


def test_token_f1_by_hand():
    # 2 shared tokens; precision 2/3, recall 2/2 -> F1 = 0.8
    assert token_f1("check cotton shirt", "Check Shirt") == pytest.approx(0.8)
    assert token_f1("scarf", "check shirt") == 0.0
    assert token_f1("shirt shirt", "shirt") == pytest.approx(2 * 0.5 * 1 / 1.5)  # multiset overlap


def test_anls_by_hand():
    assert anls("abcd", "abce") == pytest.approx(0.75)  # one edit in four characters
    assert anls("abcd", "wxyz") == 0.0  # similarity 0 is below the 0.5 threshold
    assert anls("ab", "abcd") == pytest.approx(0.5)  # exactly the threshold is kept
    assert anls("", "") == 1.0


@pytest.mark.parametrize(
    ("hypothesis", "reference"),
    [
        ("Check Cotton Shirt", "Check Cotton Shirt"),
        ("Check Shirt", "Check Cotton Shirt"),
        ("Trench coat in beige", "Heritage Trench Coat"),
        ("a", "abcdefgh"),
        ("xyz", "abc"),
        ("Monogram Motif Silk Scarf", "Monogram Silk Scarf"),
    ],
)
def test_chrf_matches_sacrebleu(hypothesis, reference):
    sacrebleu = pytest.importorskip("sacrebleu")
    expected = sacrebleu.metrics.CHRF().sentence_score(hypothesis, [reference]).score / 100
    assert chrf(hypothesis, reference) == pytest.approx(expected, abs=1e-9)


def test_chrf_bounds():
    assert chrf("Check Shirt", "Check Shirt") == pytest.approx(1.0)
    assert chrf("qqq", "Check Shirt") == 0.0


def test_weighted_aggregates_equal_plain_ones():
    rng = np.random.default_rng(1)
    values = rng.normal(size=101)
    values[::7] = np.nan
    assert point(weighted_mean(values), 101) == pytest.approx(np.nanmean(values))
    assert point(weighted_median(values), 101) == pytest.approx(np.nanmedian(values))
    even = values[~np.isnan(values)][:40]
    assert point(weighted_median(even), 40) == pytest.approx(np.median(even))


def test_macro_f1_matches_scikit_learn_on_parsed_rows():
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 5, size=300)
    predicted = np.where(
        rng.random(300) < 0.6, truth, rng.integers(0, 7, size=300)
    )  # includes invented labels 5, 6
    predicted[::10] = -1  # unparsed
    keep = predicted >= 0
    expected = f1_score(truth[keep], predicted[keep], average="macro")
    assert point(weighted_macro_f1(truth, predicted), 300) == pytest.approx(expected)


def test_weighted_statistics_equal_explicit_resamples():
    rng = np.random.default_rng(3)
    values = rng.exponential(size=50)
    truth = rng.integers(0, 4, size=50)
    predicted = np.where(rng.random(50) < 0.5, truth, rng.integers(0, 4, size=50))
    draws = rng.integers(0, 50, size=(5, 50))
    weights = np.stack([np.bincount(row, minlength=50) for row in draws]).astype(float)
    medians = weighted_median(values)(weights)
    f1s = weighted_macro_f1(truth, predicted)(weights)
    for b, row in enumerate(draws):
        assert medians[b] == pytest.approx(np.median(values[row]))
        assert f1s[b] == pytest.approx(f1_score(truth[row], predicted[row], average="macro"))


def test_category_scores_through_the_taxonomy():
    hierarchy = {"shirts": ("MEN", "CLOTHING"), "scarves": ("WOMEN", "ACCESSORIES")}
    assert category_scores("Shirts", "SHIRTS", "MEN", "CLOTHING", hierarchy) == {
        "category3_correct": 1,
        "category1_correct": 1,
        "category2_correct": 1,
    }
    assert category_scores("SCARVES", "SHIRTS", "MEN", "CLOTHING", hierarchy) == {
        "category3_correct": 0,
        "category1_correct": 0,
        "category2_correct": 0,
    }
    # a category nobody has heard of was read, and is wrong on every level
    assert category_scores("SPACESHIPS", "SHIRTS", "MEN", "CLOTHING", hierarchy)["category1_correct"] == 0
    assert set(category_scores(None, "SHIRTS", "MEN", "CLOTHING", hierarchy).values()) == {None}


def test_confusion_matrix_rows_true_columns_predicted_then_unparsed():
    confusion = confusion_matrix(
        ["SHIRTS", "SHIRTS", "COATS", "COATS", "COATS"], ["SHIRTS", "coats", None, "COATS", "Hats"]
    )
    assert confusion["labels"] == ["COATS", "SHIRTS", "Hats"]
    assert confusion["columns"] == ["COATS", "SHIRTS", "Hats", "(unparsed)"]
    assert confusion["matrix"] == [[1, 0, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0]]


def test_chrf_matches_sacrebleu_on_random_titles():
    sacrebleu = pytest.importorskip("sacrebleu")
    import random

    rng = random.Random(0)
    words = ["check", "cotton", "silk", "trench", "coat", "scarf", "a", "ab", "Shirt"]
    reference_chrf = sacrebleu.metrics.CHRF()
    for _ in range(300):
        hypothesis = " ".join(rng.choice(words) for _ in range(rng.randint(0, 5)))
        reference = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        expected = reference_chrf.sentence_score(hypothesis, [reference]).score / 100
        assert chrf(hypothesis, reference) == pytest.approx(expected, abs=1e-9), (hypothesis, reference)


def test_median_far_from_the_sample_median_is_computed_in_full():
    values = np.arange(10_000, dtype=float)
    weights = np.zeros((2, 10_000))
    weights[0, :100] = 100  # every draw among the 100 smallest values: far below the rank window
    weights[1] = 1
    medians = weighted_median(values)(weights)
    assert medians[0] == pytest.approx(np.median(np.repeat(values[:100], 100)))
    assert medians[1] == pytest.approx(np.median(values))


def test_macro_f1_with_many_labels_matches_scikit_learn():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 400, size=2000)  # past the one-hot size: per-label sums by reduceat
    predicted = np.where(rng.random(2000) < 0.5, truth, rng.integers(0, 450, size=2000))
    predicted[::9] = -1
    keep = predicted >= 0
    expected = f1_score(truth[keep], predicted[keep], average="macro")
    assert point(weighted_macro_f1(truth, predicted), 2000) == pytest.approx(expected)
