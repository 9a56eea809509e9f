"""The comparison report's summary: one sentence per pair of runs, the ranked CI plot, and the cost table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.reports.compare_sentences import pair_sentences
from productlens.reports.cost_view import cost_table_html
from productlens.reports.html_page import esc
from productlens.reports.ranked_plot import ranked_ci_svg


def summary_body(compare: Mapping[str, Any]) -> str:
    sentences = "".join(
        f'<li class="pair-sentence">{esc(text)}</li>' for _, _, text in pair_sentences(compare)
    )
    plot = ranked_ci_svg(compare.get("runs") or [])
    figure = (
        f'<figure class="ranked">{plot}<figcaption>Each panel ranks the runs on one headline metric, best on '
        "top, each on all the samples it scored (n under Runs): the dot is the estimate, the bar its 95% bootstrap "
        "interval.</figcaption></figure>"
        if plot
        else ""
    )
    return f'<ul class="sentences">{sentences}</ul>{figure}'


def summary_intro() -> str:
    return (
        "Each run against the first, on the samples both scored: McNemar's exact test for right/wrong metrics, "
        "the paired bootstrap for the rest, and Holm's correction across all the metrics of a pair, so a "
        "difference named here is unlikely to be one of many chances."
    )


def cost_body(compare: Mapping[str, Any]) -> str:
    return cost_table_html(compare.get("runs") or [])
