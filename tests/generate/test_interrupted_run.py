"""An interrupted `sample-gen` (killed mid-way) leaves the destination exactly as it was."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from productlens.core.sample_set import set_fingerprint

COMMAND = "from productlens.generate.cli import main; main()"


def _start(out: Path, workers: int) -> subprocess.Popen:
    args = ["-n", "5000", "--size", "96x96", "--workers", str(workers), "--out", str(out), "--overwrite"]
    return subprocess.Popen(
        [sys.executable, "-c", COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _wait_for_shards(parent: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until the run has written part of a shard into its temporary directory."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(parent.glob(".tmp-products.*/data/*.part")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


def _listing(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize(("how", "workers"), [(signal.SIGKILL, 1), (signal.SIGTERM, 2)])
def test_killed_run_leaves_the_destination_untouched(
    sample_set: Path, tmp_path: Path, how: signal.Signals, workers: int
):
    out = tmp_path / "products"
    shutil.copytree(sample_set, out)
    before = _listing(out)
    process = _start(out, workers)
    try:
        _wait_for_shards(tmp_path, process)
        process.send_signal(how)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert _listing(out) == before
    assert set_fingerprint(out) == set_fingerprint(sample_set)
    if how == signal.SIGTERM:  # a catchable signal also stops the workers and removes the temporary directory
        assert not list(tmp_path.glob(".tmp-*"))
        assert "Traceback" not in process.stderr.read().decode()


@pytest.mark.slow
def test_a_rerun_after_a_kill_clears_the_leftovers_and_writes_a_readable_set(tmp_path: Path):
    out = tmp_path / "products"
    process = _start(out, 1)
    try:
        _wait_for_shards(tmp_path, process)
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert list(tmp_path.glob(".tmp-products.*")), "SIGKILL cannot clean up; the next run must"
    done = subprocess.run(
        [sys.executable, "-c", COMMAND, "-n", "12", "--size", "64x64", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob(".tmp-*"))
    manifest = out / "manifest.json"
    assert manifest.stat().st_mode & 0o044 == 0o044, "results are readable by others like any file"
