"""The `sample-gen` command (being built; see the open issues)."""

import click


@click.group()
def main() -> None:
    """Not built yet."""
