"""The metrics as Hugging Face evaluate.Metric classes: instantiated offline, combinable."""

import pytest
from productlens.evaluate.hf_metrics import CategoryMetric, ParseRateMetric, PriceMetric, TitleMetric

import evaluate

PREDICTIONS = [
    "Product: Check Shirt, Category: SHIRTS, Full Price: $1,100",
    "I cannot tell.",
    "Product: Coat, Category: COATS, Full Price: 2000",
    "Product: Silk Scarf, Category: SHIRTS, Full Price: 1.234,50 EUR",
]
REFERENCES = [
    "Product: Check Shirt, Category: SHIRTS, Full Price: 1000",
    "Product: Scarf, Category: SCARVES, Full Price: 450",
    "Product: Trench Coat, Category: COATS, Full Price: 2000",
    "Product: Silk Scarf, Category: SCARVES, Full Price: 450",
]


def test_combine_scores_every_field():
    combined = evaluate.combine([ParseRateMetric(), PriceMetric(), TitleMetric(), CategoryMetric()])
    values = combined.compute(predictions=PREDICTIONS, references=REFERENCES)
    assert values["parse_rate"] == pytest.approx(3 / 4)
    assert values["price_mae"] == pytest.approx((100 + 0 + 784.5) / 3)
    assert values["price_within_10pct"] == pytest.approx(2 / 3)
    assert values["price_within_10pct_all"] == pytest.approx(2 / 4)
    assert values["title_exact"] == pytest.approx(2 / 3)
    assert values["category3_accuracy"] == pytest.approx(2 / 3)
    assert values["category3_accuracy_all"] == pytest.approx(2 / 4)


def test_intervals_on_request():
    values = PriceMetric().compute(predictions=PREDICTIONS, references=REFERENCES, n_resamples=100, seed=1)
    assert values["price_mae_ci_low"] <= values["price_mae"] <= values["price_mae_ci_high"]


def test_category_levels_from_a_taxonomy():
    hierarchy = {
        "shirts": ("MEN", "CLOTHING"),
        "scarves": ("WOMEN", "ACCESSORIES"),
        "coats": ("WOMEN", "CLOTHING"),
    }
    values = CategoryMetric(hierarchy=hierarchy).compute(predictions=PREDICTIONS, references=REFERENCES)
    assert values["category1_accuracy"] == pytest.approx(2 / 3)  # shirts for a scarf: MEN vs WOMEN


def test_a_reference_that_is_not_an_answer_is_refused():
    with pytest.raises(ValueError, match="reference 1 is not a complete answer"):
        PriceMetric().compute(predictions=["Full Price: 1"], references=["just a title"])
