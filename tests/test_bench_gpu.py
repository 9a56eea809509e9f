"""benchmarks/bench_gpu.py --tiny runs end to end on the CPU: the script is known to work before a GPU is lent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_gpu_tiny_prints_the_table_and_writes_the_same_rows_as_json(tmp_path):
    out = tmp_path / "bench.json"
    command = [sys.executable, "benchmarks/bench_gpu.py", "--tiny", "--json", str(out), "--deadline", "600"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(out.read_text())
    for line in document["table"]:  # the JSON holds what was printed
        assert line in done.stdout
        assert len(line) <= 80, line
    rows = {(r["part"], r["num_crops"], r["batch"]): r for r in document["rows"]}
    # generation at batch 1, 8, 32; LoRA at num_crops 4 and 16, batch 1, 8 and the dry-run's largest (capped at 8)
    measured = [("gen", 1, b) for b in (1, 8, 32)] + [("lora", c, b) for c in (4, 16) for b in (1, 8)]
    assert set(measured) | {("fa2-lora", 16, 8), ("qlora", 16, 8)} == set(rows)
    for key in measured:
        row = rows[key]
        assert row["status"] == "ok" and row["steps"] >= 1, row
        assert row["per_s"] > 0 and row["tokens_s"] > 0 and row["tokens_per_sample"] > 0, row
    for crops in (4, 16):
        lora = rows[("lora", crops, 8)]
        assert lora["dry_run_gb"] > rows[("lora", crops, 1)]["dry_run_gb"] > 0  # activations grow with batch
        assert lora["extra"]["dry_run_largest_batch"] >= 8
    assert rows[("lora", 16, 1)]["tokens_per_sample"] > rows[("lora", 4, 1)]["tokens_per_sample"]
    for part in ("fa2-lora", "qlora"):  # no flash-attn, bitsandbytes or GPU here: skipped with the reason
        assert rows[(part, 16, 8)]["status"].startswith("skipped: "), rows[(part, 16, 8)]
    assert any("generation batch 32 / batch 1" in key for key in document["summary"])
