"""Which visual attributes an answer reads: is the attribute's word in the predicted title the right one?

Synthetic titles name every visible attribute (generate/taxonomy.py `make_title`): the colour, the
material, the pattern (none for plain), the hardware (none when there is none) and, on sized leaves, the
size. For an attribute, an answer is right when the words of that attribute's vocabulary in its title
are exactly those of the reference title: "Red" for a red item, and for a plain item no pattern word at
all. An unparsed title is unscored (NaN), as everywhere else; so is a row without the attribute (size on a
leaf that has no sizes, or any attribute on an imported row).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from productlens.core.results_schema import PredictionRecord
from productlens.evaluate.aggregate import MetricSpec, scored_count
from productlens.evaluate.title_metrics import normalise_title
from productlens.evaluate.weighted_stats import weighted_mean
from productlens.generate.taxonomy import COLOURS, HARDWARE, MATERIALS, PATTERNS, SIZES

ATTRIBUTES = ("colour", "material", "pattern", "hardware", "size")
ATTRIBUTE_LABELS = {
    "colour": "Colour",
    "material": "Material",
    "pattern": "Pattern",
    "hardware": "Hardware",
    "size": "Size",
}
# attribute -> the normalised title words that name one of its values
ATTRIBUTE_WORDS: dict[str, frozenset[str]] = {
    "colour": frozenset(normalise_title(c.name) for c in COLOURS),
    "material": frozenset(normalise_title(m.name) for m in MATERIALS),
    "pattern": frozenset(normalise_title(p.title_word) for p in PATTERNS if p.title_word),
    "hardware": frozenset(normalise_title(h.name) for h in HARDWARE if h.name != "none"),
    "size": frozenset(normalise_title(s.name) for s in SIZES),
}


def metric_name(attribute: str) -> str:
    return f"{attribute}_word_accuracy"


def attribute_word_correct(predicted_title: str | None, reference_title: str, attribute: str) -> float:
    """1.0 when the title names the attribute as the reference does, 0.0 when not, NaN when unparsed."""
    if predicted_title is None:
        return np.nan
    words = ATTRIBUTE_WORDS[attribute]
    predicted = set(normalise_title(predicted_title).split()) & words
    reference = set(normalise_title(reference_title).split()) & words
    return float(predicted == reference)


def attribute_columns(records: Sequence[PredictionRecord]) -> dict[str, np.ndarray]:
    """Per-sample attribute-word scores for the attributes the records carry (NaN = unscored)."""
    columns = {}
    carried = [record["reference"].get("attributes") or {} for record in records]
    if not any(carried):
        return columns
    for attribute in ATTRIBUTES:
        if all(attributes.get(attribute) is None for attributes in carried):
            continue  # no record carries it: no column (and no per-record work)
        values = [
            np.nan
            if attributes.get(attribute) is None
            else attribute_word_correct(record["parsed"]["title"], record["reference"]["title"], attribute)
            for record, attributes in zip(records, carried, strict=True)
        ]
        columns[attribute] = np.array(values, dtype=np.float64)
    return columns


def attribute_specs(records: Sequence[PredictionRecord]) -> list[MetricSpec]:
    """One accuracy per attribute the records carry: its word in the predicted title is the right one."""
    return [
        MetricSpec(
            metric_name(attribute),
            f"{ATTRIBUTE_LABELS[attribute]} word right",
            True,
            weighted_mean(column),
            scored_count(column),
        )
        for attribute, column in attribute_columns(records).items()
    ]
