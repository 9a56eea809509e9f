"""`sample-gen`, `sample-gen show` and `sample-gen export` as a user runs them (click's CliRunner)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from productlens.core.sample_set import DBQ_COLUMNS, set_fingerprint
from productlens.generate.cli import main

SMALL = ["-n", "24", "--size", "64x48", "--workers", "1"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_generate_prints_a_summary(tmp_path: Path):
    out = tmp_path / "products"
    result = run(*SMALL, "--out", str(out), "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "rows" in result.output and "24" in result.output
    assert "rows per category3" in result.output
    assert "USD" in result.output
    assert (out / "manifest.json").is_file()


def test_plain_sample_gen_writes_data_products(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("-n", "10", "--size", "48x48")
    assert result.exit_code == 0, result.output
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "data" / "products" / "data").iterdir())


def test_refuses_non_empty_destination_without_overwrite(tmp_path: Path):
    out = tmp_path / "products"
    assert run(*SMALL, "--out", str(out)).exit_code == 0
    before = set_fingerprint(out)
    refused = run(*SMALL, "--out", str(out), "--seed", "9")
    assert refused.exit_code == 1
    assert "is not empty; pass --overwrite" in refused.output
    assert set_fingerprint(out) == before
    replaced = run(*SMALL, "--out", str(out), "--seed", "9", "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert set_fingerprint(out) != before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "count must be between 1"),
        (["-n", "-5"], "count must be between 1"),
        (["--split", "0.5,0.4,0.3"], "summing to 1"),
        (["--split", "0.8,0.2"], "summing to 1"),
        (["--size", "big"], "WIDTHxHEIGHT"),
        (["--jpeg-quality", "101"], "JPEG quality"),
        (["--workers", "0"], "workers must be at least 1"),
    ],
)
def test_bad_input_gives_a_clear_error(tmp_path: Path, args: list[str], message: str):
    result = run(*args, "--out", str(tmp_path / "x"))
    assert result.exit_code != 0
    assert "Error" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_unwritable_destination_is_refused(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(*SMALL, "--out", str(blocker / "products"))
    assert result.exit_code == 1
    assert "cannot write under" in result.output and str(blocker) in result.output


def test_show_prints_the_summary_of_a_set(sample_set: Path):
    result = run("show", str(sample_set))
    assert result.exit_code == 0, result.output
    assert "120" in result.output and "train" in result.output and "validation" in result.output
    assert "sha256:" in result.output


def test_show_names_a_directory_that_is_not_a_set(tmp_path: Path):
    result = run("show", str(tmp_path))
    assert result.exit_code == 1
    assert "no Parquet shards" in result.output


def test_export_cookbook_csv(sample_set: Path, tmp_path: Path):
    out = tmp_path / "cookbook"
    result = run("export", str(sample_set), "--format", "cookbook-csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    with (out / "Dataset.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 120
    assert list(rows[0]) == [*DBQ_COLUMNS, "local_image_path"]
    assert all((out / row["local_image_path"]).is_file() for row in rows)


def test_export_llava_and_phi3v_jsonl(sample_set: Path, tmp_path: Path):
    assert (
        run("export", str(sample_set), "--format", "llava", "--out", str(tmp_path / "llava")).exit_code == 0
    )
    records = json.loads((tmp_path / "llava" / "train.json").read_text())
    first = records[0]
    assert first["conversations"][0] == {"from": "human", "value": "<image>\nWhat is shown in this image?"}
    assert first["conversations"][1]["value"].startswith("Product: ")
    assert (tmp_path / "llava" / first["image"]).is_file()

    assert (
        run("export", str(sample_set), "--format", "phi3v-jsonl", "--out", str(tmp_path / "p3")).exit_code
        == 0
    )
    lines = (tmp_path / "p3" / "validation.jsonl").read_text().splitlines()
    record = json.loads(lines[0])
    turn = record["conversations"][0]
    assert set(turn) == {"images", "user", "assistant"} and "Category: " in turn["assistant"]
    assert (tmp_path / "p3" / turn["images"][0]).is_file()
    counted = sum(
        len((tmp_path / "p3" / f"{s}.jsonl").read_text().splitlines())
        for s in ("train", "validation", "test")
    )
    assert counted == 120


def test_export_refuses_unknown_format_and_existing_out(sample_set: Path, tmp_path: Path):
    bad = run("export", str(sample_set), "--format", "coco", "--out", str(tmp_path / "o"))
    assert bad.exit_code == 2 and "coco" in bad.output
    existing = tmp_path / "taken"
    shutil.copytree(sample_set, existing)
    refused = run("export", str(sample_set), "--format", "llava", "--out", str(existing))
    assert refused.exit_code == 1 and "--overwrite" in refused.output
