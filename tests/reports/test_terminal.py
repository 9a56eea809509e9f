"""Rich summaries rendered as a user would read them: whole strings and key lines, colour or not."""

from __future__ import annotations

import re
from io import StringIO

from productlens.reports.terminal import render_compare, render_summary
from rich.console import Console

from .conftest import bare_results


def render(renderable, width: int = 100, **options) -> str:
    console = Console(file=StringIO(), width=width, color_system=None, **options)
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
            "label": "Category3 accuracy",
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
    "currency": "EUR",
}

SMALL_GOLDEN = """\
Evaluation small  n=4  model=tiny  split=test

Category                                                  model        95% CI  n
────────────────────────────────────────────────────────────────────────────────
Category3 accuracy                                        75.0%  25.0-100.0 %  4

                                                                           train
Price                                                 model    95% CI  n  median
────────────────────────────────────────────────────────────────────────────────
MAE                                                12.5 EUR  2.0-30.0  3  40.0 ▲
▲/▼: better/worse than the baseline on the same samples; train median: Training
median

Category3                         n  accuracy                        price MdAPE
────────────────────────────────────────────────────────────────────────────────
COATS                             4     75.0%  ███████████████             10.0%
"""


def test_summary_golden_render():
    # Whole render, compared line by line without the padding Rich adds at line ends.
    rendered = [line.rstrip() for line in render(render_summary(SMALL)).splitlines()]
    assert rendered == SMALL_GOLDEN.splitlines()


def test_summary_lines_show_value_interval_n_and_baselines(fake_results):
    text = render(render_summary(fake_results))
    header = text.splitlines()[
        next(i for i, line in enumerate(text.splitlines()) if line.startswith("Price ")) - 1
    ]
    assert " ".join(header.split()) == "train leaf to"  # short baseline names, over two lines
    assert line_with(text, "Price ") == "Price model 95% CI n median median floor"
    assert line_with(text, "median APE ") == "median APE 6.1% 1.0-56.0 % 6 41.0% ▲ 9.0% ▲ 4.1 pp"
    assert line_with(text, "within 10 %") == "within 10 % 50.0% 16.7-83.3 % 6 17.0% ▲ 55.0% ▼ 45.0 pp"
    assert line_with(text, "MAE") == "MAE 317.5 USD 85.0-640.0 6 — — —"  # money with its unit
    assert line_with(text, "Category3 accuracy ") == "Category3 accuracy 71.4% 42.9-100.0 % 7 33.3% ▲"
    assert line_with(text, "ANLS") == "ANLS n/a 0"  # unscored, not zero
    assert line_with(text, "SHIRTS ") == "SHIRTS 3 100.0% ████████████████████ 1.7%"
    assert "Worst examples" not in text


def test_unparsed_is_miss_rows_only_where_they_differ(fake_results):
    text = render(render_summary(fake_results))
    # some categories were not parsed: the stricter accuracy says something and is shown
    lines = [" ".join(line.split()) for line in text.splitlines()]
    below = lines[lines.index("Category3 accuracy 71.4% 42.9-100.0 % 7 33.3% ▲") + 1]
    assert below.startswith(
        "↳ unparsed = miss 55.6% 22.2-88.9 % 9"  # read as a variant of the row above it
    )
    assert "ANLS (unparsed = miss)" not in text  # n/a like its original: left out
    assert sum("unparsed = miss" in line for line in lines) == 1
    fake_results["metrics"]["category3_accuracy_all"] = dict(fake_results["metrics"]["category3_accuracy"])
    assert "unparsed = miss" not in render(render_summary(fake_results))


def test_noise_floor_is_a_gap_never_better_or_worse(fake_results):
    text = render(render_summary(fake_results))
    assert "to floor: the gap left to the noise floor (price before noise)" in " ".join(text.split())
    fake_results["metrics"]["price_mdape"]["value"] = 0.01  # below the floor, by chance
    assert line_with(render(render_summary(fake_results)), "median APE").endswith("1.0 pp past")


def test_worst_examples_show_a_few_unparsed_then_the_worst_parsed(fake_results, fake_predictions):
    text = render(render_summary(fake_results, fake_predictions))
    worst = text[text.index("Worst examples") :]
    ids = re.findall(r"^(P\d{3})\s", worst, flags=re.MULTILINE)
    assert ids[:4] == ["P007", "P008", "P005", "P004"]
    assert "P009" not in ids  # only two unparsed rows make the list
    lines = [" ".join(line.split()) for line in worst[worst.index("P004") :].splitlines()[:3]]
    assert lines == [
        "P004 ✓ exact · ✗ wrong · ✗ +101.6%",
        "ref Quilted Jacket / COATS / 1,290 USD",
        "gen Quilted Jacket / HATS / 2,600 USD",  # parsed fields, laid out like the reference
    ]
    unparsed = [" ".join(line.split()) for line in worst[worst.index("P007") :].splitlines()[:3]]
    assert unparsed == [
        "P007 — unparsed · — unparsed · — unparsed",
        "ref Cashmere Scarf / SCARVES / 690 USD",
        "gen I cannot tell.",  # the raw answer when it did not parse
    ]


def _cells(table) -> list[str]:
    """Every header and cell text of a Rich table, as plain strings."""
    texts = [str(column.header) for column in table.columns]
    for column in table.columns:
        texts += [str(cell) for cell in column.cells]
    return [text for text in texts if text.strip()]


def test_every_table_fits_80_columns_with_no_cell_cut(fake_results, fake_predictions):
    """A wide evaluation (24 long category names, four-digit prices, long titles) at width 80: every
    line fits, nothing is ellipsised, and every number and header prints whole on one line."""
    from productlens.reports.terminal import _category_table, _metrics_tables, _worst_table
    from rich.table import Table

    per_category = {
        f"WALLETS & CARD CASES {i}" if i % 2 else f"CASHMERE SCARVES {i}": {
            "n": 25,
            "accuracy": i / 24,
            "price_mdape": 0.1,
        }
        for i in range(24)
    }
    fake_results["per_category"] = per_category
    fake_results["metrics"]["price_mae"] = {
        **fake_results["metrics"]["price_mae"],
        "value": 123456.7,
        "ci_low": 100234.5,
        "ci_high": 150345.6,
    }
    for record in fake_predictions:
        record["reference"]["title"] = "Small Camel Check Leather Tote Bag with Gold Hardware and More"
    text = render(render_summary(fake_results, fake_predictions), width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text and "..." not in text
    tables = [
        *[t for t in _metrics_tables(fake_results, fake_predictions) if isinstance(t, Table)],
        _category_table(per_category),
        _worst_table(fake_predictions),
    ]
    numbers = [cell for table in tables for cell in _cells(table)[: len(table.columns)]]  # headers
    for table in tables:
        for column in table.columns[1:]:
            numbers += [str(cell) for cell in column.cells if str(cell).strip() and "\n" not in str(cell)]
    flat = [" ".join(line.split()) for line in lines]
    for cell in numbers:
        assert any(" ".join(cell.split()) in line for line in flat), f"cell {cell!r} was cut or wrapped"
    widths = {len(line.rstrip()) for line in lines if set(line.strip()) == {"─"}}
    assert widths == {80}  # one width for every table


def test_narrow_terminal_wraps_labels_instead_of_cutting(fake_results):
    text = render(render_summary(fake_results), width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" not in text


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
    fake_predictions[4]["parsed"]["title"] = "[link=http://x]click[/link]"  # a parsed answer: its fields
    fake_predictions[6]["generated"] = "[red]raw[/red]"  # an unparsed one: the raw text
    fake_results["name"] = "[/]"
    text = render(render_summary(fake_results, fake_predictions))
    assert "[bold red]Loud[/] [/oops]" in text
    assert "[link=http://x]click[/link]" in text
    assert "gen [red]raw[/red]" in text
    assert text.startswith("Evaluation [/]")


def test_compare_marks_only_differences_whose_interval_excludes_zero(fake_compare):
    text = render(render_compare(fake_compare))
    assert text.startswith("Comparison tiny-lora-eval vs tiny-full-eval")
    assert line_with(text, "Answers fully").endswith("+22.2 pp (+0.0 to +44.4 pp) ≈")
    assert line_with(text, "Price median APE").endswith("-3.0 pp (-5.0 to -1.0 pp) ▲")  # lower is better
    assert line_with(text, "Title token F1").endswith("-0.100 (-0.200 to -0.020) ▼")
    assert line_with(text, "Price MAE").endswith("317.5 USD 317.5 USD —")
    assert "ANLS (unparsed" not in text  # equal to its original in both runs
    assert max(len(line) for line in text.splitlines()) <= 80


def test_compare_lists_disagreements_with_each_runs_answer(fake_compare):
    text = render(render_compare(fake_compare))
    section = text[text.index("Where the runs disagree most") :]
    assert line_with(section, "P007").startswith("P007 Cashmere Scarf / I cannot tell.")
    assert "title — unparsed" in section and "price ✓ 1.7% off" in section
    assert line_with(section, "P005").endswith("—")  # the second run has no answer for P005


def test_minimal_results_render():
    """Only the keys the contract requires, empty: the heading and nothing else."""
    text = render(render_summary(bare_results(), []))
    assert text.splitlines() == ["Evaluation bare  n=0  model=tiny  split=test"]
    assert render(render_compare({"runs": [], "differences": {}, "disagreements": []})).startswith(
        "Comparison"
    )
