"""What a run writes about itself besides weights: the model card README.md."""

from __future__ import annotations

from typing import Any

from productlens.core.run_json import RunRecord


def _last(history: list[dict[str, float]], key: str) -> Any:
    values = [entry[key] for entry in history if key in entry]
    return values[-1] if values else None


def model_card(record: RunRecord) -> str:
    """A short model card: what was trained on what, how, the last validation figures, how to load it."""
    config = record["config"]
    evals = record["eval_history"]
    base = record["base_model"]
    header = "\n".join(
        [
            "---",
            "library_name: peft" if record["adapter"] else "library_name: transformers",
            f"base_model: {base}",
            "tags: [productlens, phi-3-vision, "
            + ("lora" if record["adapter"] else "full-fine-tuning")
            + "]",
            "---",
        ]
    )
    lines = [
        header,
        "",
        f"# {config['output']}",
        "",
        f"Phi-3-Vision (`{base}`) fine-tuned by productlens ({record['method']}) to answer, from a product photo,",
        "`Product: <title>, Category: <category3>, Full Price: <price>`.",
        "",
        "| | |",
        "|---|---|",
        f"| data | `{record['data']}` (fingerprint `{record['data_fingerprint']}`) |",
        f"| samples / steps | {record['train_samples']} / {record['global_step']} |",
        f"| method | {record['method']}"
        + (f", r {config['lora_r']}, alpha {config['lora_alpha']}" if record["adapter"] else "")
        + " |",
        f"| vision side | {config['vision']} |",
        f"| num_crops | {config['num_crops']} |",
        f"| learning rate | {config['learning_rate']} ({config['scheduler']}) |",
        f"| precision | {record['precision']} on {record['world_size']} process(es) |",
        f"| final train loss | {_last(record['loss_history'], 'loss')} |",
    ]
    if evals:
        last = evals[-1]
        lines.append(
            f"| validation (step {last['step']}, n {int(last['val_n'])}) | parse rate {last['val_parse_rate']:.2f}, "
            f"category3 accuracy {last['val_category3_accuracy']:.2f}, "
            f"price MdAPE {last.get('val_price_mdape', float('nan')):.1f}% |"
        )
    lines += [
        "",
        "## Load",
        "",
        "```python",
        "from productlens.finetune.trained import load_run",
        "",
        f'model, processor = load_run("{config["output"]}")',
        "```",
        "",
        "Scores with confidence intervals: `evaluate --run " + str(config["output"]) + "`.",
        "",
    ]
    return "\n".join(lines)
