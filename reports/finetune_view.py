"""Rich tables for `finetune`: the --dry-run plan and the summary at the end of a run.

They take plain data (`TrainingPlan.to_dict()`, the run record of run.json) and compute nothing of their own;
ids and paths go in as `Text`, never as Rich markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.core.run_json import RunRecord
from rich.table import Table
from rich.text import Text


def summary_table(record: RunRecord) -> Table:
    """The final summary: where the run is, what trained, loss and validation."""
    table = Table(title="finetune: done", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    config = record["config"]
    table.add_row("run directory", Text(str(config["output"])))
    table.add_row("model", Text(f"{record['base_model']} ({record['method']}, vision {config['vision']})"))
    table.add_row(
        "parameters", f"{record['parameters']['trainable']:,} trainable of {record['parameters']['total']:,}"
    )
    table.add_row("data", Text(f"{record['data']}: {record['train_samples']} training samples"))
    lengths = record.get("token_lengths") or {}
    if lengths.get("skipped"):
        skipped = ", ".join(str(row["product_code"]) for row in lengths["over"][:4])
        more = f" and {len(lengths['over']) - 4:,} more" if len(lengths["over"]) > 4 else ""
        table.add_row(
            "skipped",
            Text(f"{len(lengths['over']):,} rows over {lengths['max_length']:,} tokens: {skipped}{more}"),
        )
    table.add_row(
        "steps",
        Text(
            f"{record['global_step']}"
            + (f" (resumed from {record['resumed_from']})" if record["resumed_from"] else "")
        ),
    )
    losses = record["loss_history"]
    if losses:
        table.add_row("loss", f"{losses[0]['loss']:.4f} -> {losses[-1]['loss']:.4f}")
    if record["eval_history"]:
        last = record["eval_history"][-1]
        price = last.get("val_price_mdape")
        table.add_row(
            f"validation (n {int(last['val_n'])})",
            f"parse {last['val_parse_rate']:.0%}, category3 {last['val_category3_accuracy']:.0%}, "
            + (f"price MdAPE {price:.1f}%" if price is not None else "no price parsed"),
        )
    check = record.get("image_check")
    if check:
        table.add_row("image check", image_check_text(check))
    speed = record.get("train_samples_per_second")
    table.add_row("time", f"{record['wall_s']:.0f} s" + (f" ({speed:.2f} samples/s)" if speed else ""))
    written = [
        "adapter/" if record["adapter"] else None,
        "merged/" if record["merged"] else None,
        "processor/",
        "checkpoints/",
        "run.json",
        "README.md",
    ]
    table.add_row("written", ", ".join(w for w in written if w))
    return table


def image_check_text(check: Mapping[str, Any]) -> Text:
    """The blank-image check in words: green when the photo matters, a red warning when it does not."""
    if check.get("warning"):
        return Text(f"WARNING: {check['warning']}", style="bold red")
    return Text(
        f"reads the photo: category3 {check['category3_accuracy']:.0%} with it, "
        f"{check['blank_category3_accuracy']:.0%} with a blank image (difference "
        f"{check['difference'] * 100:.0f} points [{check['ci_low'] * 100:.0f}, {check['ci_high'] * 100:.0f}], "
        f"n {check['n']})",
        style="green",
    )


def plan_table(plan: Mapping[str, Any], machine: str = "gpu") -> Table:
    """The dry-run plan: parameters, tokens, memory by part, and whether it fits.

    machine: "gpu" (the estimate for a GPU of plan.gpu_memory), "cpu" (the run trains on this CPU: memory
    is RAM, no CUDA overhead, no GPU to fit), "no-gpu" (a GPU estimate made on a machine without one).
    `plan` is `TrainingPlan.to_dict()`: sizes in GB, the derived totals included.
    """
    table = Table(title=Text(f"finetune --dry-run: {plan['model']}"), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column()
    p = plan["parameters"]
    table.add_row("parameters", f"{plan['base_parameters']:,}", "model")
    if p["total"] > plan["base_parameters"]:
        table.add_row("", f"{p['total'] - plan['base_parameters']:,}", "LoRA adapters")
    table.add_row(
        "",
        f"{p['trainable']:,}",
        f"trainable ({plan['method']}, vision {plan['vision']}, {p['trainable'] / p['total']:.2%})",
    )
    tokens = plan["tokens"]
    table.add_row(
        "tokens / sample",
        f"{tokens['total']:,}",
        f"{tokens['image']:,} image (num_crops {plan['num_crops']}) + {tokens['text']} text; {plan['tokens_source']}",
    )
    if plan["lengths"] is not None:
        add_length_rows(table, plan["lengths"], plan["on_long"])
    m = plan["memory_gb"]
    for name, value in (
        ("weights", m["weights"]),
        ("adapters", m["adapters"]),
        ("gradients", m["gradients"]),
        ("optimizer (AdamW)", m["optimizer"]),
    ):
        table.add_row(name, f"{value:.2f} GB", "")
    table.add_row(
        "activations",
        f"{m['activations']:.2f} GB",
        f"batch {plan['batch_size']} x {plan['activations_per_sample_gb']:.2f} GB"
        + (", checkpointing" if plan["gradient_checkpointing"] else ", no checkpointing"),
    )
    if machine == "cpu":
        table.add_row(
            "total",
            f"{m['total'] - m['overhead']:.2f} GB",
            f"of RAM, training on this CPU in {plan['precision']} (no GPU here: --gpu-memory does not apply)",
        )
        return table
    table.add_row("CUDA overhead", f"{m['overhead']:.2f} GB", "")
    if machine == "no-gpu":
        table.add_row(
            "machine", "", f"no GPU here: the estimate is for one GPU of {plan['gpu_memory_gb']:.0f} GB"
        )
    verdict = "fits" if plan["fits"] else "does NOT fit"
    table.add_row(
        "total",
        f"{m['total']:.1f} GB",
        f"{verdict} in {plan['gpu_memory_gb']:.0f} GB ({plan['precision']}); largest batch that fits: "
        f"{plan['max_batch_size']}",
    )
    return table


def add_length_rows(table: Table, lengths: Mapping[str, Any], on_long: str) -> None:
    """The dry-run's length rows: the longest training row, the limit and the rows above it (ids as Text)."""
    table.add_row(
        "longest row",
        f"{lengths['longest']:,}",
        Text(f"tokens: {lengths['longest_id']} (all {lengths['rows']:,} rows counted)"),
    )
    table.add_row("max length", f"{lengths['max_length']:,}", Text(lengths["limit_source"]))
    if lengths["over"]:
        action = "skipped (--on-long skip)" if on_long == "skip" else "training stops (--on-long error)"
        table.add_row(
            "over the limit", f"{len(lengths['over']):,}", Text(f"{action}: {lengths['over_text']}")
        )
    else:
        table.add_row("over the limit", "0", "every row fits")
