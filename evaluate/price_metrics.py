"""Price errors per sample and the price aggregates (MAE, median AE, MAPE, MdAPE, SMAPE, within-x %, RMSLE).

SMAPE is the metric of the Amazon ML Challenge 2025 ("Smart Product Pricing"): the mean of
|pred - true| / ((|pred| + |true|) / 2) over the scored samples, here a fraction from 0 to 2 (shown
as 0-200 %); unlike APE it punishes under- and over-estimates alike and stays finite at a true price of 0.
"""

from __future__ import annotations

import numpy as np
from productlens.evaluate.aggregate import MetricSpec, scored_count
from productlens.evaluate.weighted_stats import weighted_mean, weighted_median, weighted_rms

WITHIN_THRESHOLDS = (0.05, 0.10, 0.25)


def price_errors(predicted: np.ndarray, true: np.ndarray) -> dict[str, np.ndarray]:
    """Per-sample errors; NaN where the price was not parsed (APE also where the true price is 0)."""
    predicted = np.asarray(predicted, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    abs_error = np.abs(predicted - true)
    with np.errstate(invalid="ignore", divide="ignore"):
        ape = np.where(true > 0, abs_error / true, np.nan)
    log_error = np.log1p(predicted) - np.log1p(true)
    return {"abs_error": abs_error, "ape": ape, "log_error": log_error, "smape": smape(predicted, true)}


def smape(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Per-sample symmetric APE, 2 |pred - true| / (|pred| + |true|): 0 when both are 0, NaN where unparsed."""
    predicted = np.asarray(predicted, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    scale = np.abs(predicted) + np.abs(true)
    out = np.zeros_like(scale)
    np.divide(2 * np.abs(predicted - true), scale, out=out, where=scale > 0)
    out[np.isnan(scale)] = np.nan
    return out


def sample_smape(predicted: float, true: float) -> float:
    """`smape` for one answer (scoring calls it per record, where numpy's overhead would dominate)."""
    scale = abs(predicted) + abs(true)
    return 2 * abs(predicted - true) / scale if scale > 0 else 0.0


def within(ape: np.ndarray, threshold: float, parsed: np.ndarray | None = None) -> np.ndarray:
    """1 where the APE is at most the threshold, 0 above it, NaN where unscored.

    With `parsed`, an unparsed price counts as a miss (0) instead of unscored.
    """
    hit = np.where(np.isnan(ape), np.nan, (ape <= threshold + 1e-12).astype(np.float64))
    if parsed is not None:
        hit = np.where(np.asarray(parsed, dtype=bool), hit, 0.0)
    return hit


def price_specs(
    abs_error: np.ndarray,
    ape: np.ndarray,
    log_error: np.ndarray,
    parsed: np.ndarray | None = None,
    prefix: str = "price",
    smape: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> list[MetricSpec]:
    """Aggregates on the rows whose price was parsed; with `parsed`, also within-x % counting failures as misses.

    `rows` (bool per sample) keeps only those samples (a price band); the others are unscored for every metric.
    """
    if rows is not None:
        rows = np.asarray(rows, dtype=bool)
        abs_error, ape, log_error = (np.where(rows, values, np.nan) for values in (abs_error, ape, log_error))
        smape = None if smape is None else np.where(rows, smape, np.nan)
    specs = [
        MetricSpec(f"{prefix}_mae", "Price MAE", False, weighted_mean(abs_error), scored_count(abs_error)),
        MetricSpec(
            f"{prefix}_median_ae",
            "Price median abs. error",
            False,
            weighted_median(abs_error),
            scored_count(abs_error),
        ),
        MetricSpec(f"{prefix}_mape", "Price MAPE", False, weighted_mean(ape), scored_count(ape)),
        MetricSpec(f"{prefix}_mdape", "Price median APE", False, weighted_median(ape), scored_count(ape)),
        *(
            []
            if smape is None
            else [
                MetricSpec(f"{prefix}_smape", "Price SMAPE", False, weighted_mean(smape), scored_count(smape))
            ]
        ),
        MetricSpec(f"{prefix}_rmsle", "Price RMSLE", False, weighted_rms(log_error), scored_count(log_error)),
    ]
    for threshold in WITHIN_THRESHOLDS:
        percent = round(threshold * 100)
        hit = within(ape, threshold)
        specs.append(
            MetricSpec(
                f"{prefix}_within_{percent}pct",
                f"Price within {percent} %",
                True,
                weighted_mean(hit),
                scored_count(hit),
            )
        )
        if parsed is not None:
            hit_all = within(ape, threshold, parsed)
            if rows is not None:
                hit_all = np.where(rows, hit_all, np.nan)
            specs.append(
                MetricSpec(
                    f"{prefix}_within_{percent}pct_all",
                    f"Price within {percent} % (unparsed = miss)",
                    True,
                    weighted_mean(hit_all),
                    scored_count(hit_all),
                )
            )
    return specs
