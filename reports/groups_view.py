"""Seen vs unseen attribute combinations and accuracy per visual attribute, for the terminal and HTML.

Renders results.json's `combinations` (sets made with `sample-gen --holdout`) and `attributes`
(synthetic sets); both come from evaluate/groups.py. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from markupsafe import Markup
from productlens.core.results_schema import CombinationBreakdown, Gap, GroupMetrics, MetricValue, Results
from productlens.reports.metric_format import format_interval, format_value, metric_kind
from productlens.reports.templating import render
from rich import box
from rich.table import Table
from rich.text import Text

KEY_METRICS = (
    "parse_rate",
    "category3_accuracy",
    "price_mdape",
    "title_f1",
    "colour_word_accuracy",
    "material_word_accuracy",
    "pattern_word_accuracy",
    "hardware_word_accuracy",
    "size_word_accuracy",
)


def _value(metric: MetricValue | None, name: str, interval: bool = True) -> str:
    if not metric:
        return "—"
    kind = metric_kind(name)
    text = format_value(metric["value"], kind)
    ci = format_interval(metric["ci_low"], metric["ci_high"], kind) if interval else ""
    return f"{text} {ci}" if ci else text


def _gap(gap: Gap | None, name: str) -> str:
    if not gap or gap["delta"] is None:
        return ""
    scale, unit = (100, " pp") if metric_kind(name) == "percent" else (1, "")
    text = f"{gap['delta'] * scale:+.1f}{unit}" if scale == 100 else f"{gap['delta']:+.3f}"
    if gap["ci_low"] is not None and gap["ci_high"] is not None:
        low, high = gap["ci_low"] * scale, gap["ci_high"] * scale
        text += f" [{low:+.1f}, {high:+.1f}]" if scale == 100 else f" [{low:+.3f}, {high:+.3f}]"
    return text


Row = tuple[str, str, MetricValue | None, MetricValue | None, Gap | None]


def _metrics(group: GroupMetrics | None) -> dict[str, MetricValue]:
    return {} if group is None else group["metrics"]


def _n(group: GroupMetrics | None) -> int:
    return 0 if group is None else group["n"]


def _rows(combinations: CombinationBreakdown, names: list[str]) -> Iterator[Row]:
    seen, unseen = _metrics(combinations["seen"]), _metrics(combinations["unseen"])
    for name in names:
        metric = seen.get(name) or unseen.get(name)
        label = (metric["label"] if metric else "") or name
        yield name, label, seen.get(name), unseen.get(name), combinations["gap"].get(name)


def combinations_table(results: Results) -> Table | None:
    """Key metrics on seen and unseen combinations with the gap seen - unseen (terminal, 80 columns)."""
    if "combinations" not in results:
        return None
    combinations = results["combinations"]
    seen_group, unseen_group = combinations["seen"], combinations["unseen"]
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"Attribute combinations: seen in training (n {_n(seen_group)}) vs held out "
        f"(n {_n(unseen_group)})",
        title_justify="left",
    )
    table.add_column("Metric", ratio=1)
    table.add_column("Seen", justify="right")
    table.add_column("Unseen", justify="right")
    table.add_column("Gap [95% CI]", justify="right")
    present = set(_metrics(seen_group)) | set(_metrics(unseen_group))
    for name, label, seen, unseen, gap in _rows(combinations, [m for m in KEY_METRICS if m in present]):
        table.add_row(Text(label), _value(seen, name, False), _value(unseen, name, False), _gap(gap, name))
    table.caption = "gap: seen - unseen; a model that reads attributes has a gap near 0"
    table.caption_justify = "left"
    return table


def attributes_table(results: Results) -> Table | None:
    """Per visual attribute: how often the title names it right, and its weakest value (terminal)."""
    attributes = results.get("attributes")  # NotRequired: synthetic sets only
    if not attributes:
        return None
    table = Table(
        box=box.SIMPLE_HEAD, title="Visual attributes named right in the title", title_justify="left"
    )
    table.add_column("Attribute")
    table.add_column("Right [95% CI]", justify="right")
    table.add_column("n", justify="right")
    table.add_column("Weakest value", ratio=1)
    for attribute in attributes.values():
        overall = attribute["overall"]
        table.add_row(
            Text(attribute["label"]),
            _value(overall, "accuracy"),
            str(overall["n"]),
            Text(_weakest(attribute["by_value"])),
        )
    return table


def _weakest(by_value: Mapping[str, MetricValue]) -> str:
    scored = [(m["value"], value, m["n"]) for value, m in by_value.items() if m["value"] is not None]
    if not scored:
        return ""
    accuracy, value, n = min(scored)
    return f"{value} {format_value(accuracy, 'percent')} (n {n})"


def combinations_section_body(results: Results) -> Markup:
    """Every metric on seen and unseen combinations, with the gap of the key ones (HTML)."""
    if "combinations" not in results:
        return Markup("")
    combinations = results["combinations"]
    names = list(dict.fromkeys([*_metrics(combinations["seen"]), *_metrics(combinations["unseen"])]))
    names.sort(
        key=lambda name: (name not in KEY_METRICS, KEY_METRICS.index(name) if name in KEY_METRICS else 0)
    )
    rows = [
        (label, name, _value(seen, name), _value(unseen, name), _gap(gap, name))
        for name, label, seen, unseen, gap in _rows(combinations, names)
    ]
    return render(
        "combinations.html.j2",
        rows=rows,
        seen_n=_n(combinations["seen"]),
        unseen_n=_n(combinations["unseen"]),
    )


def attributes_section_body(results: Results) -> Markup:
    """One table per attribute: overall, then each value with its interval (HTML)."""
    attributes = results.get("attributes")  # NotRequired: synthetic sets only
    if not attributes:
        return Markup("")
    groups = [
        (
            (attribute["label"], _value(attribute["overall"], "accuracy"), attribute["overall"]["n"]),
            [
                (value, _value(metric, "accuracy"), metric["n"])
                for value, metric in attribute["by_value"].items()
            ],
        )
        for attribute in attributes.values()
    ]
    return render("attributes.html.j2", groups=groups)
