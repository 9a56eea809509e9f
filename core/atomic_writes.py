"""Atomic writes: a file or a whole directory appears complete at its destination, or not at all.

Files are written to a temporary sibling and moved with `os.replace`; directories are built in a
temporary sibling directory and swapped in by renames (`replace_directory`), so an interrupted run
(exception, Ctrl-C, kill) never leaves a half-written result where a user or the next stage would read it.
Every stage writes its files and directories through this module.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(target: Path) -> str:
    # The pid in the name lets a later run tell a killed run's leftovers from live work.
    return f"{TEMP_PREFIX}{target.name}.{os.getpid()}."


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporary siblings of `target` left by runs that were killed (their pid is gone)."""
    removed = []
    # <prefix><name>.<pid>.[old.]<random>: the random part has no dot, so ".tmp-set.90000.<pid>.x" (a temporary
    # of a target called "set.90000") is not taken for one of "set" written by pid 90000.
    own = re.compile(re.escape(f"{TEMP_PREFIX}{target.name}.") + r"(\d+)\.(?:old\.)?[^.]+")
    for candidate in target.parent.glob(f"{TEMP_PREFIX}{target.name}.*"):
        match = own.fullmatch(candidate.name)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        else:
            candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary sibling path of `path`; when the block succeeds it replaces `path` by `os.replace`.

    For writers that want a path of their own (safetensors' `save_file`, a line-by-line writer). On any
    error the temporary file is removed and `path` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=_temp_prefix(target), dir=target.parent)
    try:
        # mkstemp creates 0600; a result file should get the usual permissions.
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        yield Path(temp_name)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` through a temporary sibling file and `os.replace`."""
    with atomic_file(path) as temp:
        temp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def is_empty_destination(dest: Path) -> bool:
    """True when `dest` does not exist or is an empty directory."""
    if not dest.exists():
        return True
    return dest.is_dir() and not any(dest.iterdir())


def check_destination(dest: str | os.PathLike[str], overwrite: bool) -> Path:
    """Raise FileExistsError / NotADirectoryError / PermissionError early, before any work is done."""
    target = Path(dest)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory; choose another --out")
    if not overwrite and not is_empty_destination(target):
        raise FileExistsError(
            f"{target} is not empty; pass --overwrite to replace it or choose another --out"
        )
    parent = target.parent if target.parent != Path("") else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write under {existing}: it is not a writable directory")
    return target


@contextmanager
def atomic_directory(dest: str | os.PathLike[str], overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling directory of `dest`; on success it replaces `dest` by rename.

    On any error (including KeyboardInterrupt) the temporary directory is removed and `dest` is
    left exactly as it was. With `overwrite`, an existing `dest` is replaced only at the very end.
    """
    target = check_destination(dest, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), dir=target.parent))
    temp.chmod(0o777 & ~_umask())
    try:
        yield temp
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    replace_directory(temp, target)


def replace_directory(temp: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """Move the finished directory `temp` to `dest`, replacing an older `dest` without a gap.

    The old directory is renamed aside, the new one renamed in, and only then is the old one deleted,
    so at every instant `dest` is either the complete old directory or the complete new one (a kill
    between the renames leaves the old one in a `.tmp-` sibling that `remove_stale_temporaries` clears).
    """
    source, target = Path(temp), Path(dest)
    if not target.exists():
        os.replace(source, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{_temp_prefix(target)}old.", dir=target.parent))
    os.replace(target, old / target.name)
    try:
        os.replace(source, target)
    except BaseException:
        os.replace(old / target.name, target)  # put the old one back: dest is never left missing
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def removed_on_failure(directory: str | os.PathLike[str], keep=lambda path: False) -> Iterator[Path]:
    """Delete `directory` when the block fails, if the block created it and `keep(directory)` is false.

    For outputs that are written in place to be resumable (an evaluation's predictions, a run's
    checkpoints): a run that fails before producing anything worth resuming leaves no folder behind,
    while one that produced something (keep says so) leaves it for the rerun. A directory that existed
    before the block is never touched.
    """
    path = Path(directory)
    existed = path.exists()
    try:
        yield path
    except BaseException:
        if not existed and path.is_dir() and not keep(path):
            shutil.rmtree(path, ignore_errors=True)
        raise
