"""The Rich console every command prints through."""

from rich.console import Console


def make_console(stderr: bool = False) -> Console:
    """A console that respects NO_COLOR and degrades to plain text when not a terminal."""
    return Console(stderr=stderr, highlight=False)
