"""Evaluating part of a split (--limit) never shrinks a full evaluation.

`evaluate --limit 5` used to write evals/<name>/ like the full evaluation does, so it cut an existing
616-answer predictions.jsonl down to 5 and rewrote results.json with n = 5. Now a partial evaluation has a
name of its own by default (`<name>-first5`), and one pointed at an existing directory (--name, --out) is
refused when that directory holds answers for samples the partial one would drop.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from productlens.evaluate.config import EvaluateConfig


def subset_suffix(config: EvaluateConfig) -> str | None:
    """What makes this evaluation partial, as a name suffix ("first5"), or None for the whole split."""
    return f"first{config.limit}" if config.limit else None


def named_for_subset(config: EvaluateConfig) -> EvaluateConfig:
    """A partial evaluation without --name/--out gets its own default directory: evals/<name>-first5."""
    suffix = subset_suffix(config)
    if suffix is None or config.name or config.out is not None:
        return config
    return dataclasses.replace(config, name=f"{config.resolved_name()}-{suffix}")


def refuse_shrinking(out_dir: Path, kept_ids: list[str], config: EvaluateConfig) -> None:
    """ValueError when `out_dir` holds answers for samples outside `kept_ids` (they would be cut)."""
    from productlens.evaluate.config import PREDICTIONS_FILE
    from productlens.evaluate.predictions_io import completed_ids

    if subset_suffix(config) is None:
        return
    existing = completed_ids(out_dir / PREDICTIONS_FILE)
    dropped = existing - set(kept_ids)
    if dropped:
        raise ValueError(
            f"{out_dir} holds an evaluation of {len(existing):,} samples; --limit {config.limit} would "
            f"replace it with one of {len(kept_ids):,} and drop {len(dropped):,} answers. Leave out --name/--out "
            f"(a partial evaluation goes to its own directory) or pass another one."
        )
