"""Rich summaries rendered as a user would read them: whole strings and key lines, colour or not."""

from __future__ import annotations

import re
from io import StringIO

from productlens.reports.terminal import render_compare, render_summary
from rich.console import Console


def render(renderable, **options) -> str:
    console = Console(file=StringIO(), width=100, color_system=None, **options)
    console.print(renderable)
    return console.file.getvalue()


def line_with(text: str, needle: str) -> str:
    matches = [line for line in text.splitlines() if needle in line]
    assert matches, f"no line with {needle!r} in\n{text}"
    return " ".join(matches[0].split())


SMALL = {
    "schema": 1,
    "name": "small",
    "n": 4,
    "metrics": {
        "category3_accuracy": {
            "value": 0.75,
            "ci_low": 0.25,
            "ci_high": 1.0,
            "n": 4,
            "higher_is_better": True,
            "label": "Category accuracy",
        },
        "price_mae": {
            "value": 12.5,
            "ci_low": 2.0,
            "ci_high": 30.0,
            "n": 3,
            "higher_is_better": False,
            "label": "Price MAE",
        },
    },
    "baselines": {
        "train_median_price": {
            "label": "Training median",
            "metrics": {
                "price_mae": {
                    "value": 40.0,
                    "ci_low": 20.0,
                    "ci_high": 60.0,
                    "n": 3,
                    "higher_is_better": False,
                    "label": "Price MAE",
                }
            },
        }
    },
    "per_category": {"COATS": {"n": 4, "accuracy": 0.75, "price_mdape": 0.1}},
    "confusion": {"labels": ["COATS"], "matrix": [[3, 1]]},
    "provenance": {"model": "tiny", "adapter": None, "split": "test"},
}

SMALL_GOLDEN = """\
Evaluation small  n=4  model=tiny  split=test
Category (95% bootstrap CI)

  Metric                    Model [95% CI]   n
 ──────────────────────────────────────────────
  Category accuracy   75.0% [25.0, 100.0]%   4

Price (95% bootstrap CI)

                                                Training
  Metric               Model [95% CI]   n         median
 ────────────────────────────────────────────────────────
  Price MAE          12.5 [2.0, 30.0]   3         40.0 ▲

baselines on the same samples; ▲/▼: the model's value is
better/worse
Per category

  Category   n   Accuracy                          Price median APE
 ───────────────────────────────────────────────────────────────────
  COATS      4      75.0%   ███████████████                   10.0%

"""


def test_summary_golden_render():
    # Whole render, compared line by line without the padding Rich adds at line ends.
    rendered = [line.rstrip() for line in render(render_summary(SMALL)).splitlines()]
    assert rendered == SMALL_GOLDEN.splitlines()


def test_summary_lines_show_value_interval_n_and_baselines(fake_results):
    text = render(render_summary(fake_results))
    assert line_with(text, "Price median APE") == "Price median APE 6.1% [1.0, 56.0]% 6 41.0% ▲ 9.0% ▲"
    assert line_with(text, "Price within 10 %") == "Price within 10 % 50.0% [16.7, 83.3]% 6 17.0% ▲ 55.0% ▼"
    assert line_with(text, "Category accuracy") == "Category accuracy 71.4% [42.9, 100.0]% 7 33.3% ▲"
    assert line_with(text, "Title ANLS") == "Title ANLS n/a 0"  # unscored, not zero
    assert line_with(text, "SHIRTS ") == "SHIRTS 3 100.0% ████████████████████ 1.7%"
    assert "Worst examples" not in text


def test_worst_examples_show_a_few_unparsed_then_the_worst_parsed(fake_results, fake_predictions):
    text = render(render_summary(fake_results, fake_predictions))
    worst = text[text.index("Worst examples") :]
    ids = re.findall(r"^\s+(P\d{3})\s", worst, flags=re.MULTILINE)
    assert ids[:4] == ["P007", "P008", "P005", "P004"]
    assert "P009" not in ids  # only two unparsed rows make the list
    assert (
        line_with(worst, "P004") == "P004 ref Quilted Jacket / COATS / 1,290.00 USD ✓ exact ✗ wrong ✗ +101.6%"
    )
    assert (
        line_with(worst, "P007")
        == "P007 ref Cashmere Scarf / SCARVES / 690.00 USD — unparsed — unparsed — unparsed"
    )


def test_no_color_keeps_every_verdict_readable(monkeypatch, fake_results, fake_predictions):
    monkeypatch.setenv("NO_COLOR", "1")
    console = Console(file=StringIO(), width=100, force_terminal=True, color_system="truecolor")
    console.print(render_summary(fake_results, fake_predictions))
    text = console.file.getvalue()
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m|\x1b\[[0-9;]*38;", text), "foreground colour despite NO_COLOR"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert "▲" in plain and "▼" in plain and "✗ wrong" in plain and "— unparsed" in plain


def test_colour_terminal_adds_colour_to_the_same_words(fake_results, fake_predictions):
    console = Console(file=StringIO(), width=100, force_terminal=True, color_system="standard")
    console.print(render_summary(fake_results, fake_predictions))
    text = console.file.getvalue()
    assert "\x1b[31m" in text or "\x1b[91m" in text  # red for misses
    assert "✗ wrong" in re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_data_text_is_never_console_markup(fake_results, fake_predictions):
    fake_predictions[4]["reference"]["title"] = "[bold red]Loud[/] [/oops]"
    fake_predictions[4]["generated"] = "[link=http://x]click[/link]"
    fake_results["name"] = "[/]"
    text = render(render_summary(fake_results, fake_predictions))
    assert "[bold red]Loud[/] [/oops]" in text
    assert "[link=http://x]click[/link]" in text
    assert text.startswith("Evaluation [/]")


def test_compare_marks_only_differences_whose_interval_excludes_zero(fake_compare):
    text = render(render_compare(fake_compare))
    assert text.startswith("Comparison tiny-lora-eval vs tiny-full-eval")
    assert line_with(text, "Answers fully parsed").endswith("+22.2 pp [+0.0 pp, +44.4 pp] ≈")
    assert line_with(text, "Price median APE").endswith("-3.0 pp [-5.0 pp, -1.0 pp] ▲")  # lower is better
    assert line_with(text, "Title token F1").endswith("-0.100 [-0.200, -0.020] ▼")
    assert line_with(text, "Price MAE").endswith("317.5 317.5 —")


def test_compare_lists_disagreements_with_each_runs_answer(fake_compare):
    text = render(render_compare(fake_compare))
    section = text[text.index("Where the runs disagree most") :]
    assert line_with(section, "P007").startswith("P007 Cashmere Scarf / SCARVES / I cannot tell.")
    assert "title — unparsed" in section and "price ✓ 1.7% off" in section
    assert line_with(section, "P005").endswith("—")  # the second run has no answer for P005


def test_minimal_results_render():
    text = render(render_summary({"name": "bare", "n": 0, "metrics": {}}, []))
    assert text.splitlines() == ["Evaluation bare  n=0"]
    assert render(render_compare({"runs": [], "differences": {}, "disagreements": []})).startswith(
        "Comparison"
    )
