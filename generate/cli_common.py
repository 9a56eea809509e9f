"""What the `sample-gen` commands share: the errors shown as `Error: ...` and the transient progress bar."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

USER_ERRORS = (ValueError, FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError)


def progress_bar(console: Console, label: str) -> Progress:
    """A bar for a count that becomes known as the work goes (rows read, rows augmented)."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
