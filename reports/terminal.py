"""Rich renderables for an evaluation (render_summary) and a comparison of evaluations (render_compare).

Every verdict is written as a symbol and a word as well as a colour, so the tables read the same
under NO_COLOR, in a log file or piped to another program. Data text (titles, answers, categories)
goes in as `Text`, never as console markup, so a title like "[bold]" prints as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from productlens.reports.ablation_view import ablation_renderable
from productlens.reports.compare_stats_terminal import compare_cost_table, compare_sentences
from productlens.reports.groups_view import attributes_table, combinations_table
from productlens.reports.metric_format import (
    compare_direction,
    difference_verdict,
    format_delta,
    format_delta_interval,
    format_interval,
    format_value,
    grouped_metric_names,
    metric_kind,
)
from productlens.reports.sample_view import field_verdicts, worst_records
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

WORST_EXAMPLES = 8
WORST_UNPARSED = 2  # unparsed answers are counted by the parse rate; show a few, then the worst parsed
ANSWER_WIDTH = 60
GENERATED_WIDTH = 140
LEVEL_STYLES = {"good": "green", "partial": "yellow", "bad": "red", "missing": "magenta"}
DIRECTION_MARKS = {"better": ("▲", "green"), "worse": ("▼", "red"), "same": ("=", ""), "unknown": ("", "")}
VERDICT_WORDS = {
    "better": ("▲ better", "green"),
    "worse": ("▼ worse", "red"),
    "unclear": ("≈ unclear", "yellow"),
    "unknown": ("n/a", "dim"),
    "same": ("= same", "dim"),
}


def render_summary(
    results: Mapping[str, Any], predictions: Sequence[Mapping[str, Any]] | None = None
) -> RenderableType:
    """The evaluation at a glance: metrics with 95 % CIs beside the baselines, accuracy per category
    and, when `predictions` are given, the worst examples."""
    parts: list[RenderableType] = [_heading(results), *_metrics_tables(results)]
    parts[1:1] = [p for p in (ablation_renderable(results),) if p is not None]  # the image check first
    if results.get("per_category"):
        parts.append(_category_table(results["per_category"]))
    parts += [t for t in (combinations_table(results), attributes_table(results)) if t is not None]
    if predictions:
        parts.append(_worst_table(predictions))
    return Group(*parts)


def render_compare(compare: Mapping[str, Any]) -> RenderableType:
    """Runs side by side with paired differences against the first run, then where they disagree most."""
    runs = compare.get("runs") or []
    parts: list[RenderableType] = []
    names = [str(run.get("name", f"run {i}")) for i, run in enumerate(runs)]
    heading = Text("Comparison ", style="bold")
    heading.append(Text(" vs ".join(names)))
    heading.append("  (Δ: paired bootstrap, 95% CI)", style="dim")
    parts.append(heading)
    parts.append(compare_sentences(compare))
    parts.append(_compare_table(runs, names, compare.get("differences") or {}))
    parts.append(compare_cost_table(runs))
    if compare.get("disagreements"):
        parts.append(_disagreement_table(compare["disagreements"], names))
    return Group(*parts)


def _heading(results: Mapping[str, Any]) -> Text:
    provenance = results.get("provenance") or {}
    text = Text("Evaluation ", style="bold")
    text.append(Text(str(results.get("name", "")), style="bold"))
    text.append(f"  n={results.get('n', '?')}")
    details = [
        ("model", provenance.get("model")),
        ("adapter", provenance.get("adapter")),
        ("split", provenance.get("split")),
    ]
    for label, value in details:
        if value:
            text.append(f"  {label}=", style="dim")
            text.append(Text(str(value)))
    return text


def _metrics_tables(results: Mapping[str, Any]) -> list[Table]:
    """One table per metric group, with only the baselines that report a metric of that group."""
    metrics = results.get("metrics") or {}
    baselines = results.get("baselines") or {}
    tables = []
    for group, names in grouped_metric_names(list(metrics)):
        relevant = [
            baseline
            for baseline in baselines.values()
            if any(name in (baseline.get("metrics") or {}) for name in names)
        ]
        table = Table(box=box.SIMPLE_HEAD, title=f"{group} (95% bootstrap CI)", title_justify="left")
        table.add_column("Metric", ratio=1, min_width=16)
        table.add_column("Model [95% CI]", justify="right", no_wrap=True)
        table.add_column("n", justify="right")
        for baseline in relevant:
            table.add_column(Text(str(baseline.get("label", ""))), justify="right", max_width=12)
        for name in names:
            metric = metrics[name]
            kind = metric_kind(name)
            value = Text(format_value(metric.get("value"), kind), style="bold")
            interval = format_interval(metric.get("ci_low"), metric.get("ci_high"), kind)
            if interval:
                value.append(f" {interval}")
            row: list[RenderableType] = [
                Text(str(metric.get("label") or name)),
                value,
                str(metric.get("n", "")),
            ]
            for baseline in relevant:
                row.append(_baseline_cell(metric, (baseline.get("metrics") or {}).get(name), kind))
            table.add_row(*row)
        if relevant:
            table.caption = "baselines on the same samples; ▲/▼: the model's value is better/worse"
            table.caption_justify = "left"
        tables.append(table)
    return tables


def _baseline_cell(metric: Mapping[str, Any], baseline: Mapping[str, Any] | None, kind) -> Text:
    if baseline is None:
        return Text("—", style="dim")
    direction = compare_direction(
        metric.get("value"), baseline.get("value"), bool(metric.get("higher_is_better", True))
    )
    mark, style = DIRECTION_MARKS[direction]
    text = Text(format_value(baseline.get("value"), kind))
    if mark:
        text.append(f" {mark}", style=style)
    return text


def _category_table(per_category: Mapping[str, Mapping[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Per category", title_justify="left")
    table.add_column("Category")
    table.add_column("n", justify="right")
    table.add_column("Accuracy", justify="right")
    table.add_column("", min_width=20)
    table.add_column("Price median APE", justify="right")
    ordered = sorted(per_category.items(), key=lambda item: (-int(item[1].get("n", 0)), item[0]))
    for category, row in ordered:
        accuracy = row.get("accuracy")
        table.add_row(
            Text(str(category)),
            str(row.get("n", "")),
            format_value(accuracy, "percent"),
            _bar(accuracy, 20),
            format_value(row.get("price_mdape"), "percent"),
        )
    return table


def _bar(fraction: float | None, width: int) -> Text:
    if fraction is None:
        return Text("")
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest].strip()
    return Text("█" * full + partial, style="cyan")


def _verdict_text(verdict) -> Text:
    return Text(str(verdict), style=LEVEL_STYLES[verdict.level])


def _worst_table(predictions: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Worst examples", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("Reference / generated", ratio=1)
    table.add_column("Title", no_wrap=True)
    table.add_column("Category", no_wrap=True)
    table.add_column("Price", no_wrap=True)
    for record in worst_records(predictions, WORST_EXAMPLES, max_unparsed=WORST_UNPARSED):
        verdicts = field_verdicts(record)
        texts = Text("ref ", style="dim")
        texts.append(Text(_reference_line(record.get("reference") or {})))
        texts.append("\ngen ", style="dim")
        texts.append(Text(_shorten(str(record.get("generated", "")), GENERATED_WIDTH)))
        table.add_row(
            Text(str(record.get("id", ""))),
            texts,
            _verdict_text(verdicts["title"]),
            _verdict_text(verdicts["category"]),
            _verdict_text(verdicts["price"]),
        )
    return table


def _reference_line(reference: Mapping[str, Any]) -> str:
    price = reference.get("price")
    price_text = "?" if price is None else f"{price:,.2f}"
    currency = f" {reference['currency']}" if reference.get("currency") else ""
    return f"{reference.get('title', '')} / {reference.get('category3', '')} / {price_text}{currency}"


def _shorten(text: str, width: int = ANSWER_WIDTH) -> str:
    text = " ".join(text.split())
    if not text:
        return "(empty answer)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _compare_table(runs: Sequence[Mapping[str, Any]], names: list[str], differences: Mapping) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Metrics", title_justify="left")
    table.add_column("Metric")
    for number, name in enumerate(names):
        table.add_column(Text(name), justify="right", style="bold" if number == 0 else "")
        if number:
            table.add_column(Text(f"Δ vs {names[0]}"), justify="right")
    first_metrics = runs[0].get("metrics") or {} if runs else {}
    for group_number, (_, metric_names) in enumerate(grouped_metric_names(list(first_metrics))):
        if group_number:
            table.add_section()
        for metric_name in metric_names:
            kind = metric_kind(metric_name)
            higher = bool(first_metrics[metric_name].get("higher_is_better", True))
            by_run = {d.get("vs"): d for d in differences.get(metric_name) or []}
            row: list[RenderableType] = [Text(str(first_metrics[metric_name].get("label") or metric_name))]
            for number, (name, run) in enumerate(zip(names, runs, strict=True)):
                metric = (run.get("metrics") or {}).get(metric_name) or {}
                row.append(format_value(metric.get("value"), kind))
                if number:
                    row.append(_delta_cell(by_run.get(name), kind, higher))
            table.add_row(*row)
    table.caption = (
        "Δ: paired difference on shared samples with its 95% CI; ▲/▼ only where significant after Holm "
        "correction; = no difference"
    )
    table.caption_justify = "left"
    return table


def _delta_cell(difference: Mapping[str, Any] | None, kind, higher_is_better: bool) -> Text:
    if difference is None:
        return Text("—", style="dim")
    verdict = difference_verdict(
        difference.get("delta"),
        difference.get("ci_low"),
        difference.get("ci_high"),
        higher_is_better,
        difference.get("significant"),
        difference.get("identical"),
    )
    word, style = VERDICT_WORDS[verdict]
    text = Text(format_delta(difference.get("delta"), kind))
    interval = format_delta_interval(difference.get("ci_low"), difference.get("ci_high"), kind)
    if interval:
        text.append(f" {interval}", style="dim")
    text.append(f" {word.split()[0]}", style=style)
    return text


def _disagreement_table(disagreements: Sequence[Mapping[str, Any]], names: list[str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Where the runs disagree most", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("Reference")
    for name in names:
        table.add_column(Text(name))
    for item in disagreements[:WORST_EXAMPLES]:
        answers = item.get("answers") or {}
        row: list[RenderableType] = [
            Text(str(item.get("id", ""))),
            Text(_reference_line(item.get("reference") or {})),
        ]
        for name in names:
            answer = answers.get(name)
            if answer is None:
                row.append(Text("—", style="dim"))
                continue
            cell = Text(_shorten(str(answer.get("generated", "")), 40))
            for number, (field, verdict) in enumerate(field_verdicts(answer).items()):
                cell.append("\n" if number == 0 else "  ")
                cell.append(f"{field} ", style="dim")
                cell.append(_verdict_text(verdict))
            row.append(cell)
        table.add_row(*row)
    return table
