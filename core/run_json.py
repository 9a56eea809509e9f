"""run.json, the record a finished run keeps of itself (ARCHITECTURE.md "A run"): its type, writer and reader.

`finetune` writes it last, so a run directory with `"status": "finished"` holds complete weights; evaluate
reads it to load the run, to ask with the prompt style it learned and to report how it was trained.

The record is a TypedDict rather than a dataclass because the JSON object is the record: the writer dumps
it as it is (same keys, same order, same values as the dictionary that was built inline before), keys this
version does not know survive a read and a rewrite (`finetune --merge`), and the reader checks the keys
the type declares required (`__required_keys__`), so the type is the one list of what a run.json holds.
Keys added after the first runs were written are `NotRequired`; older files without them still read.
(No `from __future__ import annotations` here: TypedDict needs the real annotations to tell NotRequired.)
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, cast

from productlens.core.json_files import read_json, write_json

RUN_JSON = "run.json"
SCHEMA = 1


class Parameters(TypedDict):
    total: int
    trainable: int


class RunRecord(TypedDict):
    schema: int  # SCHEMA
    status: Literal["finished"]  # only finished runs have a run.json
    command: str  # the command line that trained the run
    config: dict[str, Any]  # FinetuneConfig.to_json() after resolve(): that dataclass is its schema
    base_model: str  # "tiny", a local directory or a hub id
    method: str  # lora / qlora / full
    adapter: str | None  # folder of the PEFT adapter, relative to the run; None for full training
    merged: str | None  # folder of the full weights, relative to the run; None for an adapter only
    processor: str  # folder of the processor the run trained with
    data: str  # the sample set
    data_fingerprint: str
    prompt_style: str  # the preset's name; the question / answer overrides are in config
    precision: str  # fp32 / bf16 / fp16
    world_size: int
    parameters: Parameters
    train_samples: int
    global_step: int
    resumed_from: str | None  # the checkpoint training resumed from
    train_loss: float
    train_runtime_s: float | None
    train_samples_per_second: float | None
    wall_s: float
    loss_history: list[dict[str, float]]  # step, epoch, loss, learning_rate, grad_norm per logged step
    eval_history: list[dict[str, float]]  # step, val_n, val_parse_rate, val_* per validation
    versions: dict[str, str]  # package -> version
    created: str  # UTC, ISO 8601
    # Added later (older runs lack them):
    token_lengths: NotRequired[dict[str, Any]]  # token_lengths.LengthReport.to_json()
    image_check: NotRequired[Mapping[str, Any] | None]  # the last blank-image check (image_check.ImageCheck)


class RunRecordError(ValueError):
    """A run.json that cannot be read as a RunRecord; the message names the file and what is wrong."""


def run_json_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / RUN_JSON


def write_run_record(run_dir: str | Path, record: RunRecord) -> None:
    """Write `record` as run_dir/run.json, atomically (a reader sees the old file or the new one)."""
    write_json(run_json_path(run_dir), record, default=str)


def read_run_record(run_dir: str | Path) -> RunRecord:
    """The RunRecord in run_dir/run.json; FileNotFoundError without one, RunRecordError for a bad one."""
    path = run_json_path(run_dir)
    record = _read_object(path)
    missing = [key for key in RunRecord.__required_keys__ if key not in record]
    if missing:
        raise RunRecordError(
            f"{path}: required key {', '.join(repr(key) for key in sorted(missing))} missing; "
            "run.json is written by `finetune` when training finishes"
        )
    if not isinstance(record["schema"], int) or record["schema"] > SCHEMA:
        raise RunRecordError(
            f"{path}: 'schema' is {record['schema']!r}; this productlens reads run.json schema {SCHEMA} "
            "and older (upgrade productlens to read this run)"
        )
    return cast(RunRecord, record)  # the required keys are there (checked above)


def is_finished_run(run_dir: str | Path) -> bool:
    """True when run_dir holds a run.json with "status": "finished" (what makes a run finished).

    Only the status is read, so resume-or-refuse decides the same for any run.json; the other keys are
    checked by `read_run_record` when the run is used.
    """
    path = run_json_path(run_dir)
    return path.is_file() and _read_object(path).get("status") == "finished"


def _read_object(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; is {path.parent} a run directory written by `finetune`?")
    try:
        record = read_json(path)  # names the file, line and column
    except (ValueError, UnicodeDecodeError) as error:
        raise RunRecordError(f"{error}; was the run directory damaged?") from error
    if not isinstance(record, dict):
        raise RunRecordError(f"{path} holds a JSON {type(record).__name__}, not an object")
    return record
