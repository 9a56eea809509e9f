"""The shared number reader and the two price readers above it, which differ only where they say so."""

from __future__ import annotations

import pytest
from productlens.core.number_text import read_number
from productlens.finetune.answer_format import parse_price as parse_answer_price
from productlens.generate.clean import parse_price as parse_catalogue_price


@pytest.mark.parametrize(
    ("token", "catalogue", "answer"),
    [
        ("0.125", 125.0, 0.125),  # the ambiguous case: a catalogue writes whole prices, a model a fraction
        ("1,290", 1290.0, 1290.0),
        ("1.234,56", 1234.56, 1234.56),
        ("1,234.56", 1234.56, 1234.56),
        ("1,234,567", 1234567.0, 1234567.0),
        ("12,5", 12.5, 12.5),
        ("1 234,50", 1234.5, 1234.5),
        ("1234.567", 1234.567, 1234567.0),  # strict groups: four leading digits do not group
        ("1,29,000", None, 129000.0),  # strict groups: a two-digit group is unreadable
        ("1290.", None, 1290.0),
    ],
)
def test_read_number_under_each_price_readers_rule(token, catalogue, answer):
    assert read_number(token, lone_mark="thousands", strict_groups=True) == catalogue
    assert read_number(token, lone_mark="thousands_unless_zero", strict_groups=False) == answer


@pytest.mark.parametrize("token", ["", ",", "1.2.3,4,5", "12a", "-5"])
def test_what_is_not_a_number_is_none(token):
    assert read_number(token, lone_mark="thousands", strict_groups=False) is None


@pytest.mark.parametrize(
    ("text", "catalogue", "answer"),
    [
        ("0.125", 125.0, 0.125),
        ("1.234,56", 1234.56, 1234.56),
        ("1,234.56", 1234.56, 1234.56),
        ("USD890", 890.0, 890.0),
    ],
)
def test_the_two_price_readers_on_the_same_text(text, catalogue, answer):
    assert parse_catalogue_price(text) == pytest.approx(catalogue)
    value, currency, error = parse_answer_price(text)
    assert error is None and value == pytest.approx(answer)
    assert currency == ("USD" if text.startswith("USD") else None)
