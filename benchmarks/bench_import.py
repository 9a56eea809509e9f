"""Import speed: 2,000 catalogue rows whose images come from a local threaded HTTP server.

Run: python benchmarks/bench_import.py [--rows 2000] [--latency-ms 20] [--skip-speed]
The server adds a fixed latency per request (like a CDN round trip) and serves 336 x 336 JPEGs.
Prints rows/s with 1 and with 16 concurrent downloads (the ratio), then a rerun from the cache.

Then two hostile servers, both bounded:
- Ctrl-C: `sample-gen import` (a subprocess) of 40 rows whose server sends one body byte every
  100 ms for a minute; once 16 downloads are in flight it gets SIGINT. Prints how long until it says
  "import interrupted" (downloads cancelled through their sockets, retries skipped, half set removed)
  and until the process is gone (Python's own teardown of pandas/pyarrow comes on top), and its exit code.
- Header trickle: a server that sends its header lines one byte every 50 ms for 60 s. Prints how
  long one such row holds an import with --deadline 5 (no retries, and the default 3 retries).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image
from productlens.core.sample_set import DBQ_COLUMNS
from productlens.generate.download import DownloadConfig
from productlens.generate.importer import ImportConfig, import_set


def photos(count: int = 32) -> list[bytes]:
    rng = np.random.default_rng(0)
    bodies = []
    for _ in range(count):
        pixels = rng.integers(0, 255, size=(42, 42, 3), dtype=np.uint8)
        image = Image.fromarray(pixels).resize((336, 336), Image.Resampling.BICUBIC)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        bodies.append(buffer.getvalue())
    return bodies


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def start_server(latency_s: float, bodies: list[bytes]) -> tuple[_Server, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a CDN would
        disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency_s)
            index = int(self.path.rsplit("/", 1)[1].split(".")[0])
            body = bodies[index % len(bodies)]
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def write_catalogue(path: Path, rows: int, base: str) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(DBQ_COLUMNS))
        writer.writeheader()
        for index in range(rows):
            writer.writerow(
                {
                    **dict.fromkeys(DBQ_COLUMNS, "N.A."),
                    "currency_code": "USD",
                    "category3_code": ("TRENCH COATS", "BAGS", "SCARVES")[index % 3],
                    "product_code": f"{80_000_000 + index}",
                    "title": f"Check Cotton Product {index}",
                    "imageurl": f"{base}/images/{index}.jpg",
                    "full_price": f"${1_000 + index % 900:,}.00",
                }
            )


def run(source: Path, out: Path, cache: Path, concurrency: int) -> tuple[float, int]:
    config = ImportConfig(
        source=str(source),
        out=out,
        download=DownloadConfig(concurrency=concurrency, timeout_s=10, cache_dir=cache),
    )
    started = time.perf_counter()
    report = import_set(config)
    return time.perf_counter() - started, report.rows_imported


class _Hostile(BaseHTTPRequestHandler):
    """/slow/N.jpg: headers, then a body byte every 100 ms; /trickle.jpg: header bytes every 50 ms."""

    stop = threading.Event()
    hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        ends = time.monotonic() + 60
        with contextlib.suppress(OSError):
            if self.path.startswith("/slow/"):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.end_headers()
                while time.monotonic() < ends and not self.stop.is_set():
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while time.monotonic() < ends and not self.stop.is_set():
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.05)
        self.close_connection = True


def ctrl_c_stop_time(root: Path, base: str) -> tuple[float, float, int | None]:
    """For an import with 16 slow downloads in flight: seconds from SIGINT to its "import interrupted"
    line (downloads stopped, half set removed), seconds to the process's exit, and its exit code."""
    source = root / "slow.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(DBQ_COLUMNS))
        writer.writeheader()
        for index in range(40):
            writer.writerow(
                {**dict.fromkeys(DBQ_COLUMNS, "N.A."), "category3_code": "BAGS", "product_code": f"S{index}",
                 "title": "Slow Bag", "full_price": "100", "imageurl": f"{base}/slow/{index}.jpg"}
            )  # fmt: skip
    script = "import sys; from productlens.generate.cli import main; sys.argv[0] = 'sample-gen'; main()"
    command = [sys.executable, "-c", script, "import", str(source), "--out", str(root / "slow-set"),
               "--cache-dir", str(root / "slow-cache"), "--deadline", "120", "--retries", "3"]  # fmt: skip
    _Hostile.hits = 0
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    said: list[float] = []

    def watch() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if b"import interrupted" in line:
                said.append(time.monotonic())

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    try:
        ends = time.monotonic() + 60
        while _Hostile.hits < 16 and time.monotonic() < ends:
            time.sleep(0.05)
        time.sleep(0.5)  # let all 16 get into their bodies
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        process.wait(timeout=120)
        exited = time.monotonic() - started
        reader.join(timeout=5)
        return (said[0] - started if said else float("nan")), exited, process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        return float("inf"), float("inf"), None


def trickle_hold_time(root: Path, base: str, retries: int) -> tuple[float, str]:
    """Seconds one header-trickling row holds an import with --deadline 5, and its failure detail."""
    source = root / f"trickle-{retries}.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(DBQ_COLUMNS))
        writer.writeheader()
        writer.writerow(
            {**dict.fromkeys(DBQ_COLUMNS, "N.A."), "category3_code": "BAGS", "product_code": "T1",
             "title": "Trickle Bag", "full_price": "100", "imageurl": f"{base}/trickle.jpg"}
        )  # fmt: skip
    config = ImportConfig(
        source=str(source),
        out=root / f"trickle-set-{retries}",
        download=DownloadConfig(timeout_s=10, deadline_s=5, retries=retries, backoff_s=0.5),
    )
    started = time.perf_counter()
    with contextlib.suppress(ValueError):  # the only row fails: "no row could be imported" is expected
        import_set(config)
    held = time.perf_counter() - started
    failures = (root / f"trickle-set-{retries}.import-failures.csv").read_text().splitlines()
    return held, failures[1].split(",", 4)[-1] if len(failures) > 1 else "?"


def hostile(root: Path) -> None:
    server = _Server(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        stopped, exited, code = ctrl_c_stop_time(root, base)
        print(
            f"Ctrl-C with 16 slow downloads in flight: import stopped {stopped:.2f} s after SIGINT, "
            f"process exited after {exited:.2f} s (exit code {code})"
        )
        for retries in (0, 3):
            held, detail = trickle_hold_time(root, base, retries)
            print(f"header-trickling server, --deadline 5 --retries {retries}: held the import {held:.2f} s")
            print(f"  failure detail: {detail}")
    finally:
        _Hostile.stop.set()
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--skip-speed", action="store_true", help="only the two hostile-server figures")
    args = parser.parse_args()
    if args.skip_speed:
        with tempfile.TemporaryDirectory() as tmp:
            hostile(Path(tmp))
        return
    bodies = photos()
    server, base = start_server(args.latency_ms / 1000, bodies)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "catalogue.csv"
        write_catalogue(source, args.rows, base)
        print(
            f"import of {args.rows:,} rows, 336x336 JPEG ~{np.mean([len(b) for b in bodies]) / 1e3:.0f} kB, "
            f"server latency {args.latency_ms:g} ms per request"
        )
        rates = {}
        for concurrency in (1, 16):
            seconds, imported = run(
                source, root / f"set-{concurrency}", root / f"cache-{concurrency}", concurrency
            )
            rates[concurrency] = imported / seconds
            print(
                f"  concurrency {concurrency:>2}: {seconds:6.2f} s  {rates[concurrency]:8.1f} rows/s  ({imported:,} rows)"
            )
        print(f"  speed-up 16 vs 1: {rates[16] / rates[1]:.1f}x")
        seconds, imported = run(source, root / "set-cached", root / "cache-16", 16)
        print(f"  rerun from the cache (concurrency 16): {seconds:6.2f} s  {imported / seconds:8.1f} rows/s")
        server.shutdown()
        hostile(root)


if __name__ == "__main__":
    main()
