"""The `finetune` command: options -> FinetuneConfig -> run_finetune (or plan_training), rendered with Rich."""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path

import click
from productlens.core.cli_options import options_from
from productlens.finetune.config import FinetuneConfig

NOT_OPTIONS = {"resume": "set with --resume/--no-resume and --resume-from DIR"}


@click.command()
@options_from(FinetuneConfig, exclude=NOT_OPTIONS, case_sensitive=False)
@click.option(
    "--resume/--no-resume",
    default=True,
    show_default=True,
    help="Continue from the latest checkpoint in the run directory (default) or refuse to touch an existing run.",
)
@click.option(
    "--resume-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Continue from this checkpoint directory.",
)
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
    from productlens.core.console import make_console
    from productlens.core.run_json import RunRecordError
    from productlens.finetune.cli_checks import check_exists, check_model, with_option_names
    from productlens.finetune.errors import FinetuneError
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
            from productlens.finetune.plan import plan_training
            from productlens.reports.finetune_view import plan_table

            gpu = torch.cuda.is_available()
            machine = "gpu" if gpu else ("cpu" if config.is_tiny else "no-gpu")
            plan = plan_training(
                config, gpu_memory_gb=gpu_memory, precision="fp32" if machine == "cpu" else "bf16"
            )
            console.print(plan_table(plan.to_dict(), machine=machine))
            return
        if config.merge and not config.overwrite:
            from productlens.core.run_json import is_finished_run
            from productlens.finetune.merge import merge_run
            from rich.markup import escape

            run_dir = config.run_dir
            if is_finished_run(run_dir):  # merge what trained; training again is --overwrite
                console.print(
                    f"{escape(str(run_dir))} holds a finished run: merging its adapter, no training"
                )
                console.print(f"merged weights: {escape(str(merge_run(run_dir)))}")
                return
        check_exists("--data", config.data, "no sample set there; make one with `sample-gen`")
        import datasets
        from productlens.core.atomic_writes import removed_on_failure
        from productlens.finetune.cli_log import LogProgress
        from productlens.finetune.cli_progress import RichProgress
        from productlens.finetune.interrupt import CheckpointOnSignal, TrainingInterrupted
        from productlens.finetune.recipe import run_finetune
        from productlens.finetune.run_dir import latest_checkpoint
        from productlens.reports.finetune_view import summary_table

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
        output = config.run_dir
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
