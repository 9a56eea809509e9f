"""Does the model read the photo? The image-ablation verdict in words, for the terminal and the HTML report.

`ablation_lines` turns results.json's `ablation` into sentences (one home for the wording); the terminal
and HTML renderers below only style them. The verdict is a warning whenever a difference's interval
includes 0: the answers then do not depend on the image shown.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from markupsafe import Markup
from productlens.core.results_schema import Gap, Results
from productlens.reports.metric_format import format_value
from productlens.reports.templating import render
from rich.console import Group, RenderableType
from rich.text import Text

Level = Literal["good", "warning", "unknown"]
TABLE_METRICS = ("parse_rate", "category3_accuracy_all", "price_mdape", "title_f1")


class Verdict(NamedTuple):
    level: Level
    headline: str  # the first sentence
    details: list[str]  # one sentence per further finding


def _points(gap: Gap | None) -> str:
    if gap is None:
        return "difference n/a"
    delta, low, high = gap["delta"], gap["ci_low"], gap["ci_high"]
    if delta is None:
        return "difference n/a"
    text = f"difference {delta * 100:.1f} points"
    if low is not None and high is not None:
        text += f" [{low * 100:.1f}, {high * 100:.1f}]"
    return text


def ablation_verdict(results: Results) -> Verdict | None:
    """The sentences of the ablation check; None when the evaluation ran none."""
    if "ablation" not in results or not results["ablation"]["runs"]:
        return None
    ablation = results["ablation"]
    primary = ablation["primary"]
    real = results["metrics"].get(primary)
    real_text = format_value(None if real is None else real["value"], "percent")
    parts, details = [], []
    for run in ablation["runs"].values():
        ablated = run["metrics"].get(primary)
        value = format_value(None if ablated is None else ablated["value"], "percent")
        parts.append(f"{value} with {run['label']} ({_points(run['differences'].get(primary))})")
        follows = run.get("follows_image")  # NotRequired: the shuffle run only
        if follows is not None and follows["value"] is not None:
            keeps = run.get("keeps_own")
            details.append(
                f"Shown another sample's photo, {format_value(follows['value'], 'percent')} of the answers name "
                f"that photo's category and {format_value(None if keeps is None else keeps['value'], 'percent')} "
                f"their own (n {follows['n']} samples whose shown photo is of another category)."
            )
    figures = f"category3 accuracy {real_text} with the photo, " + ", ".join(parts)
    reads = ablation["reads_image"]
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


def ablation_renderable(results: Results) -> RenderableType | None:
    """The verdict for the terminal: green when the model reads the photo, red when it does not."""
    verdict = ablation_verdict(results)
    if verdict is None:
        return None
    style = {"good": "bold green", "warning": "bold red", "unknown": "bold yellow"}[verdict.level]
    mark = {"good": "✓ ", "warning": "✗ ", "unknown": "? "}[verdict.level]
    lines: list[RenderableType] = [Text(mark + verdict.headline, style=style)]
    lines += [Text("  " + detail) for detail in verdict.details]
    return Group(*lines)


def ablation_section_body(results: Results) -> Markup:
    """The HTML verdict box and a table: each metric with the photo, with each ablation, and the difference."""
    verdict = ablation_verdict(results)
    if verdict is None or "ablation" not in results:
        return Markup("")
    metrics, runs = results["metrics"], results["ablation"]["runs"]
    rows = []
    for name in TABLE_METRICS:
        if name not in metrics:
            continue
        kind = "score" if name == "title_f1" else "percent"
        cells = [format_value(metrics[name]["value"], kind)]
        for run in runs.values():
            ablated = run["metrics"].get(name)
            cells.append(format_value(None if ablated is None else ablated["value"], kind))
            cells.append(_gap_text(run["differences"].get(name), kind))
        rows.append((metrics[name]["label"] or name, cells))
    return render(
        "ablation.html.j2",
        css=Markup(ABLATION_CSS),
        verdict=verdict,
        run_labels=[run["label"] for run in runs.values()],
        rows=rows,
    )


def _gap_text(gap: Gap | None, kind: str) -> str:
    if gap is None or gap["delta"] is None:
        return "n/a"
    delta, low, high = gap["delta"], gap["ci_low"], gap["ci_high"]
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
