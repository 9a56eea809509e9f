"""The `finetune` command: options -> FinetuneConfig -> run_finetune (or plan_training), rendered with Rich."""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import warnings
from pathlib import Path

import click
from productlens.finetune.config import FinetuneConfig

_FIELDS = {f.name: f for f in dataclasses.fields(FinetuneConfig)}


def _help(name: str) -> str:
    return _FIELDS[name].metadata["help"]


def _choices(*values: str) -> click.Choice:
    return click.Choice(values, case_sensitive=False)


def training_options(command):
    """Every FinetuneConfig field as an option; help text comes from the dataclass."""
    options = [
        click.option(
            "--data",
            type=click.Path(path_type=Path),
            default=Path("data/products"),
            show_default=True,
            help=_help("data"),
        ),
        click.option("--model", default="tiny", show_default=True, help=_help("model")),
        click.option("--output", type=click.Path(path_type=Path), default=None, help=_help("output")),
        click.option("--method", type=_choices("lora", "qlora", "full"), default=None, help=_help("method")),
        click.option("--lora-r", type=int, default=64, show_default=True, help=_help("lora_r")),
        click.option("--lora-alpha", type=int, default=None, help=_help("lora_alpha")),
        click.option(
            "--lora-dropout", type=float, default=0.05, show_default=True, help=_help("lora_dropout")
        ),
        click.option(
            "--vision", type=_choices("frozen", "projector", "clip"), default=None, help=_help("vision")
        ),
        click.option("--num-crops", type=int, default=None, help=_help("num_crops")),
        click.option("--epochs", type=float, default=None, help=_help("epochs")),
        click.option("--max-steps", type=int, default=None, help=_help("max_steps")),
        click.option("--batch-size", type=int, default=8, show_default=True, help=_help("batch_size")),
        click.option("--grad-accum", type=int, default=1, show_default=True, help=_help("grad_accum")),
        click.option(
            "--learning-rate", "--lr", "learning_rate", type=float, default=None, help=_help("learning_rate")
        ),
        click.option(
            "--scheduler",
            type=_choices("cosine", "linear", "constant_with_warmup"),
            default="cosine",
            show_default=True,
            help=_help("scheduler"),
        ),
        click.option(
            "--warmup-ratio", type=float, default=0.03, show_default=True, help=_help("warmup_ratio")
        ),
        click.option(
            "--weight-decay", type=float, default=0.0, show_default=True, help=_help("weight_decay")
        ),
        click.option(
            "--max-grad-norm", type=float, default=1.0, show_default=True, help=_help("max_grad_norm")
        ),
        click.option(
            "--precision",
            type=_choices("auto", "bf16", "fp16", "fp32"),
            default="auto",
            show_default=True,
            help=_help("precision"),
        ),
        click.option(
            "--attn-implementation",
            type=_choices("sdpa", "flash_attention_2", "eager"),
            default="sdpa",
            show_default=True,
            help=_help("attn_implementation"),
        ),
        click.option(
            "--gradient-checkpointing/--no-gradient-checkpointing",
            default=None,
            help=_help("gradient_checkpointing"),
        ),
        click.option("--seed", type=int, default=0, show_default=True, help=_help("seed")),
        click.option("--max-train-samples", type=int, default=None, help=_help("max_train_samples")),
        click.option(
            "--prompt-style",
            type=_choices("chat", "cookbook"),
            default="chat",
            show_default=True,
            help=_help("prompt_style"),
        ),
        click.option("--question", default=None, help=_help("question")),
        click.option("--answer-template", default=None, help=_help("answer_template")),
        click.option("--eval-steps", type=int, default=None, help=_help("eval_steps")),
        click.option("--eval-samples", type=int, default=16, show_default=True, help=_help("eval_samples")),
        click.option(
            "--eval-max-new-tokens",
            type=int,
            default=48,
            show_default=True,
            help=_help("eval_max_new_tokens"),
        ),
        click.option("--save-steps", type=int, default=None, help=_help("save_steps")),
        click.option(
            "--save-total-limit", type=int, default=2, show_default=True, help=_help("save_total_limit")
        ),
        click.option(
            "--save-minutes", type=float, default=5.0, show_default=True, help=_help("save_minutes")
        ),
        click.option("--logging-steps", type=int, default=5, show_default=True, help=_help("logging_steps")),
        click.option(
            "--report-to",
            type=_choices("none", "tensorboard", "wandb"),
            default="none",
            show_default=True,
            help=_help("report_to"),
        ),
        click.option(
            "--resume/--no-resume",
            default=True,
            show_default=True,
            help="Continue from the latest checkpoint in the run directory (default) or refuse to touch an existing run.",
        ),
        click.option(
            "--resume-from",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            default=None,
            help="Continue from this checkpoint directory.",
        ),
        click.option("--overwrite", is_flag=True, help=_help("overwrite")),
        click.option("--merge", is_flag=True, help=_help("merge")),
        click.option(
            "--deepspeed",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help=_help("deepspeed") + " Shipped: finetune/configs/zero2.json, zero3.json.",
        ),
        click.option(
            "--fsdp-config",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help=_help("fsdp_config") + " Shipped: finetune/configs/fsdp.json.",
        ),
        click.option(
            "--dataloader-workers", type=int, default=0, show_default=True, help=_help("dataloader_workers")
        ),
        click.option("--max-length", type=int, default=None, help=_help("max_length")),
        click.option(
            "--on-long",
            type=_choices("skip", "error"),
            default="skip",
            show_default=True,
            help=_help("on_long"),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command()
@training_options
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print parameters, tokens per sample and a GPU memory estimate; train nothing.",
)
@click.option(
    "--gpu-memory",
    type=float,
    default=80.0,
    show_default=True,
    help="GPU memory (GB) the --dry-run plan is checked against.",
)
def main(dry_run: bool, gpu_memory: float, resume: bool, resume_from: Path | None, **options) -> None:
    """Fine-tune Phi-3-Vision (LoRA by default) on a sample set; write a run directory.

    Reads data/products and writes runs/<model name> unless told otherwise, so `sample-gen && finetune
    --model tiny` needs no paths. An existing run resumes from its latest checkpoint; --overwrite starts
    again. Multi-GPU: run the same command under `torchrun --nproc_per_node N` or `accelerate launch`.
    """
    from productlens.core.run_json import RunRecordError
    from productlens.finetune.cli_checks import check_exists, check_model, with_option_names
    from productlens.finetune.errors import FinetuneError
    from productlens.reports.console import make_console
    from transformers.utils import logging as hf_logging

    console = make_console()
    hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # deprecation notices between HF libraries
    try:
        config = FinetuneConfig(resume=resume_from or resume, **options)
    except ValueError as error:
        raise click.BadParameter(
            with_option_names(str(error), click.get_current_context().command)
        ) from error
    check_model("--model", config.model)  # paths first: nothing else may fail on a missing one
    try:
        if dry_run:
            import torch
            from productlens.finetune.cli_progress import plan_table
            from productlens.finetune.plan import plan_training

            gpu = torch.cuda.is_available()
            machine = "gpu" if gpu else ("cpu" if config.is_tiny else "no-gpu")
            plan = plan_training(
                config, gpu_memory_gb=gpu_memory, precision="fp32" if machine == "cpu" else "bf16"
            )
            console.print(plan_table(plan, machine=machine))
            return
        if config.merge and not config.overwrite:
            from productlens.core.run_json import is_finished_run
            from productlens.finetune.merge import merge_run
            from rich.markup import escape

            run_dir = config.resolve().output
            if is_finished_run(run_dir):  # merge what trained; training again is --overwrite
                console.print(
                    f"{escape(str(run_dir))} holds a finished run: merging its adapter, no training"
                )
                console.print(f"merged weights: {escape(str(merge_run(run_dir)))}")
                return
        check_exists("--data", config.data, "no sample set there; make one with `sample-gen`")
        import datasets
        from productlens.finetune.cli_log import LogProgress
        from productlens.finetune.cli_progress import RichProgress, summary_table
        from productlens.finetune.interrupt import CheckpointOnSignal, TrainingInterrupted
        from productlens.finetune.recipe import run_finetune
        from productlens.finetune.run_dir import latest_checkpoint
        from productlens.generate.atomic import removed_on_failure

        datasets.disable_progress_bars()
        main_process = int(os.environ.get("RANK", "0")) == 0
        progress = RichProgress(console) if console.is_terminal else LogProgress(click.echo)
        stopping = CheckpointOnSignal(
            save_every_s=config.save_minutes * 60,
            on_signal=lambda signum: (
                main_process
                and console.print(
                    "\nfinetune: stopping after this step to save a checkpoint "
                    + ("(a second Ctrl-C quits without one)" if signum == signal.SIGINT else ""),
                    soft_wrap=True,
                )
            ),
        )
        output = config.resolve().output
        try:
            with removed_on_failure(
                output, keep=lambda path: latest_checkpoint(path / "checkpoints") is not None
            ):
                result = run_finetune(config, callbacks=[progress, stopping] if main_process else [stopping])
        except TrainingInterrupted as stopped:
            if main_process:
                console.print(f"finetune: {stopped}", soft_wrap=True)
            sys.exit(stopped.exit_code)
        except KeyboardInterrupt:  # a second Ctrl-C: no checkpoint beyond the last one
            if isinstance(progress, RichProgress) and progress.progress is not None:
                progress.progress.stop()
            last = latest_checkpoint(output / "checkpoints")
            console.print(
                "\nfinetune: interrupted; "
                + (f"the latest checkpoint is {last}" if last else "no checkpoint was saved"),
                soft_wrap=True,
            )
            sys.exit(130)
    except (FinetuneError, RunRecordError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    if result.record:
        console.print(summary_table(result.record))


if __name__ == "__main__":
    main()
