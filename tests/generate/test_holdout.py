"""sample-gen --holdout: held-out attribute combinations never reach train but do reach validation and test."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from productlens.core.sample_set import load_sample_set, split_for
from productlens.generate.cli import main
from productlens.generate.holdout import parse_holdout
from productlens.generate.synthesize import GenerateConfig, generate_set


@pytest.fixture(scope="module")
def holdout_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("holdout") / "set"
    generate_set(
        GenerateConfig(count=300, out=out, seed=3, workers=1, width=32, height=32, holdout="random:10%")
    )
    return out


def test_held_out_combinations_never_occur_in_train_and_do_occur_in_test(holdout_set):
    holdout = parse_holdout("random:10%", seed=3)
    dataset = load_sample_set(holdout_set)
    for split in ("train", "validation", "test"):
        for row in dataset[split].remove_columns("image"):
            assert row["combination_seen"] == holdout.seen(row), (split, row["product_code"])
    train = dataset["train"].remove_columns("image")
    assert all(train["combination_seen"]) and len(train) > 150
    for split in ("validation", "test"):
        assert not all(dataset[split]["combination_seen"])  # held-out rows are there
    matched = {
        str(c)
        for c in holdout.combinations
        for row in dataset["test"].remove_columns("image")
        if c.matches(row)
    }
    assert len(matched) >= 5  # several distinct held-out pairs are tested, not one


def test_manifest_lists_the_held_out_combinations(holdout_set):
    manifest = json.loads((holdout_set / "manifest.json").read_text())
    listed = manifest["config"]["holdout"]
    assert listed["spec"] == "random:10%"
    assert listed["combinations"] == [str(c) for c in parse_holdout("random:10%", seed=3).combinations]
    # a tenth of the (colour, leaf) pairs (11 colours x 24 leaves) and of the (material, leaf) pairs
    assert sum(c.startswith("colour=") for c in listed["combinations"]) == round(0.1 * 11 * 24)


def test_splits_are_a_function_of_the_row_and_stable(holdout_set):
    holdout = parse_holdout("random:10%", seed=3)
    dataset = load_sample_set(holdout_set)
    ratios = (0.8, 0.1, 0.1)
    for split in dataset:
        for row in dataset[split].remove_columns("image"):
            assert holdout.split(row, ratios) == split
            if holdout.seen(row):  # rows of seen combinations keep the split of an ordinary set
                assert split == split_for(row["product_code"], ratios)
    assert parse_holdout("random:10%", seed=3) == holdout  # the same seed, the same pairs
    assert parse_holdout("random:10%", seed=4).combinations != holdout.combinations


def test_explicit_combinations_parse_and_match():
    holdout = parse_holdout("colour=burgundy&leaf=TOTE BAGS, material=Suede&leaf=sneakers")
    assert [str(c) for c in holdout.combinations] == [
        "colour=Burgundy&leaf=TOTE BAGS",
        "material=Suede&leaf=SNEAKERS",
    ]
    tote = {"attr_colour": "Burgundy", "attr_material": "Leather", "category3_code": "TOTE BAGS"}
    assert not holdout.seen(tote)
    assert holdout.seen({**tote, "attr_colour": "Red"})


@pytest.mark.parametrize(
    "spec, message",
    [
        ("colour=Purple&leaf=TOTE BAGS", "colour='Purple' is not a value"),
        ("shade=Red", "unknown key 'shade'"),
        ("material=Suede&leaf=TOTE BAGS", "never occurs: TOTE BAGS is made of"),
        ("colour", "is not key=value"),
        ("random:150%", "between 0 and 100"),
        (" , ", "no combination given"),
    ],
)
def test_bad_specs_name_the_part_at_fault(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_holdout(spec)


def test_cli_rejects_a_bad_spec_naming_the_option(tmp_path):
    result = CliRunner().invoke(main, ["-n", "5", "--out", str(tmp_path / "s"), "--holdout", "colour=Teal"])
    assert result.exit_code != 0
    assert "--holdout" in result.output and "Teal" in result.output
    assert not (tmp_path / "s").exists()
