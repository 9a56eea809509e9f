"""The scores as Hugging Face `evaluate.Metric` classes, so `evaluate.combine` works on them.

Instantiate them directly (`evaluate.load` would look on the hub). Inputs are the raw generated
answers (`predictions`) and the reference answers as `format_answer` writes them (`references`),
so one `evaluate.combine([...]).compute(predictions=..., references=...)` scores every field:

    import evaluate
    from productlens.evaluate.hf_metrics import CategoryMetric, PriceMetric, TitleMetric
    metrics = evaluate.combine([PriceMetric(), TitleMetric(), CategoryMetric()])
    metrics.compute(predictions=generated, references=reference_answers)

Values come from the same per-sample scores and aggregates as results.json. Pass `n_resamples`
(and `seed`) to `compute` to get "<name>_ci_low"/"<name>_ci_high" as well.
"""

from __future__ import annotations

from typing import NamedTuple

import datasets
import numpy as np
from productlens.core.category_labels import normalise_category
from productlens.evaluate.aggregate import MetricSpec, estimate_metrics
from productlens.evaluate.category_metrics import (
    Hierarchy,
    category_scores,
    category_specs,
)
from productlens.evaluate.price_metrics import price_errors, price_specs
from productlens.evaluate.title_metrics import chrf_many, title_scores, title_specs
from productlens.evaluate.weighted_stats import weighted_mean
from productlens.finetune.answer_format import ParsedAnswer, PromptStyle, parse_answer

import evaluate

_DESCRIPTION = "Scores generated product answers (Product / Category / Full Price) against reference answers."
_INPUTS = """
Args:
    predictions (list of str): generated answers, raw.
    references (list of str): reference answers, as productlens.finetune.answer_format.format_answer writes them.
    n_resamples (int, optional): bootstrap resamples for 95 % intervals; 0 (default) for point values only.
    seed (int, optional): bootstrap seed.
Returns:
    dict of metric name -> value (None where no sample could be scored), plus <name>_ci_low/_ci_high.
"""


class Reference(NamedTuple):
    """A reference answer: every field read (`_parse` refuses one that is not complete)."""

    title: str
    category: str
    price: float


class _AnswerMetric(evaluate.Metric):
    """Shared plumbing: string features, in-memory by default, parsing and estimation."""

    def __init__(self, style: PromptStyle | None = None, **kwargs) -> None:
        self.style = style
        kwargs.setdefault("keep_in_memory", True)  # nothing written under ~/.cache for a few strings
        super().__init__(**kwargs)

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("string"), "references": datasets.Value("string")}
            ),
        )

    def _parse(
        self, predictions: list[str], references: list[str]
    ) -> tuple[list[ParsedAnswer], list[Reference]]:
        parsed = [parse_answer(text, self.style) for text in predictions]
        truth = []
        for number, text in enumerate(references, start=1):
            reference = parse_answer(text, self.style)
            title, category, price = reference.title, reference.category, reference.price
            if reference.error is not None or title is None or category is None or price is None:
                raise ValueError(
                    f"reference {number} is not a complete answer ({reference.error}); "
                    "build references with productlens.finetune.answer_format.format_answer"
                )
            truth.append(Reference(title, category, price))
        return parsed, truth

    def _specs(self, parsed: list[ParsedAnswer], truth: list[Reference]) -> list[MetricSpec]:
        raise NotImplementedError

    def _compute(self, predictions, references, n_resamples: int = 0, seed: int = 0) -> dict:
        parsed, truth = self._parse(list(predictions), list(references))
        values = estimate_metrics(self._specs(parsed, truth), len(parsed), n_resamples, seed)
        out: dict = {}
        for name, value in values.items():
            out[name] = value["value"]
            if n_resamples:
                out[f"{name}_ci_low"], out[f"{name}_ci_high"] = value["ci_low"], value["ci_high"]
        return out


class ParseRateMetric(_AnswerMetric):
    """Share of answers with every field read."""

    def _specs(self, parsed, truth):
        ok = np.array([p.error is None for p in parsed], dtype=np.float64)
        return [MetricSpec("parse_rate", "Answers fully parsed", True, weighted_mean(ok), len(ok))]


class PriceMetric(_AnswerMetric):
    """MAE, median AE, MAPE, MdAPE, SMAPE, RMSLE and within 5/10/25 % on parsed prices, plus within-x % with misses."""

    def _specs(self, parsed, truth):
        predicted = np.array([np.nan if p.price is None else p.price for p in parsed])
        errors = price_errors(predicted, np.array([t.price for t in truth]))
        return price_specs(
            errors["abs_error"],
            errors["ape"],
            errors["log_error"],
            ~np.isnan(predicted),
            smape=errors["smape"],
        )


class TitleMetric(_AnswerMetric):
    """Exact match after normalisation, token F1, ANLS and chrF on parsed titles."""

    def _specs(self, parsed, truth):
        rows = [title_scores(p.title, t.title, with_chrf=False) for p, t in zip(parsed, truth, strict=True)]
        titled = [
            (row, p.title, t.title)
            for row, p, t in zip(rows, parsed, truth, strict=True)
            if p.title is not None
        ]
        chrf_values = chrf_many([title for _, title, _ in titled], [target for _, _, target in titled])
        for (row, _, _), value in zip(titled, chrf_values.tolist(), strict=True):
            row["title_chrf"] = value
        columns = (
            {
                name: np.array([np.nan if row[name] is None else row[name] for row in rows], dtype=np.float64)
                for name in rows[0]
            }
            if rows
            else {name: np.array([]) for name in title_scores(None, "")}
        )
        return title_specs(columns, np.array([p.title is not None for p in parsed]))


class CategoryMetric(_AnswerMetric):
    """category3 accuracy and macro-F1; category1/2 accuracy too when given the training taxonomy."""

    def __init__(self, hierarchy: Hierarchy | None = None, **kwargs) -> None:
        self.hierarchy = hierarchy or {}
        super().__init__(**kwargs)

    def _specs(self, parsed, truth):
        # References carry only category3; levels 1/2 of the truth come from the same taxonomy.
        rows = []
        for p, t in zip(parsed, truth, strict=True):
            level1, level2 = self.hierarchy.get(normalise_category(t.category), (None, None))
            rows.append(category_scores(p.category, t.category, level1, level2, self.hierarchy))
        names = ("category3_correct", "category1_correct", "category2_correct")
        columns = {
            name: np.array([np.nan if row[name] is None else row[name] for row in rows], dtype=np.float64)
            for name in names
        }
        return category_specs(columns, [t.category for t in truth], [p.category for p in parsed])
