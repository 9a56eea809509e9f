"""Local image paths of an import: which ones may be read, and reading them with a size limit and deadline.

The rule (an untrusted catalogue must not pull arbitrary files of the machine into a set):

- A relative path is read from the source file's folder, and only when it resolves (symlinks
  followed) to a file inside that folder.
- Anything else (an absolute path, `..` out of the folder, a symlink pointing out of it, any path
  when the source is a hub dataset) is read only when it resolves inside the root named by
  `--local-root DIR`; otherwise the row fails with `outside_root`.
- Only regular files: a directory, device (`/dev/zero`), FIFO or socket fails with `not_a_file`
  before a byte is read, and the file is read with the download's `max_bytes` and `deadline_s`.
- A path that cannot be used (a NUL byte, too long, a symlink loop, no permission) fails with
  `bad_path`; one that does not exist with `missing_file`.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from productlens.generate.fetch_errors import ImageFailure

CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalRoots:
    """Where local image paths may point: the source's folder (relative paths) and an explicit root."""

    source_dir: Path | None  # None for a hub dataset: only allowed_root applies
    allowed_root: Path | None = None  # --local-root

    def describe(self) -> str:
        where = f"inside {self.source_dir}" if self.source_dir is not None else "from a hub dataset"
        return (
            f"local image paths are read only when relative and {where}; "
            "pass --local-root DIR to allow files under DIR"
        )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _path_error(text: str, error: OSError) -> ImageFailure:
    if error.errno == errno.ENOENT:
        return ImageFailure("missing_file", f"{text} does not exist")
    if error.errno == errno.ENOTDIR:
        return ImageFailure("missing_file", f"{text} does not exist (a part of it is not a directory)")
    if error.errno == errno.ELOOP:
        return ImageFailure("bad_path", f"{text} loops through symbolic links")
    if error.errno == errno.ENAMETOOLONG:
        return ImageFailure("bad_path", f"path too long ({len(text):,} characters)")
    if error.errno in (errno.EACCES, errno.EPERM):
        return ImageFailure("bad_path", f"{text}: permission denied")
    return ImageFailure("bad_path", f"{text}: {error.strerror or error}")


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def resolve_local(text: str, roots: LocalRoots) -> Path:
    """The real path of a local image reference, or ImageFailure (missing_file, bad_path, outside_root)."""
    shown = text if len(text) <= 200 else text[:197] + "..."
    if "\0" in text:
        raise ImageFailure("bad_path", f"{shown!r} holds a NUL byte")
    path = Path(text).expanduser() if text.startswith("~") else Path(text)
    relative = not path.is_absolute()
    base = roots.source_dir if roots.source_dir is not None else Path.cwd()
    candidate = base / path if relative else path
    try:
        real = Path(os.path.realpath(candidate, strict=True))
    except OSError as error:
        raise _path_error(shown, error) from None
    except ValueError as error:  # embedded NUL and similar
        raise ImageFailure("bad_path", f"{shown!r}: {error}") from None
    allowed = relative and roots.source_dir is not None and _inside(real, Path(os.path.realpath(base)))
    if not allowed and roots.allowed_root is not None:
        allowed = _inside(real, Path(os.path.realpath(roots.allowed_root)))
    if not allowed:
        raise ImageFailure("outside_root", f"{shown} resolves to {real}; {roots.describe()}")
    return real


def read_local(text: str, roots: LocalRoots, max_bytes: int, deadline_s: float) -> bytes:
    """The bytes of an allowed regular file, at most `max_bytes`, read within `deadline_s` seconds."""
    started = time.monotonic()
    real = resolve_local(text, roots)
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):  # decided before opening: opening a device can have effects
            raise ImageFailure("not_a_file", f"{real} is {_kind(info.st_mode)}; only regular files are read")
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, open returns at once.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC)
    except OSError as error:
        raise _path_error(str(real), error) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise ImageFailure(
                "not_a_file", f"{real} is {_kind(opened.st_mode)}; only regular files are read"
            )
        if opened.st_size > max_bytes:
            raise ImageFailure("too_large", f"{real} has {opened.st_size:,} bytes, more than {max_bytes:,}")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:  # the file grew while being read
                raise ImageFailure("too_large", f"{real} passed {max_bytes:,} bytes; stopped reading")
            if time.monotonic() - started > deadline_s:
                raise ImageFailure("timeout", f"reading {real} took over {deadline_s:g} s")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise _path_error(str(real), error) from None
    finally:
        os.close(fd)
