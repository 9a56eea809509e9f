"""`sample-gen show` / `export` default to data/products like every other command; exported answers write
the price as trained answers do; progress in a log is plain rows/s lines."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from productlens.core.sample_set import load_sample_set
from productlens.finetune.answer_format import format_answer
from productlens.generate.cli import main


def test_show_and_export_read_data_products_by_default(sample_set: Path, tmp_path: Path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "products").symlink_to(sample_set, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(main, ["show"])
    assert shown.exit_code == 0, shown.output
    assert "sample set data/products" in shown.output and "120" in shown.output
    exported = CliRunner().invoke(main, ["export", "--format", "llava", "--out", "llava"])
    assert exported.exit_code == 0, exported.output
    assert "exported 120 rows" in exported.output


def test_exported_answers_write_prices_like_trained_answers(sample_set: Path, tmp_path: Path):
    result = CliRunner().invoke(
        main, ["export", str(sample_set), "--format", "llava", "--out", str(tmp_path / "l")]
    )
    assert result.exit_code == 0, result.output
    exported = json.loads((tmp_path / "l" / "train.json").read_text())
    rows = {row["product_code"]: row for row in load_sample_set(sample_set)["train"]}
    for record in exported:
        row = rows[record["id"]]
        answer = record["conversations"][1]["value"]
        assert answer == format_answer(row["title"], row["category3_code"], row["full_price"])
        assert ".0," not in answer + "," and not answer.endswith(".0")
    assert any(
        float(row["full_price"]).is_integer() for row in rows.values()
    )  # the case that printed "680.0"


def test_progress_in_a_log_is_plain_rows_per_second_lines(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["-n", "12", "--size", "48x48", "--workers", "1", "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("sample-gen: ")]
    assert lines[0].startswith("sample-gen: 1/12 (8%)") and " rows/s  ETA " in lines[0]
    assert lines[-1].startswith("sample-gen: 12/12 (100%)") and lines[-1].endswith("rows/s  done")
