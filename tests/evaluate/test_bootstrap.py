"""Bootstrap intervals: seeded, contain the point estimate, shrink with n; paired differences."""

import numpy as np
import productlens.evaluate.bootstrap as bootstrap_module
import productlens.evaluate.parallel_bootstrap as parallel_bootstrap
import pytest
from productlens.evaluate.bootstrap import bootstrap, paired_difference, resample_weights
from productlens.evaluate.weighted_stats import weighted_macro_f1, weighted_mean, weighted_median


def interval(values, statistic=weighted_mean, n_resamples=500, seed=0):
    return bootstrap({"m": statistic(values)}, len(values), n_resamples, seed)["m"]


@pytest.mark.parametrize("statistic", [weighted_mean, weighted_median])
def test_interval_contains_the_point_estimate(statistic):
    values = np.random.default_rng(0).lognormal(size=400)
    estimate = interval(values, statistic)
    assert estimate.ci_low <= estimate.value <= estimate.ci_high
    assert estimate.ci_low < estimate.ci_high


def test_interval_shrinks_with_n():
    rng = np.random.default_rng(1)
    small = interval(rng.random(100) < 0.3)
    large = interval(rng.random(10_000) < 0.3)
    small_width = small.ci_high - small.ci_low
    large_width = large.ci_high - large.ci_low
    # the standard error goes with 1/sqrt(n): 100x the samples, about a tenth of the width
    assert large_width < small_width / 5
    assert small_width == pytest.approx(2 * 1.96 * np.sqrt(0.3 * 0.7 / 100), rel=0.25)


def test_seeded_and_reproducible():
    values = np.random.default_rng(2).random(200)
    assert interval(values, seed=7) == interval(values, seed=7)
    assert interval(values, seed=7) != interval(values, seed=8)


def test_weights_are_multinomial_counts():
    chunks = list(resample_weights(n=30, n_resamples=10, seed=0))
    weights = np.concatenate(chunks)
    assert weights.shape == (10, 30)
    assert np.all(weights.sum(axis=1) == 30)


def test_zero_resamples_or_samples_give_point_only():
    estimate = interval(np.array([1.0, 2.0, 3.0]), n_resamples=0)
    assert (estimate.value, estimate.ci_low, estimate.ci_high) == (2.0, None, None)
    assert interval(np.array([]), n_resamples=100).value is None


def test_paired_difference_of_identical_runs_is_exactly_zero():
    values = np.random.default_rng(3).random(300)
    stat = paired_difference(weighted_mean(values), weighted_mean(values.copy()))
    estimate = bootstrap({"d": stat}, 300, 200, 0)["d"]
    assert (estimate.value, estimate.ci_low, estimate.ci_high) == (0.0, 0.0, 0.0)


def test_paired_interval_is_tighter_than_unpaired_for_correlated_runs():
    rng = np.random.default_rng(4)
    difficulty = rng.random(500)
    a = (difficulty + 0.05 * rng.random(500) > 0.5).astype(float)
    b = (difficulty + 0.05 * rng.random(500) > 0.55).astype(float)
    paired = bootstrap({"d": paired_difference(weighted_mean(a), weighted_mean(b))}, 500, 500, 0)["d"]
    assert paired.value == pytest.approx(a.mean() - b.mean())
    assert paired.ci_low > 0  # a is better on the same samples, and the paired CI sees it
    unpaired_width = 1.96 * np.sqrt(a.var() / 500 + b.var() / 500) * 2
    assert paired.ci_high - paired.ci_low < unpaired_width / 2


def test_medians_in_the_joint_bootstrap_equal_medians_of_the_explicit_resamples():
    # The medians' count sums come from bootstrap's shared product; each replicate must still be
    # the plain median of that resample (NaN = unscored, left out), alongside a mean.
    rng = np.random.default_rng(11)
    values = rng.lognormal(size=3000)
    gappy = np.where(rng.random(3000) < 0.3, np.nan, values)
    statistics = {
        "all": weighted_median(values),
        "gappy": weighted_median(gappy),
        "mean": weighted_mean(gappy),
    }
    estimates = bootstrap(statistics, 3000, n_resamples=50, seed=4, keep_replicates=True)
    weights = np.concatenate(list(resample_weights(3000, 50, 4))).astype(int)
    for name, column in (("all", values), ("gappy", gappy)):
        expected = [np.nanmedian(np.repeat(column, row)) for row in weights]
        assert estimates[name].replicates == pytest.approx(expected, rel=1e-12)
        assert estimates[name].value == pytest.approx(np.nanmedian(column))
    assert estimates["mean"].replicates == pytest.approx(
        [np.nanmean(np.repeat(gappy, row)) for row in weights], rel=1e-6
    )


@pytest.mark.skipif(parallel_bootstrap.usable_cores() < 2, reason="needs two cores to use a worker")
def test_resamples_evaluated_in_a_worker_equal_those_evaluated_here(monkeypatch):
    rng = np.random.default_rng(5)
    values = np.where(rng.random(300) < 0.2, np.nan, rng.lognormal(size=300))
    truth, predicted = rng.integers(0, 4, 300), rng.integers(-1, 5, 300)

    def statistics():
        return {
            "mean": weighted_mean(values),
            "median": weighted_median(values),
            "f1": weighted_macro_f1(truth, predicted),
            "median_gap": paired_difference(weighted_median(values), weighted_median(values[::-1].copy())),
        }

    monkeypatch.setattr(bootstrap_module, "_CHUNK_ELEMENTS", 3000)  # 10 resamples a chunk: 21 chunks
    serial = bootstrap(statistics(), 300, 205, 3, keep_replicates=True)
    monkeypatch.setattr(parallel_bootstrap, "PARALLEL_MIN_WEIGHTS", 1)  # this process and a worker
    parallel = bootstrap(statistics(), 300, 205, 3, keep_replicates=True)
    for name, estimate in serial.items():
        assert parallel[name] == estimate
        assert np.array_equal(parallel[name].replicates, estimate.replicates), name
        assert estimate.replicates.size > 150  # the comparison covers the resamples of both processes
