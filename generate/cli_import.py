"""The `sample-gen import` command (registered on the `sample-gen` group): options -> ImportConfig -> import_set."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from productlens.core.cli_options import config_kwargs, options_from
from productlens.core.console import make_console
from productlens.generate.cli_common import USER_ERRORS, progress_bar
from productlens.generate.download import DownloadConfig
from productlens.generate.importer import ImportConfig, import_set
from productlens.reports.sample_set_view import import_renderable

NOT_OPTIONS = {"source": "the SOURCE argument", "download": "the download options (DownloadConfig)"}
NOT_DOWNLOAD_OPTIONS = {
    "cache_dir": "--cache-dir below: the command's default is the shared cache, the library's None is no cache",
    "max_pixels": "a safety limit against decompression bombs, not a command-line setting",
    "max_redirects": "a safety limit, not a command-line setting",
    "user_agent": "names productlens to the image servers",
}


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/productlens/images` (~/.cache/productlens/images): shared by every import."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "productlens" / "images"


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


@click.command("import")
@click.argument("source")
@options_from(ImportConfig, exclude=NOT_OPTIONS)
@options_from(DownloadConfig, exclude=NOT_DOWNLOAD_OPTIONS)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Image cache, so an interrupted import resumes [default: ~/.cache/productlens/images].",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the image cache.")
def import_command(source: str, cache_dir: Path | None, no_cache: bool, **options: Any) -> None:
    """Import a catalogue (CSV, Parquet, JSONL or a hub dataset id) with its images into a sample set.

    SOURCE uses the 17 DBQ columns (product_code, title, category3_code, full_price, imageurl...)
    or other names mapped with --map. Images come from an `image` column (bytes, paths or URLs),
    `local_image_path` or `imageurl`. Rows without a usable image are listed with the reason in the
    failure file and counted in the summary.
    """
    download = config_kwargs(DownloadConfig, options)
    download["cache_dir"] = None if no_cache else (cache_dir or default_cache_dir())
    try:
        config = ImportConfig(source=source, download=DownloadConfig(**download), **options)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console = make_console(stderr=True)
    lock = threading.Lock()
    try:
        with interruptible(), progress_bar(console, "import") as progress:
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
    make_console().print(import_renderable(report.to_dict()))
