"""Sections of the comparison report: the runs, their paired differences, and where they disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from productlens.reports.gallery import _price_text
from productlens.reports.html_page import data_url, esc
from productlens.reports.metric_format import (
    difference_verdict,
    format_delta,
    format_delta_interval,
    format_metric,
    grouped_metric_names,
    metric_kind,
)
from productlens.reports.sample_view import field_verdicts

VERDICT_WORDS = {
    "better": "▲ better",
    "worse": "▼ worse",
    "unclear": "≈ unclear",
    "unknown": "n/a",
    "same": "= no difference",
}
TEST_NAMES = {"mcnemar": "McNemar", "bootstrap": "paired bootstrap"}


def compare_header(names: Sequence[str]) -> str:
    chips = "".join(f'<span class="chip">{esc(name)}</span>' for name in names)
    return (
        "<h1>Comparison</h1>"
        f'<div class="sub">{len(names)} evaluations side by side, differences against the first</div>'
        f'<div class="chips">{chips}</div>'
    )


def runs_body(runs: Sequence[Mapping[str, Any]]) -> str:
    fingerprints = {str((run.get("provenance") or {}).get("data_fingerprint")) for run in runs}
    warning = (
        '<p class="warn">⚠ These runs were evaluated on data with different fingerprints; '
        "differences are computed on shared sample ids only.</p>"
        if len(fingerprints) > 1
        else ""
    )
    rows = []
    for run in runs:
        provenance = run.get("provenance") or {}
        rows.append(
            f"<tr><td><b>{esc(run.get('name', ''))}</b></td><td>{esc(provenance.get('model', ''))}</td>"
            f"<td>{esc(provenance.get('adapter') or '—')}</td><td>{esc(provenance.get('split', ''))}</td>"
            f'<td class="num">{esc(run.get("n", ""))}</td>'
            f'<td><code class="mono">{esc((provenance.get("data_fingerprint") or "")[:16])}</code></td>'
            f"<td>{esc(provenance.get('created', ''))}</td></tr>"
        )
    return (
        f'{warning}<div class="table-wrap"><table class="runs"><thead><tr><th>Run</th><th>Model</th><th>Adapter</th>'
        '<th>Split</th><th class="num">n</th><th>Data fingerprint</th><th>Created</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def differences_body(runs: Sequence[Mapping[str, Any]], differences: Mapping[str, Sequence[Mapping]]) -> str:
    if not runs:
        return '<p class="empty">No runs.</p>'
    names = [str(run.get("name", "")) for run in runs]
    first_metrics = runs[0].get("metrics") or {}
    head = "".join(f'<th class="num">{esc(name)}</th>' for name in names)
    head += "".join(f"<th>Δ {esc(name)} − {esc(names[0])}</th>" for name in names[1:])
    rows = []
    for group, members in grouped_metric_names(list(first_metrics)):
        rows.append(f'<tr class="group"><th colspan="{1 + 2 * len(names)}">{esc(group)}</th></tr>')
        for metric_name in members:
            base = first_metrics[metric_name]
            kind = metric_kind(metric_name)
            cells = [
                f'<td class="num">{esc(format_metric((run.get("metrics") or {}).get(metric_name) or {}, metric_name))}</td>'
                for run in runs
            ]
            by_run = {d.get("vs"): d for d in differences.get(metric_name) or []}
            for name in names[1:]:
                cells.append(
                    _difference_cell(by_run.get(name), kind, bool(base.get("higher_is_better", True)))
                )
            rows.append(
                f'<tr data-metric="{esc(metric_name)}"><td>{esc(base.get("label") or metric_name)}</td>{"".join(cells)}</tr>'
            )
    return (
        f'<div class="table-wrap"><table class="differences"><thead><tr><th>Metric</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="legend">Δ strip: the black line is 0 (no difference), the band the 95% paired interval, the dot '
        "the estimate. n: samples both runs share.</p>"
    )


def _difference_cell(difference: Mapping[str, Any] | None, kind: str, higher_is_better: bool) -> str:
    if difference is None:
        return "<td>—</td>"
    delta, low, high = difference.get("delta"), difference.get("ci_low"), difference.get("ci_high")
    verdict = difference_verdict(
        delta, low, high, higher_is_better, difference.get("significant"), difference.get("identical")
    )
    return (
        f'<td data-verdict="{verdict}"><div class="num">{esc(format_delta(delta, kind))} '
        f'<span class="legend">{esc(format_delta_interval(low, high, kind))}</span> '
        f'<span class="dir {verdict}">{esc(VERDICT_WORDS[verdict])}</span></div>'
        f"{_delta_strip(delta, low, high)}"
        f'<div class="legend">n = {esc(difference.get("n_shared", ""))}{_test_text(difference)}</div></td>'
    )


def _test_text(difference: Mapping[str, Any]) -> str:
    if difference.get("p_holm") is None:
        return ""
    test = TEST_NAMES.get(str(difference.get("test")), str(difference.get("test")))
    return esc(f" · {test}, p = {difference['p_value']:.2g}, Holm {difference['p_holm']:.2g}")


def _delta_strip(delta: float | None, low: float | None, high: float | None) -> str:
    if delta is None:
        return ""
    reach = max(abs(v) for v in (delta, low or 0.0, high or 0.0)) * 1.15 or 1.0

    def at(value: float) -> str:
        return f"{(value + reach) / (2 * reach) * 100:.2f}%"

    band = ""
    if low is not None and high is not None:
        band = f'<span class="ci-bar" style="left:{at(low)};width:{(high - low) / (2 * reach) * 100:.2f}%"></span>'
    return (
        f'<div class="ci-track" role="presentation"><span class="zero" style="left:50%"></span>{band}'
        f'<span class="ci-dot" style="left:{at(delta)}"></span></div>'
    )


def disagreements_body(
    disagreements: Sequence[Mapping[str, Any]], names: Sequence[str], thumbnails: Mapping[str, bytes] | None
) -> str:
    if not disagreements:
        return '<p class="empty">The runs gave equally good answers on every shared sample.</p>'
    thumbnails = thumbnails or {}
    cards = []
    for item in disagreements:
        reference = item.get("reference") or {}
        thumbnail = thumbnails.get(str(item.get("id")))
        image = (
            f'<img src="{data_url(thumbnail)}" alt="photo of {esc(item.get("id"))}">'
            if thumbnail
            else '<div class="noimg">no image</div>'
            if thumbnails
            else ""
        )
        answers = []
        for name in names:
            answer = (item.get("answers") or {}).get(name)
            if answer is None:
                answers.append(f'<div class="run"><div class="name">{esc(name)}</div>—</div>')
                continue
            chips = "".join(
                f'<span class="v {v.level}">{esc(field)} {esc(v.symbol)} {esc(v.text)}</span>'
                for field, v in field_verdicts(answer).items()
            )
            generated = str(answer.get("generated", ""))
            answers.append(
                f'<div class="run"><div class="name">{esc(name)}</div>'
                f'<pre class="gen">{esc(generated) if generated.strip() else "(empty answer)"}</pre>'
                f'<div class="verdicts">{chips}</div></div>'
            )
        cards.append(
            f'<article class="sample disagreement" data-id="{esc(item.get("id"))}">'
            f'<div class="head">{image}<div><div class="id">{esc(item.get("id"))}</div>'
            f"<div>{esc(reference.get('title', ''))}</div>"
            f'<div class="legend">{esc(reference.get("category3", ""))} · '
            f"{esc(_price_text(reference.get('price'), reference.get('currency')))}</div></div></div>"
            f'<div class="answers">{"".join(answers)}</div></article>'
        )
    return f'<div class="disagreements">{"".join(cards)}</div>'
