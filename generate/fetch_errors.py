"""Why an image could not be used: the failure reasons of `sample-gen import` and the exception that carries one.

Every reason is a value of the failure file's `reason` column; the README lists them with their meaning.
"""

from __future__ import annotations

from typing import Literal

FailureReason = Literal[
    "no_image",  # the cell is empty or N.A.
    "bad_url",  # a URL (or a redirect's Location) that does not parse: an unbalanced [, a bad port...
    "unsupported_scheme",  # not http(s) (ftp:, file:, data:, javascript:, a scheme-relative //host/x)
    "redirect_scheme",  # an http(s) URL that redirects to another scheme
    "too_many_redirects",
    "http_error",  # a final 4xx answer such as 404
    "server_error",  # 5xx or 429 on every attempt
    "timeout",  # on every attempt (connect, headers and body share one deadline per attempt)
    "connection_error",  # refused, reset or DNS failure on every attempt
    "too_large",  # more than max_bytes, or more than max_pixels once decoded
    "not_an_image",  # PIL cannot identify it (an HTML page, text...)
    "broken_image",  # identified but cannot be decoded completely (truncated, corrupt)
    "missing_file",  # a local path that does not exist
    "not_a_file",  # a local path that is a directory, device, FIFO or socket
    "bad_path",  # a local path that cannot be used: NUL byte, too long, a symlink loop, no permission
    "outside_root",  # a local path outside the source's folder (or --local-root)
    "bad_value",  # a cell that is not a scalar (a nested JSON object or list), or undecodable embedded bytes
    "interrupted",  # the import was stopped (Ctrl-C) while this image was being fetched
    "unexpected_error",  # any other exception raised while handling this one row (the detail names it)
]


class ImageFailure(Exception):
    """An image that cannot be used; `retry` marks failures worth another attempt."""

    def __init__(self, reason: FailureReason, detail: str, retry: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: FailureReason = reason
        self.detail = detail
        self.retry = retry


def short(error: BaseException, limit: int = 160) -> str:
    """An exception's message cut to `limit` characters (a failure detail stays one readable line)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
