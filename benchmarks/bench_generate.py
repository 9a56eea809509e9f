"""sample-gen speed and memory: images/s with 1 and 2 workers, peak memory for a small and a large set.

    python benchmarks/bench_generate.py                       # 336x336, N = 2,000 vs 20,000
    python benchmarks/bench_generate.py --large 5000          # quicker

Speed: whole `generate_set` runs (render + encode + Parquet + card) on 336x336 photos.
Memory: each set is generated in a fresh process tree (2 workers) while a sampler records the
summed resident memory of the tree every 50 ms; goal: the large set within 1.2x of the small one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from productlens.generate.products import make_product
from productlens.generate.synthesize import GenerateConfig, generate_set

CHILD = """
import json, sys, time
from productlens.generate.synthesize import GenerateConfig, generate_set
count, out = int(sys.argv[1]), sys.argv[2]
if __name__ == "__main__":
    start = time.perf_counter()
    generate_set(GenerateConfig(count=count, out=out, workers=2))
    print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def images_per_second(count: int, workers: int, root: Path) -> tuple[float, float, float, float]:
    """End-to-end images/s (with worker start-up), steady images/s (from the first row on), and
    CPU milliseconds per image spent in this process and in the worker processes."""
    out = root / f"speed-{workers}"
    first: list[float] = []

    def on_row(done: int) -> None:
        if done == 1:
            first.append(time.perf_counter())

    own_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    generate_set(GenerateConfig(count=count, out=out, workers=workers, overwrite=True), on_row=on_row)
    end = time.perf_counter()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_ms = (own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime) * 1000 / count
    worker_ms = (
        (children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime)
        * 1000
        / count
    )
    return count / (end - start), (count - 1) / (end - first[0]), own_ms, worker_ms


def render_only_per_second(count: int) -> tuple[float, float]:
    """One core, no Parquet: make_product (render + JPEG + row fields) in this process.

    (images per wall-clock second, images per second of this process's CPU time); on a shared
    machine the second is the figure for the goal (the wall clock also counts other programs' turns).
    """
    settings = GenerateConfig(count=count).product_settings()
    start, cpu = time.perf_counter(), time.process_time()
    for index in range(count):
        make_product(settings, index)
    return count / (time.perf_counter() - start), count / (time.process_time() - cpu)


def peak_tree_memory(count: int, root: Path) -> tuple[float, float]:
    """(peak MiB of the whole process tree, seconds) for one set generated in a fresh process."""
    script = root / "child.py"
    script.write_text(CHILD)
    process = subprocess.Popen(
        [sys.executable, str(script), str(count), str(root / f"mem-{count}")],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"generation of {count} rows failed (exit {process.returncode})")
    return peak / 2**20, json.loads(stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speed-count", type=int, default=2000, help="images per speed run")
    parser.add_argument("--small", type=int, default=2000, help="N of the small memory run")
    parser.add_argument("--large", type=int, default=20000, help="N of the large memory run")
    parser.add_argument("--no-memory", action="store_true", help="only the speed runs")
    args = parser.parse_args()
    print(f"cpu cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, photos 336x336 JPEG")
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as temp:
        root = Path(temp)
        images_per_second(64, 2, root)  # warm-up: imports, page cache
        render, render_cpu = render_only_per_second(min(500, args.speed_count))
        one, one_steady, _, _ = images_per_second(args.speed_count, 1, root)
        two, two_steady, parent_ms, worker_ms = images_per_second(args.speed_count, 2, root)
        # Amdahl: only the parent's share (collecting and writing rows) does not run in parallel.
        ideal = (parent_ms + worker_ms) / (parent_ms + worker_ms / 2)
        print(
            f"render only, 1 core   : {render:7.1f} images/s  (per CPU second {render_cpu:.1f}; goal >= 100)"
        )
        print(f"sample-gen 1 worker   : {one:7.1f} images/s  (steady {one_steady:7.1f})")
        print(f"sample-gen 2 workers  : {two:7.1f} images/s  (steady {two_steady:7.1f})")
        print(
            f"ratio 2/1 workers     : {two / one:7.2f}x          (steady {two_steady / one_steady:.2f}x; goal >= 1.7x)"
        )
        print(f"CPU per image, 2 workers: parent {parent_ms:.2f} ms, workers {worker_ms:.2f} ms")
        print(f"ratio on 2 idle cores (Amdahl from those CPU times): {ideal:.2f}x")
        if args.no_memory:
            return
        small_mib, small_s = peak_tree_memory(args.small, root)
        large_mib, large_s = peak_tree_memory(args.large, root)
        print(f"memory N={args.small:>6,}   : peak {small_mib:7.1f} MiB  ({small_s:6.1f} s)")
        print(f"memory N={args.large:>6,}   : peak {large_mib:7.1f} MiB  ({large_s:6.1f} s)")
        print(f"memory ratio large/small: {large_mib / small_mib:5.2f}x          (goal <= 1.2x)")


if __name__ == "__main__":
    main()
