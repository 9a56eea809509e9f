"""`sample-gen augment`: a sample set plus seeded augmented copies of its photos.

The new set holds every row of the source, unchanged and in its split, and after each parent its
augmented copies: `source` = "augmented", `parent_code` = the parent's product_code, a new unique
product_code `<parent>-A<k>`, the parent's split (so no near-duplicate of a training photo lands in
validation or test), and the parent's metadata (title, category, price; the visual attributes
and oracle price too, since the augmentations keep what the photo shows).

Copy k of parent p is drawn from `default_rng([seed, sha256(p), k])`: the bytes depend only on the
seed, the parent and k, never on row order or the number of worker processes.

Balancing (`balance_to`): in each augmented split, a category3 with fewer rows than `balance_to`
(after the regular copies) gets extra copies, spread round-robin over its parents in code order.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from productlens.core.ordered_map import ordered_map
from productlens.core.sample_set import DEFAULT_RATIOS, SPLITS, read_manifest
from productlens.generate.augment_ops import AugmentSettings, make_children_chunk
from productlens.generate.export import iter_rows
from productlens.generate.sample_set_writer import SampleSetWriter
from productlens.generate.summary import SetSummary

CHUNK = 8


@dataclass
class AugmentConfig:
    """Settings of `sample-gen augment`."""

    source: Path = field(metadata={"help": "The sample set to augment."})
    out: Path = field(
        default=Path("data/augmented"),
        metadata={"help": "Directory of the new set.", "path": {"file_okay": False}},
    )
    copies: int = field(default=2, metadata={"help": "Augmented copies per row."})
    seed: int = field(default=0, metadata={"help": "Random seed (equal seeds, equal bytes)."})
    splits: tuple[str, ...] = field(
        default=("train",),
        metadata={
            "help": "Comma-separated splits whose rows get copies; copies stay in their parent's split.",
            "metavar": "SPLIT,...",
        },
    )
    balance_to: int | None = field(
        default=None,
        metadata={"help": "Extra copies until each category3 has N rows.", "default_text": "off"},
    )
    settings: AugmentSettings = field(default_factory=AugmentSettings, metadata={"help": "Strengths."})
    workers: int | None = field(default=1, metadata={"help": "Worker processes (0 or None: all cores)."})
    overwrite: bool = field(
        default=False, metadata={"help": "Replace a non-empty --out (once the new set is complete)."}
    )

    def __post_init__(self) -> None:
        self.source = Path(self.source)
        self.out = Path(self.out)
        self.workers = self.workers or None  # 0, like None, means every core
        if not 0 <= self.copies <= 100:
            raise ValueError(f"copies must be between 0 and 100, got {self.copies}")
        unknown = [s for s in self.splits if s not in SPLITS]
        if unknown or not self.splits:
            raise ValueError(
                f"splits must be among {', '.join(SPLITS)}, got {', '.join(self.splits) or 'none'}"
            )
        if self.balance_to is not None and self.balance_to < 1:
            raise ValueError(f"balance_to must be at least 1 (or None), got {self.balance_to}")
        if self.copies == 0 and self.balance_to is None:
            raise ValueError("nothing to do: give copies >= 1 or balance_to")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1 (or None for all cores), got {self.workers}")
        if self.source.resolve() == self.out.resolve():
            raise ValueError(f"--out must differ from the source set {self.source}")


@dataclass
class AugmentReport:
    """What augment wrote: parents, children per split, the extra copies made for balancing."""

    out: Path
    parents: int = 0
    children: Counter[str] = field(default_factory=Counter)
    balancing_copies: int = 0
    summary: SetSummary = field(default_factory=SetSummary)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for rendering (reports/sample_set_view.py)."""
        return {**vars(self), "summary": self.summary.to_dict()}  # vars(): asdict loses a Counter's counts


def child_code(parent: str, index: int, taken: set[str]) -> str:
    """`<parent>-A<index>`, lengthened with `x` in the unlikely case the source already uses it."""
    code = f"{parent}-A{index}"
    while code in taken:
        code += "x"
    return code


def plan_copies(source: Path, config: AugmentConfig) -> tuple[dict[str, int], int, set[str]]:
    """Copies per parent code, the number of balancing copies among them, and all source codes."""
    columns = ["product_code", "category3_code"]
    rows: list[tuple[str, str, str]] = []
    for shard in sorted((source / "data").glob("*.parquet")):
        split = shard.name.split("-", 1)[0]
        for row in pq.read_table(shard, columns=columns).to_pylist():
            rows.append((split, row["product_code"], row["category3_code"]))
    copies = {code: config.copies if split in config.splits else 0 for split, code, _ in rows}
    extra = 0
    if config.balance_to is not None:
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for split, code, category in rows:
            if split in config.splits:
                groups[(split, category)].append(code)
        for codes in groups.values():
            codes.sort()
            have = len(codes) * (1 + config.copies)
            for turn in range(max(0, config.balance_to - have)):
                copies[codes[turn % len(codes)]] += 1
                extra += 1
    return copies, extra, {code for _, code, _ in rows}


Job = tuple[str, dict[str, Any], list[str]]  # (split, parent row, child codes)


def _chunks(jobs: Iterator[Job]) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def augment_set(config: AugmentConfig, on_row: Callable[[int, int], None] | None = None) -> AugmentReport:
    """Write the source rows plus their augmented copies to `config.out` atomically.

    `on_row(done, total)` is called after each parent and its children are written.
    """
    manifest = read_manifest(config.source)
    copies, extra, taken = plan_copies(config.source, config)
    total = len(copies)
    writer = SampleSetWriter(
        config.out,
        overwrite=config.overwrite,
        ratios=tuple(manifest.get("ratios", DEFAULT_RATIOS)),  # type: ignore[arg-type]
        generator="sample-gen augment",
        config={
            "source": str(config.source),
            "source_checksum": manifest.get("checksum"),
            "copies": config.copies,
            "splits": list(config.splits),
            "balance_to": config.balance_to,
            "settings": asdict(config.settings),
        },
        seed=config.seed,
        description=f"{config.source.name} with seeded augmented copies of its photos ({config.copies} per row).",
    )
    report = AugmentReport(out=config.out, parents=total, balancing_copies=extra)

    def jobs() -> Iterator[Job]:
        for split, row in iter_rows(config.source):
            count = copies[row["product_code"]]
            yield split, row, [child_code(row["product_code"], k, taken) for k in range(1, count + 1)]

    workers = min(config.workers or os.cpu_count() or 1, max(1, total // CHUNK))
    work = partial(make_children_chunk, config.settings, config.seed)
    done = 0
    with writer, closing(ordered_map(work, _chunks(jobs()), workers=workers)) as made:
        for chunk, photos_per_row in made:
            for (split, row, codes), photos in zip(chunk, photos_per_row, strict=True):
                _write_family(writer, report, split, row, codes, photos)
                done += 1
                if on_row is not None:
                    on_row(done, total)
    report.summary = writer.summary
    return report


def _write_family(
    writer: SampleSetWriter,
    report: AugmentReport,
    split: str,
    row: dict[str, Any],
    codes: list[str],
    photos: list[bytes],
) -> None:
    """The parent row as it was, then its children, all in the parent's split."""
    writer.add(row, split=split)
    for code, photo in zip(codes, photos, strict=True):
        writer.add(
            {
                **row,
                "product_code": code,
                "parent_code": row["product_code"],
                "source": "augmented",
                "image": photo,
            },
            split=split,
        )
        report.children[split] += 1
