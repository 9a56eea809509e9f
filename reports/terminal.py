"""Rich renderables for an evaluation (render_summary) and a comparison of evaluations (render_compare).

Every verdict is written as a symbol and a word as well as a colour, so the tables read the same
under NO_COLOR, in a log file or piped to another program. Data text (titles, answers, categories)
goes in as `Text`, never as console markup, so a title like "[bold]" prints as written.

Every table is REPORT_WIDTH (80) columns wide, or the terminal's width when that is narrower, and
no cell is cut: labels wrap, numbers never do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from productlens.core.results_schema import (
    CategoryRow,
    CompareResult,
    Difference,
    Disagreement,
    MetricValue,
    PredictionRecord,
    Reference,
    Results,
)
from productlens.reports.ablation_view import ablation_renderable
from productlens.reports.compare_stats_terminal import compare_cost_table, compare_sentences
from productlens.reports.groups_view import attributes_table, combinations_table
from productlens.reports.metric_format import (
    FLOOR_BASELINES,
    UNPARSED_SUFFIX,
    MetricKind,
    baseline_short_name,
    compare_direction,
    difference_verdict,
    format_delta,
    format_delta_interval,
    format_gap,
    format_interval,
    format_price,
    format_value,
    grouped_metric_names,
    metric_kind,
    redundant_metric_names,
    results_currency,
    shown_metric_names,
)
from productlens.reports.sample_view import FieldVerdict, field_verdicts, worst_records
from rich import box
from rich.console import Group, RenderableType
from rich.constrain import Constrain
from rich.table import Table
from rich.text import Text

REPORT_WIDTH = 80
WORST_EXAMPLES = 6
WORST_UNPARSED = 2  # unparsed answers are counted by the parse rate; show a few, then the worst parsed
ANSWER_WIDTH = 60
GENERATED_WIDTH = 140
FLOOR_HEADER = "to floor"  # the noise floor column holds the gap left to it, not a better/worse mark
LEVEL_STYLES = {"good": "green", "partial": "yellow", "bad": "red", "missing": "magenta"}
DIRECTION_MARKS = {"better": ("▲", "green"), "worse": ("▼", "red"), "same": ("=", ""), "unknown": ("", "")}
VERDICT_WORDS = {
    "better": ("▲ better", "green"),
    "worse": ("▼ worse", "red"),
    "unclear": ("≈ unclear", "yellow"),
    "unknown": ("n/a", "dim"),
    "same": ("= same", "dim"),
}


def render_summary(results: Results, predictions: Sequence[PredictionRecord] | None = None) -> RenderableType:
    """The evaluation at a glance: metrics with 95 % CIs beside the baselines, accuracy per category
    and, when `predictions` are given, the worst examples."""
    parts: list[RenderableType] = [_heading(results), *_metrics_tables(results, predictions)]
    parts[1:1] = [p for p in (ablation_renderable(results),) if p is not None]  # the image check first
    if results["per_category"]:
        parts += [Text(""), _category_table(results["per_category"])]
    parts += [t for t in (combinations_table(results), attributes_table(results)) if t is not None]
    if predictions:
        parts += [Text(""), _worst_table(predictions)]
    return one_width(parts)


def one_width(parts: list[RenderableType]) -> RenderableType:
    """The parts stacked, every table stretched to REPORT_WIDTH (or the terminal's width, if narrower)."""
    for part in parts:
        if isinstance(part, Table):
            part.expand = True
    return Constrain(Group(*parts), REPORT_WIDTH)


def compact_table(first_header: str | Text, **options) -> Table:
    """A table as the summary draws them: a rule under the header, one space between columns, no edges."""
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, padding=(0, 1), **options
    )
    table.add_column(first_header, ratio=1, min_width=14, overflow="fold")
    return table


def render_compare(compare: CompareResult) -> RenderableType:
    """Runs side by side with paired differences against the first run, then where they disagree most."""
    runs = compare["runs"]
    parts: list[RenderableType] = []
    names = [run["name"] for run in runs]
    heading = Text("Comparison ", style="bold")
    heading.append(Text(" vs ".join(names)))
    heading.append("  (Δ: paired bootstrap, 95% CI)", style="dim")
    parts.append(heading)
    parts.append(compare_sentences(compare))
    parts.append(_compare_table(runs, names, compare["differences"]))
    parts.append(compare_cost_table(runs))
    if compare["disagreements"]:
        parts += [Text(""), _disagreement_table(compare["disagreements"], names)]
    return one_width(parts)


def _heading(results: Results) -> Text:
    provenance = results["provenance"]
    text = Text("Evaluation ", style="bold")
    text.append(Text(results["name"], style="bold"))
    text.append(f"  n={results['n']}")
    details = [
        ("model", provenance["model"]),
        ("adapter", provenance["adapter"]),
        ("split", provenance["split"]),
    ]
    for label, value in details:
        if value:
            text.append(f"  {label}=", style="dim")
            text.append(Text(str(value)))
    return text


def _metrics_tables(
    results: Results, predictions: Sequence[PredictionRecord] | None = None
) -> list[RenderableType]:
    """One table per metric group (its name heads the first column), with only the baselines that
    report a metric of that group, then one legend for the short baseline names."""
    metrics, baselines = results["metrics"], results["baselines"]
    currency = results_currency(results, predictions)
    parts: list[RenderableType] = []
    used: dict[str, str] = {}
    for group, names in grouped_metric_names(shown_metric_names(metrics)):
        relevant = [
            key for key, baseline in baselines.items() if any(name in baseline["metrics"] for name in names)
        ]
        table = compact_table(Text(group, style="bold"))
        table.add_column("model", justify="right", no_wrap=True)
        table.add_column("95% CI", justify="right", no_wrap=True)
        table.add_column("n", justify="right", no_wrap=True)
        for key in relevant:
            header = FLOOR_HEADER if key in FLOOR_BASELINES else baseline_short_name(key, baselines[key])
            used[header] = baselines[key]["label"] or key
            # two short lines ("train" over "median"): the column is as wide as its numbers
            table.add_column(Text(header.replace(" ", "\n", 1)), justify="right", no_wrap=True)
        for name in names:
            metric = metrics[name]
            kind = metric_kind(name)
            label = _without_group(metric["label"] or name, group)
            if name.endswith(UNPARSED_SUFFIX) and name.removesuffix(UNPARSED_SUFFIX) in names:
                label = "↳ unparsed = miss"  # the row above, counting unparsed answers as misses
            row: list[RenderableType] = [
                Text(label),
                Text(format_value(metric["value"], kind, currency), style="bold"),
                Text(format_interval(metric["ci_low"], metric["ci_high"], kind), style="dim"),
                str(metric["n"]),
            ]
            for key in relevant:
                other = baselines[key]["metrics"].get(name)  # a baseline reports only its metrics
                if key in FLOOR_BASELINES:
                    row.append(_floor_cell(metric, other, kind, currency))
                else:
                    row.append(_baseline_cell(metric, other, kind))
            table.add_row(*row)
        parts += [Text(""), table]
    if used:
        notes = [
            f"{short}: the gap left to the {label[:1].lower()}{label[1:]}, which no model can beat"
            if short == FLOOR_HEADER
            else f"{short}: {label}"
            for short, label in used.items()
        ]
        legend = Text("▲/▼: better/worse than the baseline on the same samples; ", style="dim")
        legend.append(Text("; ".join(notes), style="dim"))
        parts.append(legend)
    return parts


def _without_group(label: str, group: str) -> str:
    """`Price MAE` under the Price header reads `MAE`; `Category3 accuracy` keeps its level."""
    prefix = f"{group} "
    return label[len(prefix) :] if label.startswith(prefix) and len(label) > len(prefix) else label


def _floor_cell(metric: MetricValue, floor: MetricValue | None, kind: MetricKind, currency: str) -> Text:
    if floor is None:
        return Text("—", style="dim")
    gap = format_gap(metric["value"], floor["value"], kind, metric["higher_is_better"], currency)
    return Text(gap.replace(" to the floor", "").replace(" past the floor", " past") or "n/a")


def _baseline_cell(metric: MetricValue, baseline: MetricValue | None, kind: MetricKind) -> Text:
    if baseline is None:
        return Text("—", style="dim")
    direction = compare_direction(metric["value"], baseline["value"], metric["higher_is_better"])
    mark, style = DIRECTION_MARKS[direction]
    text = Text(format_value(baseline["value"], kind))
    if mark:
        text.append(f" {mark}", style=style)
    return text


def _category_table(per_category: Mapping[str, CategoryRow]) -> Table:
    table = compact_table(Text("Category3", style="bold"))
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("accuracy", justify="right", no_wrap=True)
    table.add_column("", width=20, no_wrap=True)
    table.add_column("price MdAPE", justify="right", no_wrap=True)
    ordered = sorted(per_category.items(), key=lambda item: (-item[1]["n"], item[0]))
    for category, row in ordered:
        accuracy = row["accuracy"]
        table.add_row(
            Text(category),
            str(row["n"]),
            format_value(accuracy, "percent"),
            _bar(accuracy, 20),
            format_value(row["price_mdape"], "percent"),
        )
    return table


def _bar(fraction: float | None, width: int) -> Text:
    if fraction is None:
        return Text("")
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest].strip()
    return Text("█" * full + partial, style="cyan")


def _verdict_text(verdict: FieldVerdict) -> Text:
    return Text(str(verdict), style=LEVEL_STYLES[verdict.level])


def _worst_table(predictions: Sequence[PredictionRecord]) -> Table:
    """Each example in three lines: the verdicts, the reference, the answer (its fields when parsed)."""
    table = compact_table("id", title="Worst examples", title_justify="left", title_style="bold")
    table.columns[0].ratio = None
    table.columns[0].no_wrap = True
    table.add_column("title · category · price / reference / answer", ratio=1, overflow="fold")
    for record in worst_records(predictions, WORST_EXAMPLES, max_unparsed=WORST_UNPARSED):
        verdicts = field_verdicts(record)
        lines = Text()
        for number, verdict in enumerate(verdicts.values()):
            if number:
                lines.append(" · ", style="dim")
            lines.append(_verdict_text(verdict))
        lines.append("\nref ", style="dim")
        lines.append(Text(_reference_line(record["reference"])))
        lines.append("\ngen ", style="dim")
        lines.append(Text(_answer_line(record)))
        table.add_row(Text(record["id"]), lines)
    return table


def _reference_line(reference: Reference) -> str:
    price_text = format_price(reference["price"], reference["currency"])
    return f"{reference['title']} / {reference['category3']} / {price_text}"


def _answer_line(record: PredictionRecord) -> str:
    """The parsed fields laid out like the reference line; the raw answer when it did not parse."""
    parsed = record["parsed"]
    if record["parse_error"] or all(value is None for value in parsed.values()):
        return _shorten(record["generated"], GENERATED_WIDTH)
    price = parsed["price"]
    currency = record["reference"]["currency"]
    return (
        f"{parsed['title'] or '—'} / {parsed['category'] or '—'} / "
        f"{'—' if price is None else format_price(price, currency)}"
    )


def _shorten(text: str, width: int = ANSWER_WIDTH) -> str:
    text = " ".join(text.split())
    if not text:
        return "(empty answer)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _compare_table(
    runs: Sequence[Results], names: list[str], differences: Mapping[str, Sequence[Difference]]
) -> Table:
    table = compact_table("Metric", title="Metrics", title_justify="left", title_style="bold")
    for number, name in enumerate(names):
        table.add_column(Text(name), justify="right", style="bold" if number == 0 else "")
        if number:
            table.add_column(Text(f"Δ vs {names[0]}"), justify="right")
    first_metrics = runs[0]["metrics"] if runs else {}
    hidden = set.intersection(*(redundant_metric_names(run["metrics"]) for run in runs)) if runs else set()
    shown = [name for name in first_metrics if name not in hidden]
    for group_number, (_, metric_names) in enumerate(grouped_metric_names(shown)):
        if group_number:
            table.add_section()
        for metric_name in metric_names:
            kind = metric_kind(metric_name)
            higher = first_metrics[metric_name]["higher_is_better"]
            by_run = {d["vs"]: d for d in differences.get(metric_name, [])}
            label = first_metrics[metric_name]["label"] or metric_name
            if (
                metric_name.endswith(UNPARSED_SUFFIX)
                and metric_name.removesuffix(UNPARSED_SUFFIX) in metric_names
            ):
                label = "↳ unparsed = miss"
            row: list[RenderableType] = [Text(label)]
            for number, (name, run) in enumerate(zip(names, runs, strict=True)):
                metric = run["metrics"].get(metric_name)
                value = None if metric is None else metric["value"]
                row.append(format_value(value, kind, results_currency(run)))
                if number:
                    row.append(_delta_cell(by_run.get(name), kind, higher))
            table.add_row(*row)
    table.caption = (
        "Δ: paired difference on shared samples with its 95% CI; ▲/▼ only where significant after Holm "
        "correction; = no difference"
    )
    table.caption_justify = "left"
    return table


def _delta_cell(difference: Difference | None, kind: MetricKind, higher_is_better: bool) -> Text:
    if difference is None:
        return Text("—", style="dim")
    verdict = difference_verdict(
        difference["delta"],
        difference["ci_low"],
        difference["ci_high"],
        higher_is_better,
        difference.get("significant"),  # the paired tests are NotRequired
        difference.get("identical"),
    )
    word, style = VERDICT_WORDS[verdict]
    text = Text(format_delta(difference["delta"], kind))
    interval = format_delta_interval(difference["ci_low"], difference["ci_high"], kind)
    if interval:
        text.append(f" {interval}", style="dim")
    text.append(f" {word.split()[0]}", style=style)
    return text


def _disagreement_table(disagreements: Sequence[Disagreement], names: list[str]) -> Table:
    table = compact_table(
        "id", title="Where the runs disagree most", title_justify="left", title_style="bold"
    )
    table.columns[0].ratio, table.columns[0].no_wrap, table.columns[0].min_width = None, True, None
    table.add_column("Reference")
    for name in names:
        table.add_column(Text(name))
    for item in disagreements[:WORST_EXAMPLES]:
        answers = item["answers"]
        row: list[RenderableType] = [Text(item["id"]), Text(_reference_line(item["reference"]))]
        for name in names:
            answer = answers.get(name)  # a run that did not score this sample has no answer
            if answer is None:
                row.append(Text("—", style="dim"))
                continue
            cell = Text(_shorten(answer["generated"], 40))
            for _number, (field, verdict) in enumerate(field_verdicts(answer).items()):
                cell.append("\n")  # one verdict a line: a narrow column never splits one
                cell.append(f"{field} ", style="dim")
                cell.append(_verdict_text(verdict))
            row.append(cell)
        table.add_row(*row)
    return table
