"""predictions.jsonl: resumable appends, torn last lines, clear errors; thumbnails for the report."""

import io
import json

import pytest
from PIL import Image
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.predictions_io import (
    PredictionWriter,
    completed_ids,
    read_predictions,
    reference_from_row,
    write_predictions,
)
from productlens.evaluate.thumbnails import thumbnail_jpeg, thumbnails_for_split


def record(key):
    return {"id": key, "generated": "Product: a, Category: b, Full Price: 1", "reference": {"title": "a"}}


def test_writer_appends_and_a_rerun_sees_what_is_done(tmp_path):
    path = tmp_path / "predictions.jsonl"
    with PredictionWriter(path) as writer:
        writer.write_batch([record("a"), record("b")])
    with PredictionWriter(path) as writer:
        writer.write_batch([record("c")])
    assert [r["id"] for r in read_predictions(path)] == ["a", "b", "c"]
    assert completed_ids(path) == {"a", "b", "c"}
    assert completed_ids(tmp_path / "absent.jsonl") == set()


def test_a_line_cut_short_by_an_interrupted_run_is_dropped_on_resume(tmp_path):
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps(record("a")) + "\n" + '{"id": "b", "gener')
    assert completed_ids(path) == {"a"}
    with PredictionWriter(path) as writer:
        writer.write_batch([record("b")])
    assert [r["id"] for r in read_predictions(path)] == ["a", "b"]


def test_errors_name_file_and_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(record("a")) + "\nnot json\n")
    with pytest.raises(ValueError, match=r"p.jsonl, line 2: not valid JSON"):
        read_predictions(path)
    path.write_text(json.dumps({"id": "a"}) + "\n")
    with pytest.raises(ValueError, match=r"line 1: missing \['generated', 'reference'\]"):
        read_predictions(path)
    with pytest.raises(FileNotFoundError, match="no predictions file"):
        read_predictions(tmp_path / "nothing.jsonl")


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    write_predictions(tmp_path / "out" / "predictions.jsonl", [record("a")])
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["predictions.jsonl"]


def test_reference_from_a_row_without_oracle_price():
    row = {
        "title": "Scarf",
        "category1_code": "WOMEN",
        "category2_code": "ACCESSORIES",
        "category3_code": "SCARVES",
        "full_price": 450,
        "currency_code": "EUR",
        "oracle_price": float("nan"),
    }
    reference = reference_from_row(row)
    assert (
        reference["price"] == 450.0 and reference["oracle_price"] is None and reference["currency"] == "EUR"
    )


def test_thumbnails_are_small_jpegs_per_id(eval_set):
    split = load_sample_set(eval_set)["test"]
    ids = split["product_code"][:3]
    thumbnails = thumbnails_for_split(split, ids, size=16)
    assert set(thumbnails) == set(ids)
    image = Image.open(io.BytesIO(thumbnails[ids[0]]))
    assert image.format == "JPEG" and max(image.size) <= 16


def test_thumbnail_keeps_the_aspect_ratio():
    image = Image.open(io.BytesIO(thumbnail_jpeg(Image.new("RGBA", (400, 200)), size=100)))
    assert image.size == (100, 50)
