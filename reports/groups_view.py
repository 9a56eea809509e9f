"""Seen vs unseen attribute combinations and accuracy per visual attribute, for the terminal and HTML.

Renders results.json's `combinations` (sets made with `sample-gen --holdout`) and `attributes`
(synthetic sets); both come from evaluate/groups.py. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.reports.html_page import esc
from productlens.reports.metric_format import format_interval, format_value, metric_kind
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


def _value(metric: Mapping[str, Any] | None, name: str, interval: bool = True) -> str:
    if not metric:
        return "—"
    kind = metric_kind(name)
    text = format_value(metric.get("value"), kind)
    ci = format_interval(metric.get("ci_low"), metric.get("ci_high"), kind) if interval else ""
    return f"{text} {ci}" if ci else text


def _gap(gap: Mapping[str, Any] | None, name: str) -> str:
    if not gap or gap.get("delta") is None:
        return ""
    scale, unit = (100, " pp") if metric_kind(name) == "percent" else (1, "")
    text = f"{gap['delta'] * scale:+.1f}{unit}" if scale == 100 else f"{gap['delta']:+.3f}"
    if gap.get("ci_low") is not None and gap.get("ci_high") is not None:
        low, high = gap["ci_low"] * scale, gap["ci_high"] * scale
        text += f" [{low:+.1f}, {high:+.1f}]" if scale == 100 else f" [{low:+.3f}, {high:+.3f}]"
    return text


def _rows(combinations: Mapping[str, Any], names: list[str]):
    seen = (combinations.get("seen") or {}).get("metrics") or {}
    unseen = (combinations.get("unseen") or {}).get("metrics") or {}
    gaps = combinations.get("gap") or {}
    for name in names:
        label = (seen.get(name) or unseen.get(name) or {}).get("label") or name
        yield name, label, seen.get(name), unseen.get(name), gaps.get(name)


def combinations_table(results: Mapping[str, Any]) -> Table | None:
    """Key metrics on seen and unseen combinations with the gap seen - unseen (terminal, 80 columns)."""
    combinations = results.get("combinations")
    if not combinations:
        return None
    seen_group, unseen_group = combinations.get("seen") or {}, combinations.get("unseen") or {}
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"Attribute combinations: seen in training (n {seen_group.get('n', 0)}) vs held out "
        f"(n {unseen_group.get('n', 0)})",
        title_justify="left",
    )
    table.add_column("Metric", ratio=1)
    table.add_column("Seen", justify="right")
    table.add_column("Unseen", justify="right")
    table.add_column("Gap [95% CI]", justify="right")
    present = set(seen_group.get("metrics") or {}) | set(unseen_group.get("metrics") or {})
    for name, label, seen, unseen, gap in _rows(combinations, [m for m in KEY_METRICS if m in present]):
        table.add_row(Text(label), _value(seen, name, False), _value(unseen, name, False), _gap(gap, name))
    table.caption = "gap: seen - unseen; a model that reads attributes has a gap near 0"
    table.caption_justify = "left"
    return table


def attributes_table(results: Mapping[str, Any]) -> Table | None:
    """Per visual attribute: how often the title names it right, and its weakest value (terminal)."""
    attributes = results.get("attributes")
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
        overall = attribute.get("overall") or {}
        table.add_row(
            Text(str(attribute.get("label", ""))),
            _value(overall, "accuracy"),
            str(overall.get("n", "")),
            Text(_weakest(attribute.get("by_value") or {})),
        )
    return table


def _weakest(by_value: Mapping[str, Mapping[str, Any]]) -> str:
    scored = [
        (m.get("value"), value, m.get("n")) for value, m in by_value.items() if m.get("value") is not None
    ]
    if not scored:
        return ""
    accuracy, value, n = min(scored)
    return f"{value} {format_value(accuracy, 'percent')} (n {n})"


def combinations_section_body(results: Mapping[str, Any]) -> str:
    """Every metric on seen and unseen combinations, with the gap of the key ones (HTML)."""
    combinations = results.get("combinations")
    if not combinations:
        return ""
    names = list(dict.fromkeys([*((combinations.get("seen") or {}).get("metrics") or {}),
                                *((combinations.get("unseen") or {}).get("metrics") or {})]))  # fmt: skip
    names.sort(
        key=lambda name: (name not in KEY_METRICS, KEY_METRICS.index(name) if name in KEY_METRICS else 0)
    )
    rows = "".join(
        f'<tr><td>{esc(label)}<br><code>{esc(name)}</code></td><td class="num">{esc(_value(seen, name))}</td>'
        f'<td class="num">{esc(_value(unseen, name))}</td><td class="num">{esc(_gap(gap, name))}</td></tr>'
        for name, label, seen, unseen, gap in _rows(combinations, names)
    )
    seen_n = (combinations.get("seen") or {}).get("n", 0)
    unseen_n = (combinations.get("unseen") or {}).get("n", 0)
    return (
        '<div class="table-wrap"><table class="combinations"><thead><tr><th>Metric</th>'
        f'<th class="num">seen (n {esc(seen_n)})</th><th class="num">unseen (n {esc(unseen_n)})</th>'
        f'<th class="num">gap seen − unseen [95% CI]</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def attributes_section_body(results: Mapping[str, Any]) -> str:
    """One table per attribute: overall, then each value with its interval (HTML)."""
    attributes = results.get("attributes")
    if not attributes:
        return ""
    rows = []
    for attribute in attributes.values():
        overall = attribute.get("overall") or {}
        rows.append(
            f'<tr class="group"><th>{esc(attribute.get("label", ""))}</th>'
            f'<th class="num">{esc(_value(overall, "accuracy"))}</th><th class="num">{esc(overall.get("n", ""))}</th></tr>'
        )
        for value, metric in (attribute.get("by_value") or {}).items():
            rows.append(
                f'<tr><td>{esc(value)}</td><td class="num">{esc(_value(metric, "accuracy"))}</td>'
                f'<td class="num">{esc(metric.get("n", ""))}</td></tr>'
            )
    return (
        '<div class="table-wrap"><table class="attributes"><thead><tr><th>Attribute / value</th>'
        f'<th class="num">named right [95% CI]</th><th class="num">n</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )
