"""The comparison's sentences, ranked CI plot and cost table, from hand-made compare dicts."""

from __future__ import annotations

import io

from productlens.reports.compare_sentences import pair_sentences
from productlens.reports.html import render_compare_report
from productlens.reports.terminal import render_compare
from rich.console import Console

from .conftest import bare_results, cost, parse_page

LABELS = {
    "category3_accuracy": ("Category accuracy", True),
    "price_mdape": ("Price median APE", False),
    "title_f1": ("Title token F1", True),
}


def run(name, values, run_cost=None):
    metrics = {
        metric: {
            "value": value,
            "ci_low": value - 0.02,
            "ci_high": value + 0.02,
            "n": 12,
            "higher_is_better": LABELS[metric][1],
            "label": LABELS[metric][0],
        }
        for metric, value in values.items()
    }
    return bare_results(name, 12, metrics, **({"cost": run_cost} if run_cost else {}))


def diff(vs, delta, low, high, p_holm=0.5, significant=False, identical=False):
    return {
        "vs": vs, "delta": delta, "ci_low": low, "ci_high": high, "n_shared": 12, "test": "bootstrap",
        "p_value": p_holm, "p_holm": p_holm, "significant": significant, "identical": identical,
    }  # fmt: skip


BASE = {"category3_accuracy": 0.80, "price_mdape": 0.20, "title_f1": 0.70}
COST_A = cost(prompt_tokens_per_sample=100.0, generated_tokens_per_sample=10.0, samples_per_s=2.0, wall_s=6.0, device="cpu (2 cores)")  # fmt: skip
COST_B = cost(prompt_tokens_per_sample=200.0, generated_tokens_per_sample=20.0, samples_per_s=1.0, wall_s=12.0, device="NVIDIA H100")  # fmt: skip


def compare_of(differences, names=("a", "b"), costs=(None, None)):
    runs = [run(name, BASE, cost) for name, cost in zip(names, costs, strict=True)]
    return {"runs": runs, "differences": {m: [d] for m, d in differences.items()}, "disagreements": []}


def sentence(compare):
    return pair_sentences(compare)[0][2]


def test_one_significant_gain_is_named_with_its_interval():
    compare = compare_of(
        {
            "category3_accuracy": diff("b", 0.041, 0.020, 0.063, 0.001, True),
            "price_mdape": diff("b", 0.01, -0.02, 0.03),
            "title_f1": diff("b", 0.0, -0.01, 0.01),
        }
    )
    assert sentence(compare) == (
        "b beats a on category accuracy by 4.1 points [2.0, 6.3], significant after Holm correction across "
        "3 metrics; no other difference is."
    )


def test_lower_is_better_gains_and_losses_read_the_right_way_round():
    compare = compare_of(
        {
            "category3_accuracy": diff("b", -0.05, -0.08, -0.02, 0.01, True),
            "price_mdape": diff("b", -0.03, -0.05, -0.01, 0.01, True),
            "title_f1": diff("b", 0.0, -0.01, 0.01),
        }
    )
    assert sentence(compare) == (
        "b trails a on category accuracy by 5.0 points [2.0, 8.0] and beats a on price median APE by 3.0 points "
        "[1.0, 5.0], significant after Holm correction across 3 metrics; no other difference is."
    )


def test_nothing_significant_and_identical_runs():
    unclear = compare_of({m: diff("b", 0.01, -0.01, 0.03) for m in BASE})
    assert sentence(unclear) == (
        "No difference between b and a is significant after Holm correction across 3 metrics (12 shared samples)."
    )
    same = compare_of(
        {m: diff("a-again", 0.0, 0.0, 0.0, 1.0, False, True) for m in BASE}, names=("a", "a-again")
    )
    assert sentence(same) == "a-again and a scored the same on all 12 shared samples: no difference."


def test_cost_ratio_is_part_of_the_sentence():
    compare = compare_of(
        {
            "category3_accuracy": diff("b", 0.03, 0.01, 0.05, 0.01, True),
            "title_f1": diff("b", 0.0, -0.01, 0.01),
        },
        costs=(COST_A, COST_B),
    )
    assert sentence(compare).endswith(
        "no other difference is, at 2.0x the tokens and 2.0x the time per sample."
    )


def test_html_summary_plot_and_cost_render_and_escape_names():
    compare = compare_of(
        {"category3_accuracy": diff("<b>x</b>", 0.03, 0.01, 0.05, 0.01, True)},
        names=("a", "<b>x</b>"),
        costs=(COST_A, cost("answers read from a predictions file")),
    )
    dom = parse_page(render_compare_report(compare))
    summary = dom.find("section", id="summary")
    assert summary.find("li", class_="pair-sentence").words.startswith(
        "<b>x</b> beats a on category accuracy"
    )
    svg = summary.find("figure", class_="ranked").find("svg")
    assert svg.attrs["aria-label"].startswith("Runs ranked")
    rows = dom.find("table", class_="cost").find("tbody").find_all("tr")
    assert rows[0].words.split()[:4] == ["a", "6.0", "s", "2.00"]
    assert rows[1].attrs.get("class") == "cost-absent" and "predictions file" in rows[1].words
    assert "<b>x</b>" not in render_compare_report(compare).split("report-data")[0]  # escaped before the data


def test_terminal_compare_has_the_sentence_and_costs_at_80_columns():
    compare = compare_of(
        {m: diff("[bold]b", 0.0, 0.0, 0.0, 1.0, False, True) for m in BASE},
        names=("a", "[bold]b"),
        costs=(COST_A, COST_B),
    )
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(render_compare(compare))
    text = console.file.getvalue()
    assert "• [bold]b and a scored the same on all 12 shared samples: no difference" in " ".join(text.split())
    assert "Cost and speed" in text and "NVIDIA H100" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_several_gains_name_the_run_once_and_end_without_a_rest():
    compare = compare_of(
        {
            "category3_accuracy": diff("b", 0.041, 0.020, 0.063, 0.001, True),
            "title_f1": diff("b", 0.05, 0.01, 0.09, 0.01, True),
        }
    )
    assert sentence(compare) == (
        "b beats a on category accuracy by 4.1 points [2.0, 6.3] and on title token F1 by 0.050 [0.010, 0.090], "
        "significant after Holm correction across 2 metrics."
    )


def test_ranked_plot_of_runs_on_one_value_has_readable_percent_ticks():
    from productlens.reports.ranked_plot import _percent_tick, ranked_ci_svg

    assert [_percent_tick(2.0)(v, None) for v in (-1.0, -0.04, 0.0, 0.5)] == ["-1.0%", "0%", "0%", "0.5%"]
    assert [_percent_tick(40.0)(v, None) for v in (-0.3, 20.0)] == ["0%", "20%"]
    same = [run(name, {"category3_accuracy": 0.0}) for name in ("a", "b")]
    svg = ranked_ci_svg(same, ["category3_accuracy"])
    width = float(str(svg).split('viewBox="0 0 ', 1)[1].split(" ", 1)[0])
    assert (
        width >= 2 * 3.1 * 72 * 0.9
    )  # one panel is drawn as wide as two (points), not stretched to the page
