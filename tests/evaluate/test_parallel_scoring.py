"""Scoring many records on several cores gives exactly the records one process gives, in order."""

import productlens.evaluate.parallel_scoring as parallel_scoring
import pytest
from productlens.evaluate.scoring import score_record

HIERARCHY = {"shirts": ("MEN", "CLOTHING"), "coats": ("WOMEN", "CLOTHING")}
ANSWERS = [
    "Product: Check Cotton Shirt, Category: SHIRTS, Full Price: 590",
    "Product: Quilted Coat\nCategory: coats\nFull Price: $1,250.00",
    "I am not sure what this is.",
    "Product: Check Shirt, Category: BAGS, Full Price: about 20",
]


def rows(n):
    out = []
    for i in range(n):
        reference = {
            "title": "Check Cotton Shirt" if i % 2 else "Quilted Coat",
            "category1": "MEN" if i % 2 else "WOMEN",
            "category2": "CLOTHING",
            "category3": "SHIRTS" if i % 2 else "COATS",
            "price": 590.0 + i,
            "currency": "USD",
        }
        out.append((f"P{i:03d}", ANSWERS[i % len(ANSWERS)], reference))
    return out


@pytest.mark.skipif(parallel_scoring.usable_cores() < 2, reason="needs two cores to use a worker")
def test_records_scored_in_a_worker_equal_those_scored_here(monkeypatch):
    many = rows(60)
    serial = [score_record(*row, HIERARCHY) for row in many]
    monkeypatch.setattr(parallel_scoring, "PARALLEL_MIN_RECORDS", 20)  # 60 rows: this process and a worker
    scored = parallel_scoring.score_rows(many, HIERARCHY, None)
    assert scored == serial
    assert [list(record) for record in scored] == [list(record) for record in serial]  # same key order
    assert all(record["reference"] is row[2] for record, row in zip(scored, many, strict=True))
