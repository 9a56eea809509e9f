"""Fetch product images for an import: http(s) downloads or local files, checked, cached, in parallel.

Library: `requests` (one `Session` per worker thread, connection pooling from urllib3) driven by a
`concurrent.futures` thread pool; retries and redirects are handled here so that each rule is visible:

- Only `http` and `https`. Redirects are followed by hand (at most `max_redirects`), and a redirect
  to any other scheme (`ftp:`, `file:`, `data:`...) is refused.
- Timeouts: `timeout_s` for connecting and for each read, and `deadline_s` for a whole attempt from
  connect to last byte, headers included (`attempts.py` shuts the attempt's sockets down when it
  passes), so a server that trickles headers or body cannot hold a worker. `cancel()` (Ctrl-C) stops
  every attempt in flight the same way, and skips the remaining retries.
- A URL that does not parse (an unbalanced `[`, a bad port, no host) or a redirect to one is a
  `bad_url` failure of its row; so is any other exception raised while fetching one image
  (`unexpected_error`): `fetch` never raises.
- Retries with exponential backoff (`backoff_s * 2**attempt`) on 5xx, 429, timeouts and dropped
  connections; other 4xx answers are final.
- A size cap: a larger Content-Length is refused before reading; otherwise the body is streamed and
  the download stops as soon as it passes `max_bytes`.
- The content must decode with PIL (fully: a truncated file fails). Images are stored upright and RGB
  (`core/image_modes.py`, shared with the model's processor): JPEG and PNG files already in RGB with no
  EXIF turn keep their original bytes; anything else (RGBA, palette, CMYK, 16/32-bit greys, WebP,
  GIF, a phone photo tagged as sideways) is converted, transparency on white, and saved as PNG.
  Embedded bytes get the same size cap as a download.
- Local paths follow `local_files.py` (relative paths inside the source's folder, else `--local-root`;
  regular files only, the same size cap and deadline).
- A cache directory makes an interrupted or repeated import resumable: a good image is stored under
  the SHA-256 of its URL, written atomically. Failures are not cached, so a rerun retries them. A
  cache entry is decoded like a download before it is used; one that does not decode is replaced.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3
from PIL import Image, UnidentifiedImageError
from productlens.core.atomic_writes import atomic_write_bytes
from productlens.core.image_modes import to_rgb, upright
from productlens.core.ordered_map import ordered_map
from productlens.generate.attempts import Attempt, AttemptRegistry, DeadlineAdapter
from productlens.generate.clean import is_missing
from productlens.generate.fetch_errors import FailureReason, ImageFailure, short
from productlens.generate.local_files import LocalRoots, read_local

K = TypeVar("K")
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class DownloadConfig:
    """How images are fetched; the defaults suit a CDN such as a catalogue's image server."""

    concurrency: int = field(default=16, metadata={"help": "Parallel downloads (threads)."})
    timeout_s: float = field(
        default=10.0, metadata={"help": "Seconds to connect / per read.", "flag": "--timeout"}
    )
    deadline_s: float = field(
        default=60.0,
        metadata={"help": "Seconds for one whole attempt (connect, headers, body).", "flag": "--deadline"},
    )
    retries: int = field(
        default=3, metadata={"help": "Retries on 5xx, 429, timeouts and dropped connections."}
    )
    backoff_s: float = field(
        default=0.5, metadata={"help": "First retry wait in seconds (doubles).", "flag": "--backoff"}
    )
    max_bytes: int = field(default=20_000_000, metadata={"help": "Largest image file in bytes."})
    max_pixels: int = field(default=40_000_000, metadata={"help": "Largest accepted width x height."})
    max_redirects: int = field(default=5, metadata={"help": "Redirects followed per attempt."})
    cache_dir: Path | None = field(
        default=None,
        metadata={
            "help": "Where good images are kept, so an interrupted import resumes; None: no cache.",
        },
    )
    local_root: Path | None = field(
        default=None,
        metadata={
            "help": "Also read local image paths that resolve under DIR (absolute paths, .. out of the "
            "source's folder).",
            "path": {"file_okay": False, "exists": True},
            "default_text": "only relative paths inside the source's folder",
        },
    )
    user_agent: str = field(default="productlens-import/0.1", metadata={"help": "User-Agent header."})

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.timeout_s <= 0 or self.deadline_s <= 0:
            raise ValueError(f"timeouts must be positive, got {self.timeout_s} and {self.deadline_s}")
        if self.retries < 0 or self.backoff_s < 0:
            raise ValueError(
                f"retries and backoff must not be negative, got {self.retries}, {self.backoff_s}"
            )
        if self.max_bytes < 1 or self.max_pixels < 1:
            raise ValueError("max_bytes and max_pixels must be at least 1")


@dataclass(frozen=True)
class ImageResult:
    """The outcome for one image: RGB image bytes, or the reason there are none."""

    data: bytes | None
    reason: FailureReason | None = None
    detail: str = ""
    from_cache: bool = False
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.data is not None


def to_rgb_bytes(data: bytes, max_pixels: int) -> bytes:
    """Decode `data` completely and return upright RGB image bytes.

    An RGB JPEG or PNG without an EXIF turn keeps its original bytes; anything else (another mode,
    another format, a photo whose EXIF orientation says to turn it) is converted with the shared
    `to_rgb` and `upright` rules and stored as PNG (lossless, and with no orientation tag left).
    """
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageFailure("not_an_image", f"not an image ({data[:16]!r}...)") from None
    except Image.DecompressionBombError as error:
        raise ImageFailure("too_large", str(error)) from None
    except Exception as error:  # a known format whose header is cut or corrupt (PIL raises many types)
        raise ImageFailure("broken_image", f"does not decode: {short(error)}") from None
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise ImageFailure("too_large", f"{width}x{height} pixels is more than {max_pixels:,}")
        try:
            image.load()
        except Exception as error:  # truncated or corrupt data: OSError, SyntaxError, struct.error...
            raise ImageFailure("broken_image", f"{image.format} does not decode: {short(error)}") from None
        try:
            turned = upright(image)
        except Exception as error:
            raise ImageFailure(
                "broken_image", f"EXIF orientation cannot be applied: {short(error)}"
            ) from None
        if turned is image and image.mode == "RGB" and image.format in ("JPEG", "PNG"):
            return data
        rgb = to_rgb(turned)
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    return buffer.getvalue()


def embedded_bytes(value: object) -> bytes:
    """Image bytes from a cell: raw bytes, or base64 text (JSON Lines cannot hold raw bytes)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImageFailure("bad_value", "embedded image bytes are text that is not base64") from None
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    raise ImageFailure("bad_value", f"embedded image bytes are a {type(value).__name__}, not bytes or base64")


class ImageCache:
    """Good images by URL: `<dir>/<sha256[:2]>/<sha256>`, each written atomically."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
        return self.directory / digest[:2] / digest

    def get(self, url: str) -> bytes | None:
        path = self.path_for(url)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def put(self, url: str, data: bytes) -> None:
        atomic_write_bytes(self.path_for(url), data)

    def remove(self, url: str) -> None:
        self.path_for(url).unlink(missing_ok=True)


@dataclass
class FetchStats:
    """What the fetcher did: HTTP requests sent, cache hits, retries, bytes received."""

    requests: int = 0
    cache_hits: int = 0
    cache_replaced: int = 0  # cache entries that did not decode, fetched again
    retries: int = 0
    bytes_received: int = 0
    failures: Counter[str] = field(default_factory=Counter)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def source_kind(source: str) -> str:
    """`url` (has a scheme), `scheme_relative` (//host/x) or `local` (a path; `C:\\x` is a path too)."""
    if source.startswith(("//", "\\\\")):
        return "scheme_relative"
    match = _SCHEME.match(source)
    return "url" if match and len(match.group(1)) > 1 else "local"


def parse_url(url: str) -> SplitResult:
    """The parts of an http(s) URL; ImageFailure bad_url when it does not parse or names no host."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number or out of range
    except ValueError as error:
        raise ImageFailure("bad_url", f"not a valid URL: {short(error)}") from None
    if not parts.hostname:
        raise ImageFailure("bad_url", "not a valid URL: no host name")
    if any(ord(c) < 32 or ord(c) == 127 for c in url):  # spaces are fine: requests quotes them
        raise ImageFailure("bad_url", "not a valid URL: it holds control characters")
    return parts


class ImageFetcher:
    """Fetch one image by URL or local path (`fetch`), safe to call from many threads."""

    def __init__(self, config: DownloadConfig, base_dir: Path | None = None) -> None:
        self.config = config
        self.roots = LocalRoots(
            source_dir=base_dir.resolve() if base_dir is not None else None,
            allowed_root=config.local_root.resolve() if config.local_root is not None else None,
        )
        self.cache = ImageCache(config.cache_dir) if config.cache_dir is not None else None
        self.stats = FetchStats()
        self.attempts = AttemptRegistry()
        self._lock = threading.Lock()
        self._local = threading.local()

    def cancel(self) -> None:
        """Stop every attempt in flight and refuse new ones (Ctrl-C): each returns `interrupted` at once."""
        self.attempts.cancel_all()

    def fetch(self, source: str | bytes | None) -> ImageResult:
        """RGB image bytes for `source`: an http(s) URL, a local path, or image bytes; never raises."""
        try:
            return self._fetch(source)
        except ImageFailure as failure:
            return self._failed(failure, 0)
        except Exception as error:  # anything else is this row's failure, never the whole import's
            return self._failed(
                ImageFailure("unexpected_error", f"{type(error).__name__}: {short(error)}"), 0
            )

    def _fetch(self, source: str | bytes | None) -> ImageResult:
        if isinstance(source, bytes):
            if len(source) > self.config.max_bytes:
                raise ImageFailure(
                    "too_large", f"{len(source):,} embedded bytes, more than {self.config.max_bytes:,}"
                )
            return ImageResult(to_rgb_bytes(source, self.config.max_pixels))
        if source is None or is_missing(source):
            raise ImageFailure("no_image", f"no image given ({source!r})")
        source = source.strip()
        kind = source_kind(source)
        if kind == "scheme_relative":
            raise ImageFailure(
                "unsupported_scheme", "a scheme-relative URL (//host/...) names no scheme; write https://"
            )
        if kind == "local":
            data = read_local(source, self.roots, self.config.max_bytes, self.config.deadline_s)
            return ImageResult(to_rgb_bytes(data, self.config.max_pixels))
        scheme = _SCHEME.match(source).group(1).lower()  # type: ignore[union-attr]
        if scheme not in ("http", "https"):
            raise ImageFailure("unsupported_scheme", f"only http(s) URLs, not {scheme}:")
        parse_url(source)
        if self.cache is not None and (cached := self._cached(source)) is not None:
            return cached
        attempts = 0
        while True:
            if self.attempts.stopped.is_set():
                raise ImageFailure("interrupted", "the import was stopped")
            attempts += 1
            try:
                data = to_rgb_bytes(self._download(source), self.config.max_pixels)
            except ImageFailure as failure:
                if failure.retry and attempts <= self.config.retries:
                    with self._lock:
                        self.stats.retries += 1
                    if self.attempts.stopped.wait(self.config.backoff_s * 2 ** (attempts - 1)):
                        raise ImageFailure("interrupted", "the import was stopped") from None
                    continue
                return self._failed(failure, attempts)
            if self.cache is not None:
                self.cache.put(source, data)
            return ImageResult(data, attempts=attempts)

    def _cached(self, url: str) -> ImageResult | None:
        """A cache entry that decodes; one that does not is removed (and fetched again by the caller)."""
        assert self.cache is not None
        cached = self.cache.get(url)
        if cached is None:
            return None
        try:
            data = to_rgb_bytes(cached, self.config.max_pixels)
        except ImageFailure:
            self.cache.remove(url)
            with self._lock:
                self.stats.cache_replaced += 1
            return None
        with self._lock:
            self.stats.cache_hits += 1
        return ImageResult(data, from_cache=True)

    def _failed(self, failure: ImageFailure, attempts: int) -> ImageResult:
        with self._lock:
            self.stats.failures[failure.reason] += 1
        return ImageResult(None, failure.reason, failure.detail, attempts=attempts)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = DeadlineAdapter(pool_maxsize=4, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = self.config.user_agent
            self._local.session = session
        return session

    def _get(self, url: str) -> requests.Response:
        """One GET through the transport adapter. `Session.get` is not used: even with redirects off
        it parses the Location header, and a malformed one raised out of the whole import."""
        session = self._session()
        prepared = session.prepare_request(requests.Request("GET", url))
        assert prepared.url is not None  # prepare_request always sets it
        settings = session.merge_environment_settings(prepared.url, {}, True, None, None)
        return session.get_adapter(prepared.url).send(
            prepared,
            stream=True,
            timeout=(self.config.timeout_s, self.config.timeout_s),
            verify=settings["verify"],
            cert=settings["cert"],
            proxies=settings["proxies"],
        )

    def _download(self, url: str) -> bytes:
        """The body of `url` after following http(s) redirects, within one deadline; ImageFailure otherwise."""
        with self.attempts.attempt(self.config.deadline_s) as attempt:
            try:
                return self._follow(url, attempt)
            except ImageFailure as failure:
                raise self._stopped(attempt) or failure from None
            except Exception:
                stopped = self._stopped(attempt)
                if stopped is not None:
                    raise stopped from None
                raise

    def _stopped(self, attempt: Attempt) -> ImageFailure | None:
        """Why an attempt ended early, when its sockets were shut down by the deadline or a cancel."""
        if attempt.cancelled:
            return ImageFailure("interrupted", "the import was stopped")
        if attempt.expired:
            return ImageFailure(
                "timeout",
                f"no complete answer: over the {self.config.deadline_s:g} s deadline, stopped after "
                f"{attempt.elapsed:.1f} s (connect, headers and body count)",
                retry=True,
            )
        return None

    def _follow(self, url: str, attempt: Attempt) -> bytes:
        config = self.config
        current = url
        for _hop in range(config.max_redirects + 1):
            parts = parse_url(current)
            scheme = parts.scheme.lower()
            if scheme not in ("http", "https"):
                raise ImageFailure("redirect_scheme", f"redirected to {scheme}: ({current}); only http(s)")
            with self._lock:
                self.stats.requests += 1
            try:
                response = self._get(current)
            except requests.exceptions.Timeout:
                raise ImageFailure(
                    "timeout", f"no answer within {config.timeout_s:g} s", retry=True
                ) from None
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.InvalidSchema,
                requests.exceptions.MissingSchema,
                urllib3.exceptions.LocationParseError,
            ) as error:
                raise ImageFailure("bad_url", f"not a valid URL: {short(error)}") from None
            except requests.exceptions.RequestException as error:
                raise ImageFailure("connection_error", short(error), retry=True) from None
            with response:
                if response.is_redirect:
                    location = response.headers["location"]
                    try:
                        current = urljoin(current, location)
                        parse_url(current)
                    except (ValueError, ImageFailure):
                        raise ImageFailure(
                            "bad_url", f"redirect to a Location that is not a valid URL: {location[:120]!r}"
                        ) from None
                    continue
                if response.status_code in RETRYABLE_STATUS:
                    raise ImageFailure("server_error", f"HTTP {response.status_code}", retry=True)
                if response.status_code != 200:
                    raise ImageFailure("http_error", f"HTTP {response.status_code} {response.reason}")
                return self._read_body(response, attempt)
        raise ImageFailure("too_many_redirects", f"more than {config.max_redirects} redirects")

    def _read_body(self, response: requests.Response, attempt: Attempt) -> bytes:
        config = self.config
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > config.max_bytes:
            raise ImageFailure("too_large", f"Content-Length {int(declared):,} > {config.max_bytes:,} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                # read1 returns what has arrived (up to 64 KiB) instead of waiting for a full block;
                # a deadline or cancel shuts the socket down, which ends a blocked read at once.
                chunk = response.raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > config.max_bytes:
                    raise ImageFailure(
                        "too_large", f"body passed {config.max_bytes:,} bytes; stopped reading"
                    )
                if attempt.elapsed > config.deadline_s:
                    attempt.expire()
                    break
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError:
            raise ImageFailure("timeout", f"body stalled over {config.timeout_s:g} s", retry=True) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:  # cut off mid-body, reset, bad encoding
            raise ImageFailure("connection_error", short(error), retry=True) from None
        finally:
            with self._lock:
                self.stats.bytes_received += size
        stopped = self._stopped(attempt)
        if stopped is not None:
            raise stopped
        return b"".join(chunks)


def fetch_ordered(
    fetcher: ImageFetcher,
    jobs: Iterable[tuple[K, str | bytes | None]],
    on_done: Callable[[ImageResult], None] | None = None,
) -> Generator[tuple[K, ImageResult], None, None]:
    """(key, result) for each (key, source) job, in job order, fetched by `concurrency` threads.

    At most four times `concurrency` fetches are in flight, so memory stays flat for any number of
    rows; `on_done(result)` is called in the worker thread as soon as each one finishes (progress).
    When the caller stops early (Ctrl-C, an error, closing the iterator), queued fetches are
    cancelled and those in flight are stopped through their sockets, so the threads end within moments.
    """

    def run(job: tuple[K, str | bytes | None]) -> ImageResult:
        result = fetcher.fetch(job[1])
        if on_done is not None:
            on_done(result)
        return result

    workers = fetcher.config.concurrency
    fetches = ordered_map(
        run, jobs, workers=workers, threads=True, on_stop=fetcher.cancel, thread_name="fetch"
    )
    with closing(fetches):
        for (key, _source), result in fetches:
            yield key, result
