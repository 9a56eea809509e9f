"""The `evaluate` command: score answers on a sample set, write evals/<name>/, render the report."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from productlens.core.cli_options import ConfigOption, options_from
from productlens.core.console import make_console
from productlens.core.progress_lines import SteadyTimeRemaining, log_progress
from productlens.evaluate.config import EvaluateConfig
from productlens.evaluate.evaluation import latest_run, report_thumbnails, run_evaluation
from productlens.evaluate.openai_endpoint import EndpointError

REPORTS = ("html", "json", "none")
USER_ERRORS = (ValueError, FileNotFoundError, EndpointError)


@click.group(invoke_without_command=True)
@options_from(EvaluateConfig)
@click.option(
    "--report",
    type=click.Choice(REPORTS),
    default=None,
    help="html: also write report.html; json: print results.json; none: files only.",
    cls=ConfigOption,
    default_text="a terminal summary",
)
@click.pass_context
def main(ctx: click.Context, report: str | None, **options) -> None:
    """Score a model's answers for price, title and category, with 95% confidence intervals.

    Predictions come from a run or model directory (--run / --model), an OpenAI-compatible
    server (--endpoint URL --model-name NAME), or a saved predictions.jsonl (--predictions,
    re-scoring without a model). Writes predictions.jsonl and results.json to evals/<name>/;
    --report html adds a self-contained report.html. An interrupted generation resumes;
    after retraining or with other settings the answers are generated again (generation.json).
    """
    if ctx.invoked_subcommand is not None:
        return
    _quiet_datasets()
    if not (options["predictions"] or options["endpoint"] or options["model"] or options["run"]):
        options["run"] = latest_run()
        if options["run"] is None:
            raise click.ClickException(
                "nothing to evaluate: no run under runs/; train one with `finetune`, or pass --run, --model, "
                "--endpoint URL --model-name NAME, or --predictions FILE"
            )
    from productlens.finetune.cli_checks import check_exists, check_model

    check_model("--model", options["model"])  # paths first, named by their option; never a hub lookup
    if not options["predictions"]:
        check_exists("--data", options["data"], "no sample set there; make one with `sample-gen`")
    try:
        config = EvaluateConfig(**options)
        with _progress(enabled=report != "json" and config.source != "predictions") as on_progress:
            outcome = run_evaluation(config, on_progress)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    if outcome.reused and report != "json":
        click.echo(reuse_line(outcome))

    if report == "json":
        click.echo(json.dumps(outcome.results, indent=2))
        return
    if report == "none":
        return
    from productlens.reports import terminal

    make_console().print(terminal.render_summary(outcome.results, outcome.records))
    if report == "html":
        from productlens.reports.html import write_report

        path = outcome.out_dir / "report.html"
        write_report(path, outcome.results, outcome.records, report_thumbnails(outcome))
        click.echo(f"Report: {path}")
    click.echo(f"Results: {outcome.out_dir / 'results.json'}")


@main.command()
@click.argument(
    "evaluations", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@click.option(
    "--report",
    type=click.Choice(REPORTS),
    default=None,
    help="html: also write report.html; json: print the comparison; none: files only.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output directory (default: evals/compare-<names>).",
)
@options_from(EvaluateConfig, only=("n_resamples", "seed"))
def compare(
    evaluations: tuple[Path, ...], report: str | None, out: Path | None, n_resamples: int, seed: int
) -> None:
    """Compare evaluations side by side: paired-bootstrap differences on shared samples, vs the first."""
    from productlens.evaluate.compare import comparison_thumbnails, run_comparison

    try:
        comparison, out = run_comparison(evaluations, out, n_resamples=n_resamples, seed=seed)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    if report == "json":
        click.echo(json.dumps(comparison, indent=2))
        return
    if report == "none":
        return
    from productlens.reports import terminal

    make_console().print(terminal.render_compare(comparison))
    if report == "html":
        from productlens.reports.html import write_compare_report

        _quiet_datasets()
        write_compare_report(
            out / "report.html", comparison, comparison_thumbnails(evaluations[0], comparison)
        )
        click.echo(f"Report: {out / 'report.html'}")
    click.echo(f"Comparison: {out / 'compare.json'}")


def _quiet_datasets() -> None:
    """No "Generating train split" bars from datasets while the set loads; our own progress is enough."""
    import datasets

    datasets.disable_progress_bars()


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar with samples/s on stderr while predictions are generated."""
    if not enabled:
        yield None
        return
    from productlens.core.console import make_console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
    )
    from rich.text import Text

    class SamplesPerSecond(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} samples/s" if task.speed else "")

    columns = (
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        SamplesPerSecond(),
        SteadyTimeRemaining(),
    )
    console = make_console(stderr=True)
    if not console.is_terminal:  # a log: plain lines, since a live bar shows nothing there
        yield log_progress("evaluate", lambda line: click.echo(line, err=True), noun="generating ")
        return
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("generating", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def reuse_line(outcome) -> str:
    """What a rerun took from the earlier one, and how long those answers took to generate."""
    seconds = outcome.results["timings"].get("generation_s")
    took = "" if seconds is None else f" (generated in {seconds:.1f} s)"
    predictions = outcome.out_dir / "predictions.jsonl"
    if not outcome.generated:
        return (
            f"evaluate: reused all {outcome.reused:,} answers in {predictions}{took}: same model, data and "
            f"settings; delete {outcome.out_dir} to generate them again"
        )
    return f"evaluate: resumed: {outcome.reused:,} answers reused, {outcome.generated:,} generated{took}"
