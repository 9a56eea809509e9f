"""The `sample-gen profile` command (registered on the `sample-gen` group): a set's aggregates as JSON."""

from __future__ import annotations

from pathlib import Path

import click
from productlens.core.console import make_console
from productlens.generate.cli_common import USER_ERRORS
from productlens.generate.profile import profile_set, save_profile


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
