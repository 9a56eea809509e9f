"""Comparing evaluations: paired-bootstrap differences on the samples they share, and where they disagree.

The first evaluation is the reference point: for every other run and every metric both report,
`delta` is that run's value minus the first run's, on the ids both scored, with a 95 % paired
bootstrap interval (the same resampled ids for both runs). An interval that excludes 0 is a
difference the samples support. Records are re-scored from their raw answers, so evaluations
scored by older code compare fairly. `run_comparison` writes the result to compare.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from productlens.core.json_files import read_json, write_json
from productlens.core.results_schema import (
    CompareResult,
    Difference,
    Disagreement,
    DisagreementAnswer,
    PredictionRecord,
    Results,
)
from productlens.evaluate.bootstrap import bootstrap, paired_difference
from productlens.evaluate.paired_tests import pair_tests
from productlens.evaluate.predictions_io import read_predictions
from productlens.evaluate.scoring import metric_specs, rescore_records
from productlens.evaluate.training_stats import TrainingStats

MAX_DISAGREEMENTS = 24
COMPARE_FILE = "compare.json"


def load_evaluation(directory: str | Path) -> tuple[Results, list[PredictionRecord], TrainingStats | None]:
    """results.json, predictions.jsonl and (when saved) training_stats.json of an evaluation directory."""
    directory = Path(directory)
    results_path = directory / "results.json"
    if not results_path.is_file():
        raise FileNotFoundError(
            f"{results_path} not found; is {directory} an evaluation written by `evaluate`?"
        )
    results: Results = read_json(results_path)
    records = read_predictions(directory / "predictions.jsonl")
    stats_path = directory / "training_stats.json"
    stats = TrainingStats.from_dict(read_json(stats_path)) if stats_path.is_file() else None
    return results, records, stats


def compare_evaluations(
    directories: Sequence[str | Path],
    n_resamples: int = 1000,
    seed: int = 0,
    max_disagreements: int = MAX_DISAGREEMENTS,
) -> CompareResult:
    """The compare dict for two or more evaluation directories (see the module docstring)."""
    if len(directories) < 2:
        raise ValueError(f"compare needs at least two evaluations; got {len(directories)}")
    loaded = [load_evaluation(directory) for directory in directories]
    names = _unique_names([results["name"] for results, _, _ in loaded], directories)
    runs = []
    for name, (results, _, _) in zip(names, loaded, strict=True):
        runs.append({**results, "name": name})
    hierarchy = next((stats.hierarchy for _, _, stats in loaded if stats is not None), {})
    rescored = [{r["id"]: r for r in rescore_records(records, hierarchy)} for _, records, _ in loaded]

    differences: dict[str, list[Difference]] = {}
    first = rescored[0]
    for name, other in zip(names[1:], rescored[1:], strict=True):
        shared = [key for key in first if key in other]
        if not shared:
            raise ValueError(
                f"{names[0]} and {name} share no sample ids; compare evaluations of the same split"
            )
        specs_first = {spec.name: spec for spec in metric_specs([first[key] for key in shared])}
        specs_other = {spec.name: spec for spec in metric_specs([other[key] for key in shared])}
        common = [metric for metric in specs_first if metric in specs_other]
        estimates = bootstrap(
            {m: paired_difference(specs_other[m].statistic, specs_first[m].statistic) for m in common},
            len(shared),
            n_resamples,
            seed,
            keep_replicates=True,
        )
        tests = pair_tests(specs_first, specs_other, common, estimates)
        for metric in common:
            estimate = estimates[metric]
            differences.setdefault(metric, []).append(
                Difference(
                    vs=name,
                    delta=estimate.value,
                    ci_low=estimate.ci_low,
                    ci_high=estimate.ci_high,
                    n_shared=len(shared),
                    **tests[metric],
                )
            )
    return CompareResult(
        runs=runs,
        differences=differences,
        disagreements=_disagreements(names, rescored, max_disagreements),
    )


def sample_quality(record: PredictionRecord) -> float:
    """One number per answer for ranking disagreements: the mean of category right, title F1 and
    price closeness (1 - APE, floored at 0); an unparsed field counts 0."""
    scores = record["scores"]
    ape = scores.get("price_ape")
    parts = [
        scores.get("category3_correct") or 0.0,
        scores.get("title_f1") or 0.0,
        0.0 if ape is None else max(0.0, 1.0 - ape),
    ]
    return float(sum(parts) / len(parts))  # what np.mean gives for three values, without its overhead


def _disagreements(
    names: list[str], rescored: list[dict[str, PredictionRecord]], limit: int
) -> list[Disagreement]:
    shared = [key for key in rescored[0] if all(key in run for run in rescored[1:])]
    spreads = []
    for key in shared:
        qualities = [sample_quality(run[key]) for run in rescored]
        spreads.append((max(qualities) - min(qualities), key))
    spreads.sort(key=lambda pair: (-pair[0], pair[1]))
    out = []
    for spread, key in spreads[:limit]:
        if spread <= 0:
            break
        out.append(
            Disagreement(
                id=key,
                reference=rescored[0][key]["reference"],
                answers={
                    name: DisagreementAnswer(generated=run[key]["generated"], scores=run[key]["scores"])
                    for name, run in zip(names, rescored, strict=True)
                },
            )
        )
    return out


def _unique_names(names: list[str], directories: Sequence[str | Path]) -> list[str]:
    if len(set(names)) == len(names):
        return names
    return [str(Path(directory)) for directory in directories]


def run_comparison(
    directories: Sequence[str | Path], out: Path | None = None, n_resamples: int = 1000, seed: int = 0
) -> tuple[CompareResult, Path]:
    """Compare the evaluations and write compare.json to `out` (None: evals/compare-<a>-vs-<b>...).

    Returns the comparison and the directory it was written to.
    """
    comparison = compare_evaluations(directories, n_resamples=n_resamples, seed=seed)
    out = out or Path("evals") / ("compare-" + "-vs-".join(Path(path).name for path in directories))
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / COMPARE_FILE, comparison, allow_nan=False)
    return comparison, out


def comparison_thumbnails(first: str | Path, comparison: CompareResult) -> dict[str, bytes]:
    """Photos of the disagreements, from the sample set the first evaluation names; none when that set is
    gone or was regenerated since (the same ids could show other photos)."""
    from productlens.core.sample_set import set_fingerprint
    from productlens.evaluate.config import EvaluateConfig
    from productlens.evaluate.evaluation import load_thumbnails

    first = Path(first)
    provenance = comparison["runs"][0].get("provenance") or {}  # the first results.json, as already read
    data, split = provenance.get("data"), provenance.get("split") or "test"
    ids = [str(item.get("id")) for item in comparison.get("disagreements") or []]
    if not data or not ids or not (Path(data) / "manifest.json").is_file():
        return {}
    if provenance.get("data_fingerprint") != set_fingerprint(Path(data)):
        return {}
    try:
        return load_thumbnails(EvaluateConfig(data=Path(data), split=split, predictions=first), ids)
    except (FileNotFoundError, ValueError):
        return {}
