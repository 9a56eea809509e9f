"""Cleaning rules of `sample-gen import`: prices, categories, codes, column mappings."""

from __future__ import annotations

import math

import pytest
from productlens.generate.clean import (
    clean_category,
    clean_code,
    is_missing,
    parse_flag,
    parse_mapping,
    parse_price,
)
from productlens.generate.importer import clean_row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,290.00", 1290.0),
        ("1.290,50 €", 1290.5),
        ("USD 890", 890.0),
        ("£ 2 450", 2450.0),
        ("1\u00a0290,00", 1290.0),
        ("1'290.00", 1290.0),
        ("12,5", 12.5),
        ("1,290", 1290.0),
        ("1,290,000", 1290000.0),
        ("990.0", 990.0),
        (1290, 1290.0),
        (349.99, 349.99),
    ],
)
def test_prices_with_symbols_and_separators_are_read(text: object, expected: float) -> None:
    assert parse_price(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["N.A.", "", None, math.nan, "0", "-120", "free", "1.2.3,4,5", "$", True])
def test_missing_zero_negative_or_unreadable_prices_are_not_prices(text: object) -> None:
    assert parse_price(text) is None


def test_missing_categories_are_kept_as_their_own_value_or_mapped() -> None:
    assert clean_category("N.A.") == "N.A."
    assert clean_category("") == "N.A."
    assert clean_category("N.A.", na_category="OTHER") == "OTHER"
    assert clean_category("  tote   bags ") == "TOTE BAGS"


def test_codes_read_as_floats_by_pandas_lose_the_decimal() -> None:
    assert clean_code(80669601.0) == "80669601"
    assert clean_code(" 8066-96 ") == "8066-96"
    assert clean_code("N.A.") is None


def test_flags_and_missing_markers() -> None:
    assert [parse_flag(v) for v in ("1", "0", "true", "no", "N.A.", "maybe")] == [1, 0, 1, 0, None, None]
    assert all(is_missing(v) for v in ("N.A.", " n/a ", "", None, float("nan")))
    assert not is_missing("Trench")


def test_mapping_pairs_are_parsed_and_bad_pairs_named() -> None:
    assert parse_mapping("title=name, full_price=price") == {"title": "name", "full_price": "price"}
    with pytest.raises(ValueError, match="'title'"):
        parse_mapping("title,full_price=price")


def test_clean_row_fills_price_and_discount_and_names_the_failure() -> None:
    record = {
        "product_code": "A1",
        "title": " Heritage   Trench Coat ",
        "category3_code": "N.A.",
        "full_price": "$2,290.00",
        "price": "$1,830.00",
        "currency_code": "usd",
    }
    row, reason = clean_row(record, na_category=None)
    assert reason is None
    assert row["title"] == "Heritage Trench Coat"
    assert (row["full_price"], row["price"], row["flg_discount"]) == (2290.0, 1830.0, 1)
    assert (row["category3_code"], row["currency_code"], row["brand"]) == ("N.A.", "USD", "N.A.")
    assert clean_row({**record, "full_price": "N.A."}, None)[1] == "bad_price"
    assert clean_row({**record, "title": "N.A."}, None)[1] == "no_title"
    assert clean_row({**record, "product_code": ""}, None)[1] == "no_product_code"
    no_sale, _ = clean_row({**record, "price": None}, None)
    assert (no_sale["price"], no_sale["flg_discount"]) == (2290.0, 0)
