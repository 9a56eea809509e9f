"""run.json's one writer and reader (core/run_json.py): same JSON as before, clear errors, older files read."""

from __future__ import annotations

import json

import pytest
from productlens.core.run_json import (
    RunRecordError,
    is_finished_run,
    read_run_record,
    write_run_record,
)


def test_the_record_is_written_as_it_is_and_reads_back_equal(run_record, tmp_path):
    write_run_record(tmp_path, run_record)
    text = (tmp_path / "run.json").read_text()
    assert text == json.dumps(run_record, indent=2) + "\n"  # keys in the order the record was built
    assert [path.name for path in tmp_path.iterdir()] == ["run.json"]  # no temporary file left
    assert read_run_record(tmp_path) == run_record


def test_a_missing_required_key_names_the_file_and_the_key(run_record, tmp_path):
    del run_record["base_model"], run_record["global_step"]
    (tmp_path / "run.json").write_text(json.dumps(run_record))
    with pytest.raises(RunRecordError) as error:
        read_run_record(tmp_path)
    assert str(tmp_path / "run.json") in str(error.value)
    assert "'base_model', 'global_step' missing" in str(error.value)


def test_a_run_from_before_token_lengths_and_image_check_still_reads(run_record, tmp_path):
    del run_record["token_lengths"], run_record["image_check"]
    (tmp_path / "run.json").write_text(json.dumps(run_record))
    record = read_run_record(tmp_path)
    assert "token_lengths" not in record and record["base_model"] == "tiny"


def test_keys_this_version_does_not_know_survive_a_rewrite(run_record, tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({**run_record, "notes": "kept"}))
    record = read_run_record(tmp_path)
    record["merged"] = "merged"  # what `finetune --merge` changes
    write_run_record(tmp_path, record)
    assert json.loads((tmp_path / "run.json").read_text())["notes"] == "kept"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{not json", "is not valid JSON"), ("[1, 2]", "holds a JSON list, not an object")],
)
def test_a_damaged_run_json_is_an_error_naming_the_file(tmp_path, text, expected):
    (tmp_path / "run.json").write_text(text)
    with pytest.raises(RunRecordError, match=expected) as error:
        read_run_record(tmp_path)
    assert str(tmp_path / "run.json") in str(error.value)


def test_a_newer_schema_is_refused_with_what_to_do(run_record, tmp_path):
    write_run_record(tmp_path, {**run_record, "schema": 2})
    with pytest.raises(RunRecordError, match=r"'schema' is 2; .*upgrade productlens"):
        read_run_record(tmp_path)


def test_no_run_json_is_file_not_found_naming_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"is .* a run directory written by `finetune`"):
        read_run_record(tmp_path / "runs" / "x")


def test_a_run_is_finished_by_its_status_alone(tmp_path):
    assert not is_finished_run(tmp_path)
    (tmp_path / "run.json").write_text(json.dumps({"status": "finished"}))
    assert is_finished_run(tmp_path)
