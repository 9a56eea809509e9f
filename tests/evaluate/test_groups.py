"""Seen/unseen combinations and accuracy per visual attribute, on a generated set."""

from __future__ import annotations

import io

import pytest
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.attributes import attribute_word_correct
from productlens.evaluate.predictions_io import reference_from_row
from productlens.evaluate.scoring import evaluate_records
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer
from productlens.generate.holdout import parse_holdout
from productlens.reports.groups_view import attributes_table, combinations_table
from productlens.reports.html import render_report
from rich.console import Console

HOLDOUT = parse_holdout("random:30%", seed=1)


@pytest.fixture(scope="module")
def generated(sample_set):
    dataset = load_sample_set(sample_set)
    rows = list(dataset["train"].remove_columns("image")) + list(dataset["test"].remove_columns("image"))
    return rows, TrainingStats.from_dataset(dataset["train"])


def answers(rows, wrong_colour="Red"):
    """Right answers, except that red items are called blue and every fifth category is wrong."""
    records = []
    for number, row in enumerate(rows):
        title = (
            row["title"].replace(wrong_colour, "Blue") if row["attr_colour"] == wrong_colour else row["title"]
        )
        category = "BELTS" if number % 5 == 0 else row["category3_code"]
        reference = reference_from_row(row)
        reference["combination_seen"] = HOLDOUT.seen(row)
        generated = format_answer(title, category, row["full_price"] * (1.1 if number % 2 else 1.0))
        records.append({"id": row["product_code"], "generated": generated, "reference": reference})
    return records


def test_seen_and_unseen_add_up_to_the_overall_figures(generated):
    rows, stats = generated
    results = evaluate_records(answers(rows), stats, n_resamples=50).results
    seen, unseen = results["combinations"]["seen"], results["combinations"]["unseen"]
    assert seen["n"] + unseen["n"] == results["n"] and unseen["n"] >= 10
    for name in ("parse_rate", "category3_accuracy", "title_f1", "price_within_10pct"):
        a, b, overall = seen["metrics"][name], unseen["metrics"][name], results["metrics"][name]
        assert a["n"] + b["n"] == overall["n"]
        assert (a["value"] * a["n"] + b["value"] * b["n"]) / overall["n"] == pytest.approx(overall["value"])
        assert a["ci_low"] <= a["value"] <= a["ci_high"]
    gap = results["combinations"]["gap"]["category3_accuracy"]
    expected = (
        seen["metrics"]["category3_accuracy"]["value"] - unseen["metrics"]["category3_accuracy"]["value"]
    )
    assert gap["delta"] == pytest.approx(expected) and gap["ci_low"] <= gap["delta"] <= gap["ci_high"]


def test_accuracy_per_visual_attribute_on_a_generated_set(generated):
    rows, stats = generated
    results = evaluate_records(answers(rows), stats, n_resamples=50).results
    attributes = results["attributes"]
    assert set(attributes) == {"colour", "material", "pattern", "hardware", "size"}
    colour = attributes["colour"]
    assert colour["by_value"]["Red"]["value"] == 0.0  # every red item was called blue
    assert all(m["value"] == 1.0 for value, m in colour["by_value"].items() if value != "Red")
    red = sum(row["attr_colour"] == "Red" for row in rows)
    assert colour["overall"]["value"] == pytest.approx(1 - red / len(rows))
    assert colour["overall"]["ci_low"] < colour["overall"]["value"] < colour["overall"]["ci_high"]
    assert attributes["material"]["overall"]["value"] == 1.0
    sized = sum(row["attr_size"] is not None for row in rows)
    assert attributes["size"]["overall"]["n"] == sized < len(rows)  # size is scored on sized leaves only

    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(attributes_table(results))
    console.print(combinations_table(results))
    text = console.file.getvalue()
    assert "Colour" in text and "Red 0.0%" in text  # the weakest colour is named
    assert "Attribute combinations: seen in training" in text
    assert max(len(line) for line in text.splitlines()) <= 80

    html = render_report(results, [])
    assert 'id="attributes"' in html and 'id="combinations"' in html
    assert "<td>Red</td>" in html


def test_an_attribute_is_right_only_with_exactly_its_words():
    assert attribute_word_correct("Red Check Wool Scarf", "Red Check Wool Scarf", "colour") == 1.0
    assert attribute_word_correct("Red Wool Scarf", "Red Check Wool Scarf", "pattern") == 0.0
    assert attribute_word_correct("Red Check Wool Scarf", "Red Wool Scarf", "pattern") == 0.0  # plain
    assert attribute_word_correct("Red Wool Scarf", "Red Wool Scarf", "pattern") == 1.0
    assert attribute_word_correct("Red Blue Wool Scarf", "Red Wool Scarf", "colour") == 0.0
    assert attribute_word_correct(None, "Red Wool Scarf", "colour") != attribute_word_correct(
        None, "", "colour"
    )  # NaN


def test_imported_rows_without_attributes_get_no_breakdowns(test_predictions, eval_set):
    stats = TrainingStats.from_dataset(load_sample_set(eval_set)["train"])
    results = evaluate_records(test_predictions, stats, n_resamples=0).results
    assert "attributes" not in results and "combinations" not in results
