"""Augmentation speed: augmented 336 x 336 photos per second with 1 and 2 worker processes.

Run: python benchmarks/bench_augment.py [--rows 200] [--copies 2]
Makes a synthetic set with sample-gen first (not timed), then augments every split.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from productlens.core.sample_set import read_manifest
from productlens.generate.augment import AugmentConfig, augment_set
from productlens.generate.synthesize import GenerateConfig, generate_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_set(GenerateConfig(count=args.rows, out=root / "source", seed=0))
        print(f"augment {args.rows:,} rows x {args.copies} copies, 336x336, {os.cpu_count()} cores")
        rates = {}
        checksums = set()
        for workers in (1, 2):
            config = AugmentConfig(
                source=root / "source",
                out=root / f"aug-{workers}",
                copies=args.copies,
                splits=("train", "validation", "test"),
                workers=workers,
            )
            started = time.perf_counter()
            report = augment_set(config)
            seconds = time.perf_counter() - started
            made = sum(report.children.values())
            rates[workers] = made / seconds
            checksums.add(read_manifest(config.out)["checksum"])
            print(
                f"  workers {workers}: {seconds:6.2f} s  {rates[workers]:7.1f} augmented images/s  ({made:,} images)"
            )
        print(f"  speed-up 2 vs 1 workers: {rates[2] / rates[1]:.2f}x; same bytes: {len(checksums) == 1}")


if __name__ == "__main__":
    main()
