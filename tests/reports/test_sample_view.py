"""Per-sample verdicts and the worst-first ranking, and how metric values are written."""

from __future__ import annotations

from productlens.reports.metric_format import (
    difference_verdict,
    format_delta,
    format_interval,
    format_price,
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
    assert metric_kind("price_mae") == "amount" and format_value(1234.56, "amount") == "1,235"
    assert format_value(317.46, "amount", "USD") == "317.5 USD"
    assert metric_kind("something_new") == "number" and format_value(0.000123456, "number") == "0.0001235"
    assert format_value(None, "percent") == "n/a"
    assert format_interval(0.1, 0.25, "percent") == "10.0-25.0 %"
    assert format_interval(-0.2, 0.1, "score") == "-0.200 to 0.100"  # a minus sign is not the dash
    assert format_interval(85.0, 640.0, "amount", "USD") == "85.0-640.0 USD"
    assert format_price(1290.0, "USD") == "1,290 USD" and format_price(12.5, "") == "12.50"
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


def test_close_fields_make_a_close_sample_not_a_wrong_one(fake_predictions):
    """Right category and price with a title F1 of 0.92 is close: amber, never the red "wrong"."""
    from productlens.reports.sample_view import overall_verdict, verdict_counts

    by_id = {r["id"]: r for r in fake_predictions}
    near = by_id["P001"]
    near["scores"] = {**near["scores"], "title_exact": 0, "title_f1": 0.92}
    verdicts = field_verdicts(near)
    assert overall_verdict(verdicts) == "close" and verdict_counts(verdicts) == "2 right · 1 close"
    assert sample_flags(near) == ["close"]  # no field missed
    assert overall_verdict(field_verdicts(by_id["P006"])) == "right"
    assert verdict_counts(field_verdicts(by_id["P006"])) == "3 right"
    p004 = field_verdicts(by_id["P004"])  # title exact, category wrong, price +101 %
    assert overall_verdict(p004) == "wrong" and verdict_counts(p004) == "1 right · 2 wrong"
    p009 = field_verdicts(by_id["P009"])
    assert overall_verdict(p009) == "unparsed" and verdict_counts(p009) == "2 right · 1 unparsed"


def test_unparsed_is_miss_copies_are_hidden_only_when_equal():
    from productlens.reports.metric_format import redundant_metric_names, shown_metric_names

    metrics = {
        "category3_accuracy": {"value": 0.8, "n": 600},
        "category3_accuracy_all": {"value": 0.8, "n": 600},  # every answer parsed: the same
        "title_exact": {"value": 0.5, "n": 590},
        "title_exact_all": {"value": 0.49, "n": 600},  # ten unparsed: a different number
        "title_anls": {"value": None, "n": 0},
        "title_anls_all": {"value": None, "n": 600},
        "price_within_10pct_all": {"value": 0.3, "n": 600},  # no original to equal
    }
    assert redundant_metric_names(metrics) == {"category3_accuracy_all", "title_anls_all"}
    assert "title_exact_all" in shown_metric_names(metrics)


def test_noise_floor_gap_and_short_baseline_names():
    from productlens.reports.metric_format import baseline_short_name, format_gap

    assert format_gap(0.136, 0.066, "percent", higher_is_better=False) == "7.0 pp to the floor"
    assert format_gap(0.45, 0.70, "percent", higher_is_better=True) == "25.0 pp to the floor"
    assert format_gap(0.06, 0.066, "percent", higher_is_better=False) == "0.6 pp past the floor"
    assert format_gap(84.0, 40.5, "amount", False, "USD") == "43.5 USD to the floor"
    assert baseline_short_name("oracle_price", {"label": "Noise floor (price before noise)"}) == "noise floor"
    assert baseline_short_name("zero_shot", {"label": "Zero-shot base model answers"}) == "Zero-shot"
    assert len(baseline_short_name("x", {"label": "Supercalifragilistic"})) <= 12
