"""The report's training section: how the evaluated run was trained (run.json, via results.json's
provenance), its loss and validation curves, and the exact prompt the answers came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from markupsafe import Markup
from productlens.core.results_schema import LossPoint, Provenance
from productlens.reports.svg_plots import _new_figure, figure_to_svg, plot_style
from productlens.reports.templating import render

FACTS = (
    ("method", "Method"),
    ("base_model", "Base model"),
    ("data", "Data"),
    ("train_samples", "Training samples"),
    ("global_step", "Steps"),
    ("precision", "Precision"),
    ("train_runtime_s", "Training time"),
    ("resumed_from", "Resumed from"),
)
CONFIG_FACTS = (
    ("learning_rate", "Learning rate"),
    ("scheduler", "Schedule"),
    ("epochs", "Epochs"),
    ("max_steps", "Max steps"),
    ("batch_size", "Batch size"),
    ("grad_accum", "Gradient accumulation"),
    ("num_crops", "Crops per image"),
    ("vision", "Vision tower"),
    ("lora_r", "LoRA rank"),
    ("lora_alpha", "LoRA alpha"),
    ("max_train_samples", "Training rows used"),
)
# Validation scores drawn beside the loss, when the run has them (fractions, shown in %).
VALIDATION_CURVES = (
    ("val_category3_accuracy", "validation category3 accuracy"),
    ("val_parse_rate", "validation parse rate"),
)


def _fact(key: str, value: Any) -> str:
    if key == "train_runtime_s" and isinstance(value, int | float):
        return f"{value / 60:.1f} min ({value:,.0f} s)"
    if key == "learning_rate" and isinstance(value, float):
        return f"{value:g}"
    return str(value)


def training_curves_svg(
    losses: Sequence[LossPoint], evals: Sequence[Mapping[str, float]], narrow: bool = False
) -> Markup:
    """Training loss against step (left axis) and validation scores (right axis, %)."""
    with matplotlib.rc_context(plot_style(narrow)):
        figure = _new_figure(4.2, 4.2) if narrow else _new_figure(7.0, 3.4)
        axes = figure.axes[0]
        if losses:
            axes.plot(
                [p["step"] for p in losses],
                [p["loss"] for p in losses],
                color="#2f5bd3",
                linewidth=1.4,
                label="training loss",
            )
        axes.set_xlabel("step")
        axes.set_ylabel("training loss")
        lines, names = axes.get_legend_handles_labels()
        drawn = [(key, label) for key, label in VALIDATION_CURVES if any(key in e for e in evals)]
        if drawn:
            right = axes.twinx()
            right.grid(False)
            for (key, label), colour in zip(drawn, ("#e07b00", "#1a9e5b"), strict=False):
                points = [(e["step"], e[key] * 100) for e in evals if key in e and e[key] is not None]
                right.plot(
                    [s for s, _ in points],
                    [v for _, v in points],
                    color=colour,
                    marker="o",
                    markersize=4,
                    linewidth=1.2,
                    label=label,
                )
            right.set_ylim(0, 100)
            right.set_ylabel("validation (%)")
            more_lines, more_names = right.get_legend_handles_labels()
            lines, names = lines + more_lines, names + more_names
        if lines:  # below the axes: the curves fill the plot, a legend inside would cover one
            axes.legend(
                lines,
                names,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.24 if narrow else -0.2),
                ncols=1 if narrow else 3,
                fontsize=10 if narrow else 8,
                frameon=False,
            )
        return figure_to_svg(
            figure, "training-narrow" if narrow else "training", "Training loss and validation scores"
        )


def training_body(provenance: Provenance) -> Markup:
    """The facts, the curves and the prompt; only what results.json carries (nothing for a hub model)."""
    training, prompt = provenance.get("training"), provenance.get("prompt")  # both NotRequired
    if training is None and prompt is None:
        return Markup("")
    context: dict[str, Any] = {"training": None, "prompt": prompt}
    if training is not None:
        record: Mapping[str, Any] = training  # the run.json facts are optional keys, read by name
        config = training["config"]
        facts = [(label, record.get(key), key) for key, label in FACTS]
        facts += [(label, config.get(key), key) for key, label in CONFIG_FACTS]
        losses, evals = training["loss_history"], training["eval_history"]
        caption = ""
        if losses or evals:
            caption = f"Training loss at {len(losses)} logged steps"
            if evals:
                images = evals[-1].get("val_n")
                caption += f" and validation scores at {len(evals)} checks" + (
                    f" on {int(images)} images each" if images else ""
                )
        context["training"] = {
            "facts": [(label, _fact(key, value)) for label, value, key in facts if value not in (None, "")],
            "curves": (training_curves_svg(losses, evals), training_curves_svg(losses, evals, narrow=True))
            if caption
            else None,
            "caption": caption,
            "command": training.get("command"),
        }
    return render("training.html.j2", **context)
