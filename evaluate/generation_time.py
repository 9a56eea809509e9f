"""How long the answers in predictions.jsonl took to generate, across the runs that wrote them.

A rerun that reuses every answer generates nothing, so its own time (0.0 s) says nothing about the model;
results.json reports the time the answers actually took. `generation_time.json` beside the predictions
adds up the time of every run that appended to them, and starts again with them.
"""

from __future__ import annotations

from pathlib import Path

from productlens.core.json_files import read_json, write_json

TIME_FILE = "generation_time.json"


def total_generation_s(out_dir: Path, seconds: float, generated: int, reused: int) -> float:
    """Seconds spent generating the reused plus the newly generated answers; records the new total."""
    path = Path(out_dir) / TIME_FILE
    previous = 0.0
    if reused and path.is_file():
        try:
            previous = float(read_json(path)["seconds"])
        except (ValueError, KeyError, TypeError):
            previous = 0.0
    total = round(previous + (seconds if generated else 0.0), 3)
    write_json(path, {"seconds": total, "samples": generated + reused}, indent=None)
    return total
