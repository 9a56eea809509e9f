"""Held-out attribute combinations (`sample-gen --holdout`): pairs a model never sees in training.

A combination is a set of conditions on a row, e.g. colour=Burgundy & leaf=TOTE BAGS. A row that
matches any held-out combination is kept out of the training split: where the hash of its
product_code would put it in train, a second hash of the code sends it to validation or test (in the
ratio of those two splits). Every other row keeps the split of `split_for`, so splits stay a function
of the row alone: deterministic, and stable when rows are added. Such rows carry
`combination_seen = False`; all other rows of a set made with --holdout carry True.

SPEC is either explicit combinations, comma-separated, each `key=value` conditions joined by `&`
(keys: colour, material, pattern, hardware, size, leaf), or `random:P%`: a seeded random P % of all
(colour, leaf) pairs and of all (material, leaf) pairs the taxonomy can produce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from productlens.core.sample_set import split_for
from productlens.generate.taxonomy import COLOURS, HARDWARE, LEAVES, MATERIALS, PATTERNS, SIZES

# holdout key -> the row column it tests
KEY_COLUMNS: dict[str, str] = {
    "colour": "attr_colour",
    "material": "attr_material",
    "pattern": "attr_pattern",
    "hardware": "attr_hardware",
    "size": "attr_size",
    "leaf": "category3_code",
}
KEY_VALUES: dict[str, tuple[str, ...]] = {
    "colour": tuple(c.name for c in COLOURS),
    "material": tuple(m.name for m in MATERIALS),
    "pattern": tuple(p.name for p in PATTERNS),
    "hardware": tuple(h.name for h in HARDWARE),
    "size": tuple(s.name for s in SIZES),
    "leaf": tuple(leaf.code for leaf in LEAVES),
}


@dataclass(frozen=True)
class Combination:
    """Conditions (key, value) that must all hold for a row to match."""

    conditions: tuple[tuple[str, str], ...]

    def matches(self, row: Mapping[str, Any]) -> bool:
        return all(row.get(KEY_COLUMNS[key]) == value for key, value in self.conditions)

    def __str__(self) -> str:
        return "&".join(f"{key}={value}" for key, value in self.conditions)


@dataclass(frozen=True)
class Holdout:
    """The held-out combinations of a set and the rule that keeps them out of training."""

    spec: str
    combinations: tuple[Combination, ...]

    def seen(self, row: Mapping[str, Any]) -> bool:
        """False when the row matches a held-out combination."""
        return not any(combination.matches(row) for combination in self.combinations)

    def split(self, row: Mapping[str, Any], ratios: tuple[float, float, float]) -> str:
        """The row's split: `split_for`, except that a held-out row never lands in train."""
        split = split_for(row["product_code"], ratios)
        if split != "train" or self.seen(row):
            return split
        validation, test = ratios[1], ratios[2]
        if validation + test <= 0:
            raise ValueError("--holdout needs a validation or test split; --split gives them no rows")
        digest = hashlib.sha256(f"holdout:{row['product_code']}".encode()).digest()
        position = int.from_bytes(digest[:8], "big") / 2**64
        return "validation" if position < validation / (validation + test) else "test"

    def to_manifest(self) -> dict[str, Any]:
        return {"spec": self.spec, "combinations": [str(c) for c in self.combinations]}


def parse_holdout(spec: str, seed: int = 0) -> Holdout:
    """A Holdout from --holdout SPEC (see the module docstring); ValueError names the bad part."""
    text = spec.strip()
    if text.lower().startswith("random:"):
        return Holdout(spec, _random_pairs(text[len("random:") :], seed))
    combinations = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        conditions = []
        for condition in part.split("&"):
            key, sep, value = (s.strip() for s in condition.partition("="))
            if not sep or not value:
                raise ValueError(f"--holdout: {condition!r} in {part!r} is not key=value")
            key = key.lower()
            if key not in KEY_VALUES:
                raise ValueError(f"--holdout: unknown key {key!r} in {part!r}; use {', '.join(KEY_VALUES)}")
            canonical = {v.lower(): v for v in KEY_VALUES[key]}.get(value.lower())
            if canonical is None:
                raise ValueError(
                    f"--holdout: {key}={value!r} is not a value of the taxonomy; "
                    f"{key} is one of {', '.join(KEY_VALUES[key])}"
                )
            conditions.append((key, canonical))
        _check_possible(part, dict(conditions))
        combinations.append(Combination(tuple(conditions)))
    if not combinations:
        raise ValueError(
            "--holdout: no combination given; e.g. 'colour=Burgundy&leaf=TOTE BAGS' or 'random:10%'"
        )
    return Holdout(spec, tuple(combinations))


def _check_possible(part: str, conditions: dict[str, str]) -> None:
    """A combination the generator can never draw would hold nothing out; say so."""
    leaf = next((leaf for leaf in LEAVES if leaf.code == conditions.get("leaf")), None)
    if leaf is None:
        return
    if "material" in conditions and conditions["material"] not in leaf.materials:
        raise ValueError(
            f"--holdout: {part!r} never occurs: {leaf.code} is made of {', '.join(leaf.materials)}"
        )
    if "size" in conditions and not leaf.sized:
        raise ValueError(f"--holdout: {part!r} never occurs: {leaf.code} has no sizes")


def _random_pairs(share_text: str, seed: int) -> tuple[Combination, ...]:
    text = share_text.strip().removesuffix("%")
    try:
        share = float(text) / 100
    except ValueError:
        raise ValueError(f"--holdout random:P%: {share_text!r} is not a percentage such as 10%") from None
    if not 0 < share < 1:
        raise ValueError(f"--holdout random:P%: P must be between 0 and 100, got {share_text!r}")
    colour_pairs = [(("colour", c.name), ("leaf", leaf.code)) for leaf in LEAVES for c in COLOURS]
    material_pairs = [(("material", m), ("leaf", leaf.code)) for leaf in LEAVES for m in leaf.materials]
    rng = np.random.default_rng([seed, 0x401D])  # its own stream: the rows' draws are unchanged
    chosen: list[Combination] = []
    for pairs in (colour_pairs, material_pairs):
        count = max(1, round(share * len(pairs)))
        picked = sorted(rng.choice(len(pairs), size=count, replace=False))
        chosen += [Combination(pairs[i]) for i in picked]
    return tuple(chosen)
