"""The comparison report's summary: one sentence per pair of runs, the ranked CI plot, and the cost table."""

from __future__ import annotations

from markupsafe import Markup
from productlens.core.results_schema import CompareResult
from productlens.reports.compare_sentences import pair_sentences
from productlens.reports.cost_view import cost_table_html
from productlens.reports.ranked_plot import ranked_ci_svg
from productlens.reports.templating import render


def summary_body(compare: CompareResult) -> Markup:
    sentences = [text for _, _, text in pair_sentences(compare)]
    return render("compare_summary.html.j2", sentences=sentences, plot=ranked_ci_svg(compare["runs"]))


def summary_intro() -> str:
    return (
        "Each run against the first, on the samples both scored: McNemar's exact test for right/wrong metrics, "
        "the paired bootstrap for the rest, and Holm's correction across all the metrics of a pair, so a "
        "difference named here is unlikely to be one of many chances."
    )


def cost_body(compare: CompareResult) -> Markup:
    return cost_table_html(compare["runs"])
