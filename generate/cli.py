"""The `sample-gen` command: make a synthetic sample set; `show` and `export` work on any set."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import click
from productlens.core.console import make_console
from productlens.core.constants import DEFAULT_PRICE_SIGMA
from productlens.core.progress_lines import ProgressLog, SteadyTimeRemaining
from productlens.core.sample_set import read_manifest
from productlens.generate.cli_fidelity import fidelity_renderable
from productlens.generate.cli_import import augment_command, import_command, profile_command
from productlens.generate.cli_summary import summary_renderable
from productlens.generate.export import EXPORT_FORMATS, export_set
from productlens.generate.fidelity import compare_sets
from productlens.generate.like import generate_like_set
from productlens.generate.products import MARKETS
from productlens.generate.summary import summarize_set
from productlens.generate.synthesize import GenerateConfig, generate_set
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError)


def parse_size(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"expected WIDTHxHEIGHT such as 336x336, got {value!r}") from None
    return width, height


def parse_ratios(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, float, float]:
    try:
        parts = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"expected three numbers like 0.8,0.1,0.1, got {value!r}") from None
    if len(parts) != 3 or abs(sum(parts) - 1) > 1e-6 or min(parts) < 0:
        raise click.BadParameter(
            f"train,validation,test ratios must be three numbers summing to 1, got {value!r}"
        )
    return parts  # type: ignore[return-value]


def _echo_err(line: str) -> None:
    click.echo(line, err=True)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so `kill` cleans up the temporary directory like Ctrl-C does


@click.group(invoke_without_command=True)
@click.option("-n", "--count", type=int, default=6000, show_default=True, help="Number of products.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/products"),
    show_default=True,
    help="Directory of the new set.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed (equal seeds, equal bytes)."
)
@click.option("--workers", type=int, default=None, help="Worker processes [default: all cores].")
@click.option(
    "--size", default="336x336", show_default=True, callback=parse_size, help="Photo size WIDTHxHEIGHT."
)
@click.option(
    "--price-sigma",
    type=float,
    default=DEFAULT_PRICE_SIGMA,
    show_default=True,
    help="Log-normal price noise (0 = none).",
)
@click.option(
    "--split",
    "ratios",
    default="0.8,0.1,0.1",
    show_default=True,
    callback=parse_ratios,
    help="train,validation,test ratios (by a hash of product_code).",
)
@click.option(
    "--jpeg-quality", type=int, default=90, show_default=True, help="JPEG quality of the photos (1-100)."
)
@click.option(
    "--artefacts",
    type=float,
    default=0.1,
    show_default=True,
    help="Share of photos saved at JPEG quality 25-50.",
)
@click.option("--png", is_flag=True, help="Store photos as PNG instead of JPEG.")
@click.option(
    "--country",
    type=click.Choice(list(MARKETS)),
    default="US",
    show_default=True,
    help="Market and currency.",
)
@click.option(
    "--like",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Follow a set (or a profile JSON from `sample-gen profile`): categories, prices, titles, currency "
    "(so not combined with --country or --price-sigma).",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace a non-empty --out (only once the new set is complete)."
)
@click.option(
    "--holdout",
    default=None,
    help="Attribute combinations kept out of train, in validation and test only: "
    "'colour=Burgundy&leaf=TOTE BAGS,material=Suede&leaf=SNEAKERS' or 'random:10%' (a seeded tenth of "
    "the (colour, leaf) and (material, leaf) pairs). Rows get combination_seen.",
)
@click.pass_context
def main(
    ctx: click.Context,
    count: int,
    out: Path,
    seed: int,
    workers: int | None,
    size: tuple[int, int],
    price_sigma: float,
    ratios: tuple[float, float, float],
    jpeg_quality: int,
    artefacts: float,
    png: bool,
    country: str,
    like: Path | None,
    overwrite: bool,
    holdout: str | None,
) -> None:
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
        if holdout is not None:
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
            count=count,
            out=out,
            seed=seed,
            workers=workers,
            width=size[0],
            height=size[1],
            price_sigma=price_sigma,
            ratios=ratios,
            image_format="png" if png else "jpeg",
            jpeg_quality=jpeg_quality,
            artefact_rate=artefacts,
            country=country,
            overwrite=overwrite,
            holdout=holdout,
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
    make_console().print(summary_renderable(summary, f"sample set {config.out}", read_manifest(config.out)))


@main.command()
@click.argument(
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/products"),
    required=False,
)
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
    make_console().print(summary_renderable(summary, f"sample set {directory}", manifest))
    if fidelity is not None:
        make_console().print(fidelity_renderable(fidelity))


@main.command()
@click.argument(
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/products"),
    required=False,
)
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
