"""Fetch product images for an import: http(s) downloads or local files, checked, cached, in parallel.

Library: `requests` (one `Session` per worker thread, connection pooling from urllib3) driven by a
`concurrent.futures` thread pool; retries and redirects are handled here so that each rule is visible:

- Only `http` and `https`. Redirects are followed by hand (at most `max_redirects`), and a redirect
  to any other scheme (`ftp:`, `file:`, `data:`...) is refused.
- Timeouts: `timeout_s` for connecting and for each read, and `deadline_s` for a whole attempt, so a
  server that trickles bytes cannot hold a worker forever.
- Retries with exponential backoff (`backoff_s * 2**attempt`) on 5xx, 429, timeouts and dropped
  connections; other 4xx answers are final.
- A size cap: a larger Content-Length is refused before reading; otherwise the body is streamed and
  the download stops as soon as it passes `max_bytes`.
- The content must decode with PIL (fully: a truncated file fails). Images are stored as RGB: JPEG
  and PNG files already in RGB keep their original bytes; anything else (RGBA, palette, CMYK, WebP,
  GIF...) is converted, transparency composited on white, and saved as PNG.
- A cache directory makes an interrupted or repeated import resumable: a good image is stored under
  the SHA-256 of its URL, written atomically. Failures are not cached, so a rerun retries them.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from PIL import Image, UnidentifiedImageError
from productlens.generate.atomic import atomic_write_bytes
from productlens.generate.clean import is_missing

FailureReason = Literal[
    "no_image",  # the cell is empty or N.A.
    "unsupported_scheme",  # not http(s) (ftp:, file:, data:...)
    "redirect_scheme",  # an http(s) URL that redirects to another scheme
    "too_many_redirects",
    "http_error",  # a final 4xx answer such as 404
    "server_error",  # 5xx or 429 on every attempt
    "timeout",  # on every attempt
    "connection_error",  # refused, reset or DNS failure on every attempt
    "too_large",  # more than max_bytes, or more than max_pixels once decoded
    "not_an_image",  # PIL cannot identify it (an HTML page, text...)
    "broken_image",  # identified but cannot be decoded completely (truncated, corrupt)
    "missing_file",  # a local path that does not exist
]
K = TypeVar("K")
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class DownloadConfig:
    """How images are fetched; the defaults suit a CDN such as a catalogue's image server."""

    concurrency: int = field(default=16, metadata={"help": "parallel downloads (threads)"})
    timeout_s: float = field(default=10.0, metadata={"help": "seconds to connect and for each read"})
    deadline_s: float = field(default=60.0, metadata={"help": "seconds for one whole attempt"})
    retries: int = field(default=3, metadata={"help": "extra attempts on 5xx, 429, timeouts, dropped links"})
    backoff_s: float = field(default=0.5, metadata={"help": "first wait before a retry; doubles each time"})
    max_bytes: int = field(default=20_000_000, metadata={"help": "largest accepted image file"})
    max_pixels: int = field(default=40_000_000, metadata={"help": "largest accepted width x height"})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed per attempt"})
    cache_dir: Path | None = field(default=None, metadata={"help": "where good images are kept; None = none"})
    user_agent: str = field(default="productlens-import/0.1", metadata={"help": "User-Agent header"})

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


class ImageFailure(Exception):
    """An image that cannot be used; `retry` marks failures worth another attempt."""

    def __init__(self, reason: FailureReason, detail: str, retry: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: FailureReason = reason
        self.detail = detail
        self.retry = retry


def to_rgb_bytes(data: bytes, max_pixels: int) -> bytes:
    """Decode `data` completely and return RGB image bytes (the original when already RGB JPEG/PNG)."""
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageFailure("not_an_image", f"not an image ({data[:16]!r}...)") from None
    except Image.DecompressionBombError as error:
        raise ImageFailure("too_large", str(error)) from None
    except Exception as error:  # a known format whose header is cut or corrupt (PIL raises many types)
        raise ImageFailure("broken_image", f"does not decode: {error}") from None
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise ImageFailure("too_large", f"{width}x{height} pixels is more than {max_pixels:,}")
        try:
            image.load()
        except Exception as error:  # truncated or corrupt data: OSError, SyntaxError, struct.error...
            raise ImageFailure("broken_image", f"{image.format} does not decode: {error}") from None
        if image.mode == "RGB" and image.format in ("JPEG", "PNG"):
            return data
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            rgb = Image.new("RGB", rgba.size, (255, 255, 255))
            rgb.paste(rgba, mask=rgba.getchannel("A"))
        else:
            rgb = image.convert("RGB")
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    return buffer.getvalue()


class ImageCache:
    """Good images by URL: `<dir>/<sha256[:2]>/<sha256>`, each written atomically."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / digest

    def get(self, url: str) -> bytes | None:
        path = self.path_for(url)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, url: str, data: bytes) -> None:
        atomic_write_bytes(self.path_for(url), data)


@dataclass
class FetchStats:
    """What the fetcher did: HTTP requests sent, cache hits, retries, bytes received."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    bytes_received: int = 0
    failures: Counter[str] = field(default_factory=Counter)


class ImageFetcher:
    """Fetch one image by URL or local path (`fetch`), safe to call from many threads."""

    def __init__(self, config: DownloadConfig, base_dir: Path | None = None) -> None:
        self.config = config
        self.base_dir = base_dir or Path(".")
        self.cache = ImageCache(config.cache_dir) if config.cache_dir is not None else None
        self.stats = FetchStats()
        self._lock = threading.Lock()
        self._local = threading.local()

    def fetch(self, source: str | bytes | None) -> ImageResult:
        """RGB image bytes for `source`: an http(s) URL, a path relative to `base_dir`, or image bytes."""
        if isinstance(source, bytes):
            try:
                return ImageResult(to_rgb_bytes(source, self.config.max_pixels))
            except ImageFailure as failure:
                return self._failed(failure, 0)
        if source is None or is_missing(source):
            return self._failed(ImageFailure("no_image", f"no image given ({source!r})"), 0)
        source = source.strip()
        if "://" not in source and not source.lower().startswith(("data:", "mailto:")):
            return self._local_file(source)
        scheme = urlsplit(source).scheme.lower()
        if scheme not in ("http", "https"):
            return self._failed(ImageFailure("unsupported_scheme", f"only http(s) URLs, not {scheme}:"), 0)
        if self.cache is not None and (cached := self.cache.get(source)) is not None:
            with self._lock:
                self.stats.cache_hits += 1
            return ImageResult(cached, from_cache=True)
        attempts = 0
        while True:
            attempts += 1
            try:
                data = to_rgb_bytes(self._download(source), self.config.max_pixels)
            except ImageFailure as failure:
                if failure.retry and attempts <= self.config.retries:
                    with self._lock:
                        self.stats.retries += 1
                    time.sleep(self.config.backoff_s * 2 ** (attempts - 1))
                    continue
                return self._failed(failure, attempts)
            if self.cache is not None:
                self.cache.put(source, data)
            return ImageResult(data, attempts=attempts)

    def _failed(self, failure: ImageFailure, attempts: int) -> ImageResult:
        with self._lock:
            self.stats.failures[failure.reason] += 1
        return ImageResult(None, failure.reason, failure.detail, attempts=attempts)

    def _local_file(self, path_text: str) -> ImageResult:
        path = Path(path_text)
        path = path if path.is_absolute() else self.base_dir / path
        try:
            size = path.stat().st_size
            if size > self.config.max_bytes:
                raise ImageFailure(
                    "too_large", f"{path} has {size:,} bytes, more than {self.config.max_bytes:,}"
                )
            return ImageResult(to_rgb_bytes(path.read_bytes(), self.config.max_pixels))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return self._failed(ImageFailure("missing_file", f"{path} does not exist"), 0)
        except ImageFailure as failure:
            return self._failed(failure, 0)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_maxsize=4, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = self.config.user_agent
            self._local.session = session
        return session

    def _download(self, url: str) -> bytes:
        """The body of `url` after following http(s) redirects; ImageFailure on anything else."""
        config = self.config
        started = time.monotonic()
        current = url
        for _hop in range(config.max_redirects + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise ImageFailure("redirect_scheme", f"redirected to {scheme}: ({current}); only http(s)")
            with self._lock:
                self.stats.requests += 1
            try:
                response = self._session().get(
                    current, stream=True, allow_redirects=False, timeout=(config.timeout_s, config.timeout_s)
                )
            except requests.exceptions.Timeout:
                raise ImageFailure(
                    "timeout", f"no answer within {config.timeout_s:g} s", retry=True
                ) from None
            except requests.exceptions.RequestException as error:
                raise ImageFailure("connection_error", _short(error), retry=True) from None
            with response:
                if response.is_redirect:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code in RETRYABLE_STATUS:
                    raise ImageFailure("server_error", f"HTTP {response.status_code}", retry=True)
                if response.status_code != 200:
                    raise ImageFailure("http_error", f"HTTP {response.status_code} {response.reason}")
                return self._read_body(response, started)
        raise ImageFailure("too_many_redirects", f"more than {config.max_redirects} redirects")

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        config = self.config
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > config.max_bytes:
            raise ImageFailure("too_large", f"Content-Length {int(declared):,} > {config.max_bytes:,} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                # read1 returns what has arrived (up to 64 KiB) instead of waiting for a full block,
                # so the deadline is checked even while a server trickles bytes.
                chunk = response.raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > config.max_bytes:
                    raise ImageFailure(
                        "too_large", f"body passed {config.max_bytes:,} bytes; stopped reading"
                    )
                if time.monotonic() - started > config.deadline_s:
                    raise ImageFailure("timeout", f"download took over {config.deadline_s:g} s", retry=True)
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError:
            raise ImageFailure("timeout", f"body stalled over {config.timeout_s:g} s", retry=True) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:  # cut off mid-body, reset, bad encoding
            raise ImageFailure("connection_error", _short(error), retry=True) from None
        finally:
            with self._lock:
                self.stats.bytes_received += size
        return b"".join(chunks)


def _short(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 160 else text[:157] + "..."


def fetch_ordered(
    fetcher: ImageFetcher,
    jobs: Iterable[tuple[K, str | bytes | None]],
    on_done: Callable[[ImageResult], None] | None = None,
) -> Iterator[tuple[K, ImageResult]]:
    """(key, result) for each (key, source) job, in job order, fetched by `concurrency` threads.

    At most four times `concurrency` fetches are in flight, so memory stays flat for any number of
    rows; `on_done(result)` is called in the worker thread as soon as each one finishes (progress).
    """
    window = 4 * fetcher.config.concurrency

    def run(source: str | bytes | None) -> ImageResult:
        result = fetcher.fetch(source)
        if on_done is not None:
            on_done(result)
        return result

    pending: deque[tuple[K, Future[ImageResult]]] = deque()
    with ThreadPoolExecutor(max_workers=fetcher.config.concurrency, thread_name_prefix="fetch") as pool:
        try:
            for key, source in jobs:
                pending.append((key, pool.submit(run, source)))
                if len(pending) >= window:
                    key0, future = pending.popleft()
                    yield key0, future.result()
            while pending:
                key0, future = pending.popleft()
                yield key0, future.result()
        finally:
            for _key, future in pending:
                future.cancel()
