"""Sections of the comparison report: the runs, their paired differences, and where they disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup
from productlens.core.results_schema import Difference, Disagreement, Results
from productlens.reports.html_page import data_url
from productlens.reports.metric_format import (
    MetricKind,
    difference_verdict,
    format_delta,
    format_delta_interval,
    format_metric,
    format_price,
    grouped_metric_names,
    metric_kind,
    redundant_metric_names,
    results_currency,
)
from productlens.reports.sample_view import field_verdicts
from productlens.reports.strips import delta_strip
from productlens.reports.templating import render

VERDICT_WORDS = {
    "better": "▲ better",
    "worse": "▼ worse",
    "unclear": "≈ unclear",
    "unknown": "n/a",
    "same": "= no difference",
}
TEST_NAMES = {"mcnemar": "McNemar", "bootstrap": "paired bootstrap"}


def compare_header(names: Sequence[str]) -> Markup:
    return render("compare_header.html.j2", names=names)


def runs_body(runs: Sequence[Results]) -> Markup:
    fingerprints = {run["provenance"]["data_fingerprint"] for run in runs}
    return render("compare_runs.html.j2", runs=runs, mixed_data=len(fingerprints) > 1)


def differences_body(runs: Sequence[Results], differences: Mapping[str, Sequence[Difference]]) -> Markup:
    if not runs:
        return render("compare_differences.html.j2", names=[], groups=[])
    names = [run["name"] for run in runs]
    first_metrics = runs[0]["metrics"]
    hidden = set.intersection(*(redundant_metric_names(run["metrics"]) for run in runs))
    groups = []
    for group, members in grouped_metric_names([m for m in first_metrics if m not in hidden]):
        rows = []
        for metric_name in members:
            base = first_metrics[metric_name]
            kind = metric_kind(metric_name)
            values = [
                (
                    run["name"],
                    format_metric(run["metrics"].get(metric_name), metric_name, results_currency(run)),
                )
                for run in runs
            ]
            by_run = {d["vs"]: d for d in differences.get(metric_name, [])}
            cells = [_difference_cell(by_run.get(name), kind, base["higher_is_better"]) for name in names[1:]]
            rows.append((metric_name, base["label"] or metric_name, values, cells))
        groups.append((group, rows))
    return render("compare_differences.html.j2", names=names, groups=groups)


def _difference_cell(difference: Difference | None, kind: MetricKind, higher_is_better: bool) -> dict | None:
    if difference is None:
        return None
    delta, low, high = difference["delta"], difference["ci_low"], difference["ci_high"]
    verdict = difference_verdict(
        delta, low, high, higher_is_better, difference.get("significant"), difference.get("identical")
    )
    return {
        "verdict": verdict,
        "delta": format_delta(delta, kind),
        "interval": format_delta_interval(low, high, kind),
        "words": VERDICT_WORDS[verdict],
        "strip": delta_strip(delta, low, high),
        "n_shared": difference["n_shared"],
        "test": _test_text(difference),
    }


def _test_text(difference: Difference) -> str:
    """ " · McNemar, p = 0.01, Holm 0.03" where compare ran the paired tests (they are NotRequired)."""
    p_value, p_holm = difference.get("p_value"), difference.get("p_holm")
    if p_holm is None or p_value is None:
        return ""
    test = str(difference.get("test"))
    return f" · {TEST_NAMES.get(test, test)}, p = {p_value:.2g}, Holm {p_holm:.2g}"


def disagreements_body(
    disagreements: Sequence[Disagreement], names: Sequence[str], thumbnails: Mapping[str, bytes] | None
) -> Markup:
    thumbnails = thumbnails or {}
    cards = []
    for item in disagreements:
        reference = item["reference"]
        thumbnail = thumbnails.get(item["id"])
        answers = []
        for name in names:
            answer = item["answers"].get(name)  # a run that did not score this sample has no answer
            if answer is None:
                answers.append((name, None, {}))
            else:
                generated = answer["generated"] if answer["generated"].strip() else "(empty answer)"
                answers.append((name, generated, field_verdicts(answer)))
        cards.append(
            {
                "id": item["id"],
                "photo": data_url(thumbnail) if thumbnail else None,
                "title": reference["title"],
                "category": reference["category3"],
                "price": format_price(reference["price"], reference["currency"]),
                "answers": answers,
            }
        )
    return render("compare_disagreements.html.j2", cards=cards, show_images=bool(thumbnails))
