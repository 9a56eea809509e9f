"""Two processes on the CPU (torchrun, gloo): the unchanged command trains to the end and writes one run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
@pytest.mark.ddp
def test_torchrun_two_processes_on_the_cpu(sample_set, tmp_path):
    output = tmp_path / "ddp"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    command += ["-m", "productlens.finetune.cli", "--data", str(sample_set), "--output", str(output)]
    command += ["--method", "lora", "--max-steps", "3", "--batch-size", "2", "--logging-steps", "1"]
    command += ["--eval-samples", "2", "--eval-max-new-tokens", "4"]
    log = tmp_path / "torchrun.log"
    with log.open("w") as handle:
        done = subprocess.run(
            command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120
        )
    assert done.returncode == 0, log.read_text()[-4000:]
    record = json.loads((output / "run.json").read_text())
    assert record["world_size"] == 2 and record["global_step"] == 3
    assert (output / "adapter" / "adapter_model.safetensors").is_file()
    assert "finetune: done" in log.read_text()  # one summary, from the main process
