"""The `sample-gen import` and `sample-gen augment` commands (registered on the `sample-gen` group)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click
from productlens.core.console import make_console
from productlens.generate.augment import AugmentConfig, AugmentReport, augment_set
from productlens.generate.clean import parse_mapping
from productlens.generate.cli_summary import summary_renderable
from productlens.generate.download import DownloadConfig
from productlens.generate.importer import FAILURE_FILE, ImportConfig, ImportReport, import_set
from productlens.generate.profile import profile_set, save_profile
from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError)


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/productlens/images` (~/.cache/productlens/images): shared by every import."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "productlens" / "images"


def _ratios(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, float, float]:
    try:
        parts = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"expected three numbers like 0.8,0.1,0.1, got {value!r}") from None
    if len(parts) != 3:
        raise click.BadParameter(f"expected three numbers train,validation,test, got {value!r}")
    return parts  # type: ignore[return-value]


def _progress(console: Console, label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C (or SIGTERM) stops the import: the first cancels the downloads and removes the half-written
    set (KeyboardInterrupt unwinds through the atomic writers); a second one exits at once."""

    def second(signum: int, frame: FrameType | None) -> None:
        os._exit(130)  # the user insists: no clean-up (the next run removes the temporary directory)

    def first(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, second)
        signal.signal(signal.SIGTERM, second)
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # signals reach only the main thread
        yield
        return
    previous = signal.signal(signal.SIGINT, first), signal.signal(signal.SIGTERM, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def import_renderable(report: ImportReport) -> Group:
    """The outcome of an import: counts, failures by reason, the fetcher's figures."""
    table = Table(title=Text(f"import into {report.out}"), show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("rows", f"imported {report.rows_imported:,} of {report.rows_read:,} rows")
    failed = len(report.failures)
    table.add_row(
        "failed", Text(f"{failed:,} rows failed" + (f"; see {report.failures_path}" if failed else ""))
    )
    for reason, count in report.failure_counts.most_common():
        table.add_row("", f"{reason}: {count:,}")
    fetch = report.fetch
    table.add_row(
        "downloads",
        f"{fetch.requests:,} requests, {fetch.retries:,} retries, {fetch.cache_hits:,} from cache, "
        f"{fetch.bytes_received / 1e6:,.1f} MB",
    )
    if fetch.cache_replaced:
        table.add_row("", f"{fetch.cache_replaced:,} cache entries did not decode; fetched again")
    rate = report.rows_read / report.elapsed_s if report.elapsed_s > 0 else 0.0
    table.add_row("time", f"{report.elapsed_s:,.1f} s ({rate:,.0f} rows/s)")
    return Group(table, summary_renderable(report.summary, f"sample set {report.out}"))


@click.command("import")
@click.argument("source")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/imported"),
    show_default=True,
    help="Directory of the new set.",
)
@click.option(
    "--map",
    "column_map",
    default="",
    help="Column names for other schemas: ours=theirs pairs, e.g. title=name,full_price=price,image=photo.",
)
@click.option("--na-category", default=None, help="Replace missing (N.A.) categories by this value.")
@click.option("--concurrency", type=int, default=16, show_default=True, help="Parallel downloads.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds to connect / per read.")
@click.option(
    "--deadline",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds for one whole attempt (connect, headers, body).",
)
@click.option("--retries", type=int, default=3, show_default=True, help="Retries on 5xx and timeouts.")
@click.option("--backoff", type=float, default=0.5, show_default=True, help="First retry wait (doubles).")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True, help="Largest image file.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Image cache (resumable imports) [default: ~/.cache/productlens/images].",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the image cache.")
@click.option(
    "--local-root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Also read local image paths that resolve under DIR (absolute paths, .. out of the source's folder) "
    "[default: only relative paths inside the source's folder].",
)
@click.option(
    "--sep", default=None, help="CSV field separator, e.g. ';' or '\\t' [default: ',', a tab for .tsv]."
)
@click.option(
    "--encoding", default="utf-8-sig", show_default=True, help="Text encoding of a CSV or JSONL source."
)
@click.option(
    "--failures",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Failure file (CSV) [default: OUT/{FAILURE_FILE}].",
)
@click.option(
    "--split",
    "ratios",
    default="0.8,0.1,0.1",
    show_default=True,
    callback=_ratios,
    help="train,validation,test ratios (by a hash of product_code).",
)
@click.option("--limit", type=int, default=None, help="Import only the first N rows.")
@click.option("--hub-split", default=None, help="Split of a hub dataset [default: all].")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out (once the new set is complete).")
def import_command(
    source: str,
    out: Path,
    column_map: str,
    na_category: str | None,
    concurrency: int,
    timeout: float,
    deadline: float,
    retries: int,
    backoff: float,
    max_bytes: int,
    cache_dir: Path | None,
    no_cache: bool,
    local_root: Path | None,
    sep: str | None,
    encoding: str,
    failures: Path | None,
    ratios: tuple[float, float, float],
    limit: int | None,
    hub_split: str | None,
    overwrite: bool,
) -> None:
    """Import a catalogue (CSV, Parquet, JSONL or a hub dataset id) with its images into a sample set.

    SOURCE uses the 17 DBQ columns (product_code, title, category3_code, full_price, imageurl...)
    or other names mapped with --map. Images come from an `image` column (bytes, paths or URLs),
    `local_image_path` or `imageurl`. Rows without a usable image are listed with the reason in the
    failure file and counted in the summary.
    """
    try:
        config = ImportConfig(
            source=source,
            out=out,
            column_map=parse_mapping(column_map),
            na_category=na_category,
            download=DownloadConfig(
                concurrency=concurrency,
                timeout_s=timeout,
                deadline_s=deadline,
                retries=retries,
                backoff_s=backoff,
                max_bytes=max_bytes,
                cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                local_root=local_root,
            ),
            ratios=ratios,
            failures_path=failures,
            limit=limit,
            hub_split=hub_split,
            overwrite=overwrite,
            sep=sep,
            encoding=encoding,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console = make_console(stderr=True)
    lock = threading.Lock()
    try:
        with interruptible(), _progress(console, "import") as progress:
            task = progress.add_task("rows", total=None, note="")

            def advance(done: int, total: int) -> None:
                with lock:  # called from download threads
                    progress.update(task, completed=done, total=total)

            report = import_set(config, on_row=advance)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        resume = (
            "images fetched so far are cached, so the same command resumes"
            if config.download.cache_dir is not None
            else "run the same command again to start over (--no-cache: nothing was kept)"
        )
        console.print(f"import interrupted: nothing was written to {config.out}; {resume}", markup=False)
        raise SystemExit(130) from None
    make_console().print(import_renderable(report))


def augment_renderable(report: AugmentReport) -> Group:
    """Parents, children per split and the balancing copies, then the new set's summary."""
    table = Table(title=Text(f"augment into {report.out}"), show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("parents", f"{report.parents:,} rows copied as they were")
    children = ", ".join(f"{split} {n:,}" for split, n in sorted(report.children.items())) or "none"
    table.add_row("augmented", f"{sum(report.children.values()):,} rows ({children})")
    table.add_row("balancing", f"{report.balancing_copies:,} extra copies of rare categories")
    return Group(table, summary_renderable(report.summary, f"sample set {report.out}"))


@click.command("augment")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/augmented"),
    show_default=True,
    help="Directory of the new set.",
)
@click.option("--copies", type=int, default=2, show_default=True, help="Augmented copies per row.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed (equal seeds, equal bytes)."
)
@click.option(
    "--splits",
    default="train",
    show_default=True,
    help="Comma-separated splits whose rows get copies; copies stay in their parent's split.",
)
@click.option("--balance-to", type=int, default=None, help="Extra copies until each category3 has N rows.")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes (0 = all cores).")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out (once the new set is complete).")
def augment_command(
    directory: Path,
    out: Path,
    copies: int,
    seed: int,
    splits: str,
    balance_to: int | None,
    workers: int,
    overwrite: bool,
) -> None:
    """Add seeded augmented copies of a set's photos (crop, scale, rotation, flip, colour, blur, JPEG).

    Every row of DIRECTORY is kept; each copy records its parent in parent_code, gets a new
    product_code and stays in its parent's split. Equal seeds give byte-identical sets.
    """
    try:
        config = AugmentConfig(
            source=directory,
            out=out,
            copies=copies,
            seed=seed,
            splits=tuple(s.strip() for s in splits.split(",") if s.strip()),
            balance_to=balance_to,
            workers=workers or None,
            overwrite=overwrite,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console = make_console(stderr=True)
    try:
        with _progress(console, "augment") as progress:
            task = progress.add_task("rows", total=None, note="")
            report = augment_set(
                config, on_row=lambda done, total: progress.update(task, completed=done, total=total)
            )
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    make_console().print(augment_renderable(report))


@click.command("profile")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Profile JSON to write."
)
@click.option("--min-titles", type=int, default=2, show_default=True, help="Keep words used in N+ titles.")
def profile_command(directory: Path, out: Path, min_titles: int) -> None:
    """Save a set's profile (category frequencies, price quantiles, title lengths and words, currency).

    The JSON holds aggregates only, no rows; `sample-gen --like PROFILE.json` generates from it.
    """
    try:
        profile = profile_set(directory, min_titles=min_titles)
        save_profile(profile, out)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    make_console().print(
        f"profile of {directory}: {profile.rows:,} rows, {len(profile.prices)} categories, "
        f"{len(profile.vocabulary)} title words, {profile.currency} -> {out}"
        + (f" ({profile.too_long_rows:,} rows left out: too_long)" if profile.too_long_rows else ""),
        markup=False,  # the currency and paths are data text
    )
