"""A small sample set for evaluate's tests, and predictions with known answers."""

import random

import pytest
from PIL import Image
from productlens.evaluate.predictions_io import reference_from_row
from productlens.finetune.answer_format import format_answer
from productlens.generate.sample_set_writer import SampleSetWriter

CATEGORIES = [
    ("MEN", "CLOTHING", "SHIRTS", 590.0),
    ("WOMEN", "CLOTHING", "COATS", 2190.0),
    ("WOMEN", "ACCESSORIES", "SCARVES", 450.0),
]
TITLES = [
    "Check Cotton Shirt",
    "Heritage Trench Coat",
    "Monogram Silk Scarf",
    "Vintage Check Scarf",
    "Quilted Jacket",
]


def make_rows(n_train=24, n_test=12, seed=0):
    rng = random.Random(seed)
    rows = []
    for i in range(n_train + n_test):
        level1, level2, level3, base = CATEGORIES[i % len(CATEGORIES)]
        oracle = round(base * rng.uniform(0.8, 1.25), 2)
        price = round(oracle * rng.uniform(0.95, 1.05))
        colour = (i * 37 % 256, i * 91 % 256, i * 53 % 256)
        rows.append(
            {
                "website_name": "example",
                "competence_date": "2026-01-01",
                "country_code": "US",
                "currency_code": "USD",
                "brand": "Burberry",
                "category1_code": level1,
                "category2_code": level2,
                "category3_code": level3,
                "product_code": f"P{i:04d}",
                "title": TITLES[i % len(TITLES)],
                "itemurl": "",
                "imageurl": "",
                "full_price": float(price),
                "price": float(price),
                "full_price_eur": float(price),
                "price_eur": float(price),
                "flg_discount": 0,
                "image": Image.new("RGB", (24, 24), colour),
                "source": "synthetic",
                "oracle_price": oracle,
                "split": "train" if i < n_train else "test",
            }
        )
    return rows


@pytest.fixture(scope="session")
def eval_rows():
    return make_rows()


@pytest.fixture(scope="session")
def eval_set(tmp_path_factory, eval_rows):
    """data/<set> with 24 train and 12 test rows (three categories, synthetic with oracle prices)."""
    dest = tmp_path_factory.mktemp("sets") / "products"
    with SampleSetWriter(dest, seed=0) as writer:
        for row in eval_rows:
            fields = {key: value for key, value in row.items() if key != "split"}
            writer.add(fields, split=row["split"])
    return dest


def answer_for(row, price_factor=1.0, title=None, category=None):
    return format_answer(
        title or row["title"], category or row["category3_code"], row["full_price"] * price_factor
    )


@pytest.fixture
def test_predictions(eval_rows):
    """Records for the test rows: right, wrong-category, off-price and unparseable answers mixed."""
    records = []
    for number, row in enumerate(r for r in eval_rows if r["split"] == "test"):
        if number % 4 == 3:
            generated = "I cannot tell."
        elif number % 4 == 2:
            generated = answer_for(row, price_factor=1.5, category="HATS")
        else:
            generated = answer_for(row, price_factor=1.0 + 0.02 * number)
        records.append(
            {"id": row["product_code"], "generated": generated, "reference": reference_from_row(row)}
        )
    return records
