"""The answer format: prompts, targets, and the tolerant parser (literal strings and a round trip)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from productlens.finetune.answer_format import (
    PRESETS,
    TARGET_SUFFIX,
    ParsedAnswer,
    PromptStyle,
    build_prompt,
    build_target,
    format_answer,
    format_price,
    parse_answer,
    parse_price,
)


def test_chat_prompt_is_the_official_template():
    assert build_prompt() == "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"


def test_cookbook_prompt_is_the_cookbooks_exact_string():
    prompt = build_prompt(PromptStyle.preset("cookbook"))
    assert prompt == "<|user|>\n<|image_1|>What is shown in this image?<|end|><|assistant|>\n"


def test_custom_question_and_answer_template():
    style = PromptStyle(
        question="Describe the product.", answer_template="Item: {title} | Price: {full_price}"
    )
    assert build_prompt(style).endswith("Describe the product.<|end|>\n<|assistant|>\n")
    assert format_answer("Scarf", "SCARVES", 450, style) == "Item: Scarf | Price: 450"
    parsed = parse_answer("Item: Scarf | Price: 450", style)
    assert (parsed.title, parsed.price) == ("Scarf", 450.0)
    assert parsed.error == "category: missing"


def test_bad_styles_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="unknown placeholders"):
        PromptStyle(answer_template="Product: {name}")
    with pytest.raises(ValueError, match="needs a label"):
        PromptStyle(answer_template="{title} {full_price}")
    with pytest.raises(ValueError, match="must contain <\\|image_1"):
        PromptStyle(prompt_template="<|user|>\n{question}<|end|>\n<|assistant|>\n")
    with pytest.raises(ValueError, match="unknown prompt style"):
        PromptStyle.preset("llava")  # type: ignore[arg-type]
    assert set(PRESETS) == {"chat", "cookbook", "zero-shot"}


def test_target_is_answer_then_end_tokens():
    target = build_target("Check Cotton Shirt", "SHIRTS", 1290.0)
    assert target == "Product: Check Cotton Shirt, Category: SHIRTS, Full Price: 1290<|end|>\n<|endoftext|>"
    assert TARGET_SUFFIX == "<|end|>\n<|endoftext|>"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1290.0, "1290"),
        (1290.5, "1290.50"),
        (0.0, "0"),
        (12.345, "12.35"),
        (0.999, "1"),
        (1_000_000, "1000000"),
    ],
)
def test_prices_are_written_one_way(value, written):
    assert format_price(value) == written


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf])
def test_impossible_prices_cannot_be_written(value):
    with pytest.raises(ValueError, match="finite number >= 0"):
        format_price(value)


@pytest.mark.parametrize(
    ("text", "price", "currency"),
    [
        ("$1,234.50", 1234.5, "USD"),
        ("1.234,50 EUR", 1234.5, "EUR"),
        ("€1.290", 1290.0, "EUR"),
        ("£ 990", 990.0, "GBP"),
        ("USD 2,150", 2150.0, "USD"),
        ("1 234,50 €", 1234.5, "EUR"),
        ("CHF 1'234.50", 1234.5, "CHF"),
        ("¥128,000", 128000.0, "JPY"),
        ("1,234,567.89", 1234567.89, None),
        ("1.234.567", 1234567.0, None),
        ("12,5", 12.5, None),
        ("0.125", 0.125, None),
        ("1290", 1290.0, None),
        ("1290.", 1290.0, None),
        ("about 450 dollars", 450.0, "USD"),
        ("590.00 euros", 590.0, "EUR"),
        ("$1.2k", 1200.0, "USD"),
        ("2 KRW", 2.0, "KRW"),
    ],
)
def test_price_forms_are_read(text, price, currency):
    value, found_currency, error = parse_price(text)
    assert error is None
    assert value == pytest.approx(price)
    assert found_currency == currency


@pytest.mark.parametrize("text", ["N/A", "unknown", "", "   ", "-450", "$"])
def test_unreadable_prices_are_errors_not_numbers(text):
    value, _, error = parse_price(text)
    assert value is None
    assert error


def test_full_answer_is_read():
    parsed = parse_answer("Product: Check Cotton Shirt, Category: SHIRTS, Full Price: $1,234.50")
    assert parsed == ParsedAnswer("Check Cotton Shirt", "SHIRTS", 1234.5, None, "USD")


def test_extra_text_around_the_answer_and_end_tokens():
    text = (
        "Sure! Here it is.\nProduct: Trench Coat, Category: COATS & JACKETS, Full Price: 1.234,50 EUR.<|end|>"
    )
    parsed = parse_answer(text)
    assert (parsed.title, parsed.category, parsed.price, parsed.error) == (
        "Trench Coat",
        "COATS & JACKETS",
        1234.5,
        None,
    )


def test_labels_in_any_case_and_synonyms():
    parsed = parse_answer("title: Bucket Hat; category: HATS; price = 390")
    assert (parsed.title, parsed.category, parsed.price, parsed.error) == ("Bucket Hat", "HATS", 390.0, None)


def test_one_field_per_line_and_markdown_emphasis():
    parsed = parse_answer("**Product:** Check Shirt\n**Category:** SHIRTS\n**Full Price:** $590")
    assert (parsed.title, parsed.category, parsed.price, parsed.error) == (
        "Check Shirt",
        "SHIRTS",
        590.0,
        None,
    )


def test_commas_inside_a_title_are_kept():
    parsed = parse_answer("Product: Shirt, Slim Fit, Category: SHIRTS, Full Price: 590")
    assert parsed.title == "Shirt, Slim Fit"


def test_missing_fields_are_none_with_an_error_naming_them():
    parsed = parse_answer("Product: Check Scarf, Category: SCARVES")
    assert (parsed.title, parsed.category, parsed.price) == ("Check Scarf", "SCARVES", None)
    assert parsed.error == "price: missing"
    parsed = parse_answer("Full Price: 450")
    assert parsed.price == 450.0
    assert parsed.error == "title: missing; category: missing"


def test_empty_value_is_not_a_value():
    parsed = parse_answer("Product: , Category: SHIRTS, Full Price: N/A")
    assert parsed.title is None
    assert parsed.price is None
    assert parsed.error == "title: empty; price: no number in 'N/A'"


@pytest.mark.parametrize("text", ["", "   \n", None, "<|end|>"])
def test_empty_output(text):
    assert parse_answer(text) == ParsedAnswer(None, None, None, "empty output")


def test_unlabelled_text_is_a_parse_failure():
    parsed = parse_answer("A beige trench coat, probably 2000 dollars")
    assert (parsed.title, parsed.category, parsed.price) == (None, None, None)
    assert parsed.error.startswith("no labelled fields found")


_words = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-&'/()", min_size=1, max_size=12
)
# A title wrapped in one pair of quotes (or only quotes, "''") reads as a quoted value by design: the parser
# drops quotes a model puts around a field, and no product title is itself a quotation.
_titles = (
    st.lists(_words, min_size=1, max_size=6)
    .map(" ".join)
    .filter(lambda title: not (len(title) >= 2 and title[0] == title[-1] == "'"))
)
_categories = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ&-", min_size=1, max_size=10), min_size=1, max_size=3
).map(" ".join)
_prices = st.integers(min_value=0, max_value=10**9).map(lambda cents: cents / 100)


@settings(max_examples=300, deadline=None)
@given(title=_titles, category=_categories, price=_prices, preset=st.sampled_from(sorted(PRESETS)))
def test_round_trip_format_then_parse(title, category, price, preset):
    style = PRESETS[preset]
    parsed = parse_answer(format_answer(title, category, price, style), style)
    assert parsed.error is None
    assert parsed.title == title
    assert parsed.category == category
    assert parsed.price == pytest.approx(price, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(title=_titles, price=_prices)
def test_round_trip_survives_the_training_suffix_and_trailing_chatter(title, price):
    text = build_target(title, "SHIRTS", price) + " thanks"
    parsed = parse_answer(text)
    assert (parsed.title, parsed.price) == (title, pytest.approx(price, abs=1e-9))
