"""What the `sample-gen` commands share: the errors shown as `Error: ...` and the transient progress bar."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

# Shown as one line, no traceback. BrokenProcessPool: a worker died (often the OOM killer); the set is written
# beside its destination, so nothing of an older set is lost and the command can simply be run again.
USER_ERRORS = (
    ValueError,
    FileExistsError,
    FileNotFoundError,
    NotADirectoryError,
    PermissionError,
    BrokenProcessPool,
)


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
