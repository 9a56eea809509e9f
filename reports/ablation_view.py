"""Does the model read the photo? The image-ablation verdict in words, for the terminal and the HTML report.

`ablation_lines` turns results.json's `ablation` into sentences (one home for the wording); the terminal
and HTML renderers below only style them. The verdict is a warning whenever a difference's interval
includes 0: the answers then do not depend on the image shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from productlens.reports.html_page import esc
from productlens.reports.metric_format import format_value
from rich.console import Group, RenderableType
from rich.text import Text

Level = Literal["good", "warning", "unknown"]
TABLE_METRICS = ("parse_rate", "category3_accuracy_all", "price_mdape", "title_f1")


class Verdict(NamedTuple):
    level: Level
    headline: str  # the first sentence
    details: list[str]  # one sentence per further finding


def _points(gap: Mapping[str, Any]) -> str:
    delta, low, high = gap.get("delta"), gap.get("ci_low"), gap.get("ci_high")
    if delta is None:
        return "difference n/a"
    text = f"difference {delta * 100:.1f} points"
    if low is not None and high is not None:
        text += f" [{low * 100:.1f}, {high * 100:.1f}]"
    return text


def ablation_verdict(results: Mapping[str, Any]) -> Verdict | None:
    """The sentences of the ablation check; None when the evaluation ran none."""
    ablation = results.get("ablation")
    if not ablation or not ablation.get("runs"):
        return None
    primary = ablation.get("primary", "category3_accuracy_all")
    real = (results.get("metrics") or {}).get(primary) or {}
    runs = ablation["runs"]
    real_text = format_value(real.get("value"), "percent")
    parts, details = [], []
    for kind, run in runs.items():
        ablated = (run.get("metrics") or {}).get(primary) or {}
        gap = (run.get("differences") or {}).get(primary) or {}
        parts.append(
            f"{format_value(ablated.get('value'), 'percent')} with {run.get('label', kind)} ({_points(gap)})"
        )
        follows, keeps = run.get("follows_image"), run.get("keeps_own")
        if follows and follows.get("value") is not None:
            details.append(
                f"Shown another sample's photo, {format_value(follows['value'], 'percent')} of the answers name "
                f"that photo's category and {format_value((keeps or {}).get('value'), 'percent')} their own "
                f"(n {follows.get('n')} samples whose shown photo is of another category)."
            )
    figures = f"category3 accuracy {real_text} with the photo, " + ", ".join(parts)
    reads = ablation.get("reads_image")
    if reads is True:
        return Verdict("good", f"Reads the photo: {figures}.", details)
    if reads is False:
        return Verdict(
            "warning",
            f"Warning: the model's answers do not depend on the image: {figures}. "
            "A difference whose interval includes 0 means the photo changes nothing.",
            details,
        )
    return Verdict("unknown", f"Image check inconclusive (no interval): {figures}.", details)


def ablation_renderable(results: Mapping[str, Any]) -> RenderableType | None:
    """The verdict for the terminal: green when the model reads the photo, red when it does not."""
    verdict = ablation_verdict(results)
    if verdict is None:
        return None
    style = {"good": "bold green", "warning": "bold red", "unknown": "bold yellow"}[verdict.level]
    mark = {"good": "✓ ", "warning": "✗ ", "unknown": "? "}[verdict.level]
    lines: list[RenderableType] = [Text(mark + verdict.headline, style=style)]
    lines += [Text("  " + detail) for detail in verdict.details]
    return Group(*lines)


def ablation_section_body(results: Mapping[str, Any]) -> str:
    """The HTML verdict box and a table: each metric with the photo, with each ablation, and the difference."""
    verdict = ablation_verdict(results)
    if verdict is None:
        return ""
    details = "".join(f"<p>{esc(detail)}</p>" for detail in verdict.details)
    box = f'<div class="ablation {verdict.level}" role="status"><p><strong>{esc(verdict.headline)}</strong></p>{details}</div>'
    return box + _table(results)


def _table(results: Mapping[str, Any]) -> str:
    metrics = results.get("metrics") or {}
    runs = (results.get("ablation") or {}).get("runs") or {}
    head = "".join(
        f'<th class="num">{esc(run.get("label", kind))}</th><th class="num">difference [95% CI]</th>'
        for kind, run in runs.items()
    )
    rows = []
    for name in TABLE_METRICS:
        if name not in metrics:
            continue
        kind_of = "score" if name == "title_f1" else "percent"
        cells = [f'<td class="num">{esc(format_value(metrics[name].get("value"), kind_of))}</td>']
        for run in runs.values():
            ablated = (run.get("metrics") or {}).get(name) or {}
            gap = (run.get("differences") or {}).get(name) or {}
            cells.append(f'<td class="num">{esc(format_value(ablated.get("value"), kind_of))}</td>')
            cells.append(f'<td class="num">{esc(_gap_text(gap, kind_of))}</td>')
        rows.append(f"<tr><td>{esc(metrics[name].get('label') or name)}</td>{''.join(cells)}</tr>")
    return (
        '<div class="table-wrap"><table class="ablation-table"><thead><tr><th>Metric</th>'
        f'<th class="num">with the photo</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def _gap_text(gap: Mapping[str, Any], kind: str) -> str:
    delta, low, high = gap.get("delta"), gap.get("ci_low"), gap.get("ci_high")
    if delta is None:
        return "n/a"
    if kind == "percent":
        text = f"{delta * 100:+.1f} pp"
        return text + (
            f" [{low * 100:+.1f}, {high * 100:+.1f}]" if low is not None and high is not None else ""
        )
    text = f"{delta:+.3f}"
    return text + (f" [{low:+.3f}, {high:+.3f}]" if low is not None and high is not None else "")


ABLATION_CSS = (
    ".ablation{border-radius:10px;padding:12px 16px;margin:0 0 14px;border:1px solid var(--line)}"
    ".ablation p{margin:4px 0}.ablation.good{background:var(--good-bg);color:var(--good)}"
    ".ablation.warning{background:var(--bad-bg);color:var(--bad);border-color:var(--bad)}"
    ".ablation.unknown{background:var(--partial-bg);color:var(--partial)}"
)
