"""Per-sample verdicts and the worst-first ranking, and how metric values are written."""

from __future__ import annotations

from productlens.reports.metric_format import (
    difference_verdict,
    format_delta,
    format_interval,
    format_value,
    grouped_metric_names,
    headline_metric_names,
    metric_kind,
)
from productlens.reports.sample_view import badness, field_verdicts, sample_flags, worst_records


def test_verdicts_of_right_close_wrong_and_unparsed_rows(fake_predictions):
    by_id = {r["id"]: r for r in fake_predictions}
    assert [str(v) for v in field_verdicts(by_id["P001"]).values()] == ["✓ exact", "✓ right", "✓ +1.7%"]
    assert [str(v) for v in field_verdicts(by_id["P003"]).values()] == ["≈ F1 0.80", "✓ right", "≈ +15.6%"]
    assert [str(v) for v in field_verdicts(by_id["P005"]).values()] == ["✗ F1 0.00", "✗ wrong", "✗ -64.3%"]
    assert [str(v) for v in field_verdicts(by_id["P009"]).values()] == ["✓ exact", "✓ right", "— unparsed"]
    assert sample_flags(by_id["P009"]) == ["unparsed", "price-miss"]


def test_answers_with_only_scores_use_the_scores(fake_predictions):
    answer = {"generated": "x", "scores": fake_predictions[6]["scores"]}  # compare answers carry no "parsed"
    assert {v.level for v in field_verdicts(answer).values()} == {"missing"}
    right = {"generated": "x", "scores": fake_predictions[0]["scores"]}
    assert [str(v) for v in field_verdicts(right).values()] == ["✓ exact", "✓ right", "✓ 1.7% off"]


def test_badness_counts_unparsed_as_a_full_miss_and_ranks_worst_first(fake_predictions):
    by_id = {r["id"]: r for r in fake_predictions}
    assert badness(by_id["P007"]) == 1.0
    assert badness(by_id["P006"]) < badness(by_id["P003"]) < badness(by_id["P004"])
    assert [r["id"] for r in worst_records(fake_predictions, 3)] == ["P007", "P008", "P005"]
    assert [r["id"] for r in worst_records(fake_predictions, 3, max_unparsed=1)] == ["P007", "P005", "P004"]


def test_values_are_written_in_their_unit():
    assert metric_kind("price_mdape") == "percent" and format_value(0.0612, "percent") == "6.1%"
    assert metric_kind("title_f1") == "score" and format_value(0.8291, "score") == "0.829"
    assert metric_kind("price_mae") == "amount" and format_value(1234.56, "amount") == "1,234.6"
    assert metric_kind("something_new") == "number" and format_value(0.000123456, "number") == "0.0001235"
    assert format_value(None, "percent") == "n/a"
    assert format_interval(0.1, 0.25, "percent") == "[10.0, 25.0]%"
    assert format_interval(None, None, "score") == ""
    assert format_delta(-0.031, "percent") == "-3.1 pp"


def test_groups_and_headline_choice():
    names = ["title_f1", "parse_rate", "price_mae", "category3_accuracy", "odd"]
    assert grouped_metric_names(names) == [
        ("Parsing", ["parse_rate"]),
        ("Category", ["category3_accuracy"]),
        ("Price", ["price_mae"]),
        ("Title", ["title_f1"]),
        ("Other", ["odd"]),
    ]
    assert headline_metric_names(dict.fromkeys(names), limit=3) == [
        "parse_rate",
        "category3_accuracy",
        "title_f1",
    ]


def test_a_difference_is_better_or_worse_only_when_its_interval_excludes_zero():
    assert difference_verdict(0.1, 0.02, 0.2, higher_is_better=True) == "better"
    assert difference_verdict(0.1, 0.02, 0.2, higher_is_better=False) == "worse"
    assert difference_verdict(0.1, -0.01, 0.2, higher_is_better=True) == "unclear"
    assert difference_verdict(None, None, None, higher_is_better=True) == "unknown"
