"""One deadline per download attempt, connect to last byte, and cancelling every attempt at once (Ctrl-C).

`requests` bounds each socket operation (`timeout`), not a whole attempt: a server that sends its
headers one byte at a time never trips a read timeout. So every socket a download opens (or reuses)
is registered with its thread's current `Attempt`; a timer shuts those sockets down when the
attempt's deadline passes, which wakes the blocked read at once, and `AttemptRegistry.cancel_all`
does the same for every attempt in flight when the import is interrupted.

The hook is a pair of urllib3 connection classes, mounted through `DeadlineAdapter` (the transport
adapter `requests` documents for this kind of customisation).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

_current = threading.local()


class Attempt:
    """The sockets of one download attempt; `expire()` shuts them (and any opened later) down."""

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s
        self.started = time.monotonic()
        self.expired = False
        self.cancelled = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            stop = self.expired or self.cancelled
        if stop:
            _shut(sock)

    def expire(self, cancelled: bool = False) -> None:
        with self._lock:
            if cancelled:
                self.cancelled = True
            else:
                self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _register(sock: socket.socket | None) -> None:
    attempt = getattr(_current, "attempt", None)
    if attempt is not None:
        attempt.add(sock)


class _TrackedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args, **kwargs) -> None:  # a kept-alive connection is reused without _new_conn
        _register(self.sock)
        super().request(*args, **kwargs)


class _TrackedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args, **kwargs) -> None:
        _register(self.sock)
        super().request(*args, **kwargs)


class _HTTPPool(urllib3.HTTPConnectionPool):
    # urllib3's stub: its own HTTPConnection does not meet its BaseHTTPConnection protocol
    ConnectionCls = _TrackedHTTPConnection  # pyright: ignore[reportAssignmentType]


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection  # pyright: ignore[reportAssignmentType] (as above)


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections register their sockets with the thread's current Attempt."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


class AttemptRegistry:
    """The attempts in flight, so that one call cancels them all; `stopped` is set from then on."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self._live: set[Attempt] = set()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def attempt(self, deadline_s: float) -> Iterator[Attempt]:
        """Run one attempt in this thread: its sockets are shut down at the deadline or on cancel_all."""
        attempt = Attempt(deadline_s)
        timer = threading.Timer(deadline_s, attempt.expire)
        timer.daemon = True
        with self._lock:
            self._live.add(attempt)
        if self.stopped.is_set():
            attempt.expire(cancelled=True)
        _current.attempt = attempt
        timer.start()
        try:
            yield attempt
        finally:
            timer.cancel()
            _current.attempt = None
            with self._lock:
                self._live.discard(attempt)

    def cancel_all(self) -> None:
        self.stopped.set()
        with self._lock:
            live = list(self._live)
        for attempt in live:
            attempt.expire(cancelled=True)
