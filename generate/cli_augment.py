"""The `sample-gen augment` command (registered on the `sample-gen` group): options -> AugmentConfig."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from productlens.core.cli_options import options_from
from productlens.core.console import make_console
from productlens.generate.augment import AugmentConfig, augment_set
from productlens.generate.cli_common import USER_ERRORS, progress_bar
from productlens.reports.sample_set_view import augment_renderable
from rich.console import Console

NOT_OPTIONS = {
    "source": "the DIRECTORY argument",
    "settings": "the augmentation strengths, tuned once in generate/augment_ops.py",
}


@click.command("augment")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@options_from(AugmentConfig, exclude=NOT_OPTIONS)
def augment_command(directory: Path, **options: Any) -> None:
    """Add seeded augmented copies of a set's photos (crop, scale, rotation, flip, colour, blur, JPEG).

    Every row of DIRECTORY is kept; each copy records its parent in parent_code, gets a new
    product_code and stays in its parent's split. Equal seeds give byte-identical sets.
    """
    try:
        config = AugmentConfig(source=directory, **options)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    console = Console(stderr=True, highlight=False)
    try:
        with progress_bar(console, "augment") as progress:
            task = progress.add_task("rows", total=None, note="")
            report = augment_set(
                config, on_row=lambda done, total: progress.update(task, completed=done, total=total)
            )
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from None
    make_console().print(augment_renderable(report.to_dict()))
