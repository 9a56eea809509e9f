"""The `sample-gen` command: make a synthetic sample set; `show` and `export` work on any set."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click
from productlens.core.cli_options import options_from
from productlens.core.console import make_console
from productlens.core.progress_lines import ProgressLog, SteadyTimeRemaining
from productlens.core.sample_set import read_manifest
from productlens.generate.cli_augment import augment_command
from productlens.generate.cli_common import USER_ERRORS
from productlens.generate.cli_import import import_command
from productlens.generate.cli_profile import profile_command
from productlens.generate.export import EXPORT_FORMATS, export_set
from productlens.generate.fidelity import compare_sets
from productlens.generate.like import generate_like_set
from productlens.generate.summary import summarize_set
from productlens.generate.synthesize import GenerateConfig, generate_set
from productlens.reports.fidelity_view import fidelity_renderable
from productlens.reports.sample_set_view import summary_renderable
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

# The set `show` and `export` read: an optional argument that defaults to where plain sample-gen writes.
SET_DIRECTORY = click.argument(
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/products"),
    required=False,
)


def parse_size(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"expected WIDTHxHEIGHT such as 336x336, got {value!r}") from None
    return width, height


def _echo_err(line: str) -> None:
    click.echo(line, err=True)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so `kill` cleans up the temporary directory like Ctrl-C does


NOT_OPTIONS = {
    "width": "set with --size WIDTHxHEIGHT",
    "height": "set with --size WIDTHxHEIGHT",
    "image_format": "set with --png",
    "prop_rate": "part of the photo style, not a command-line setting",
    "crop_rate": "part of the photo style, not a command-line setting",
    "discount_rate": "part of the catalogue style, not a command-line setting",
    "competence_date": "fixed so that equal seeds give equal sets",
    "rows_per_shard": "a storage detail; tests set it to make several shards",
}


@click.group(invoke_without_command=True)
@options_from(GenerateConfig, exclude=NOT_OPTIONS)
@click.option(
    "--size", default="336x336", show_default=True, callback=parse_size, help="Photo size WIDTHxHEIGHT."
)
@click.option("--png", is_flag=True, help="Store photos as PNG instead of JPEG.")
@click.option(
    "--like",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Follow a set (or a profile JSON from `sample-gen profile`): categories, prices, titles, currency "
    "(so not combined with --country or --price-sigma).",
)
@click.pass_context
def main(ctx: click.Context, size: tuple[int, int], png: bool, like: Path | None, **options: Any) -> None:
    """Generate a synthetic product sample set whose photos carry the title, category and price.

    Plain `sample-gen` writes 6,000 products to data/products. The set is written to a temporary
    directory and renamed at the end, so an interrupted run leaves the destination untouched.
    """
    if ctx.invoked_subcommand is not None:
        return
    if like is not None:
        ignored = [
            f"--{name.replace('_', '-')}"
            for name in ("country", "price_sigma")
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
        ]
        if options["holdout"] is not None:
            raise click.UsageError(
                "--holdout cannot be combined with --like (only plain sample-gen sets hold out)."
            )
        if ignored:
            raise click.UsageError(
                f"{' and '.join(ignored)} cannot be combined with --like: currency and price spread come from "
                f"the profile of {like}."
            )
    try:
        config = GenerateConfig(
            width=size[0], height=size[1], image_format="png" if png else "jpeg", **options
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console = make_console(stderr=True)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    # In a log (not a terminal) a live bar shows nothing: plain rows/s lines instead.
    log = None if console.is_terminal else ProgressLog("sample-gen", config.count, _echo_err, unit="rows")
    try:
        with Progress(
            TextColumn("[bold]sample-gen"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            SteadyTimeRemaining(),
            console=console,
            transient=True,
            disable=log is not None,
        ) as progress:
            task = progress.add_task("rows", total=config.count, rate="")

            def advance(done: int) -> None:
                if log is not None:
                    log.update(done)
                if done % 16 == 0 or done == config.count:
                    elapsed = progress.tasks[task].elapsed or 0.0
                    rate = f"{done / elapsed:,.0f} rows/s" if elapsed > 0 else ""
                    progress.update(task, completed=done, rate=rate)

            if like is None:
                summary = generate_set(config, on_row=advance)
            else:
                summary = generate_like_set(config, like, on_row=advance)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    make_console().print(
        summary_renderable(summary.to_dict(), f"sample set {config.out}", read_manifest(config.out))
    )


@main.command()
@SET_DIRECTORY
@click.option(
    "--compare",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Another set: print how closely it follows this one (categories, prices, titles).",
)
def show(directory: Path, compare: Path | None) -> None:
    """Print the summary of a sample set (default data/products): rows per split and category, price range."""
    try:
        summary = summarize_set(directory)
        manifest = read_manifest(directory) if (directory / "manifest.json").is_file() else None
        fidelity = compare_sets(directory, compare) if compare is not None else None
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    make_console().print(summary_renderable(summary.to_dict(), f"sample set {directory}", manifest))
    if fidelity is not None:
        make_console().print(fidelity_renderable(fidelity.to_dict()))


@main.command()
@SET_DIRECTORY
@click.option(
    "--format", "export_format", type=click.Choice(EXPORT_FORMATS), required=True, help="Target layout."
)
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Directory to create."
)
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out.")
def export(directory: Path, export_format: str, out: Path, overwrite: bool) -> None:
    """Export a set (default data/products) as the CookBook CSV + images, LLaVA JSON or CookBook JSONL."""
    try:
        counts = export_set(directory, out, export_format, overwrite=overwrite)  # type: ignore[arg-type]
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    rows = ", ".join(f"{split} {n:,}" for split, n in counts.items())
    make_console().print(
        f"exported {sum(counts.values()):,} rows ({rows}) as {export_format} to {out}", markup=False
    )


# Subcommands defined in other modules (import, augment) are registered below with main.add_command(...).
main.add_command(import_command)
main.add_command(augment_command)
main.add_command(profile_command)
