"""Import speed: 2,000 catalogue rows whose images come from a local threaded HTTP server.

Run: python benchmarks/bench_import.py [--rows 2000] [--latency-ms 20]
The server adds a fixed latency per request (like a CDN round trip) and serves 336 x 336 JPEGs.
Prints rows/s with 1 and with 16 concurrent downloads (the ratio), then a rerun from the cache.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image
from productlens.generate.download import DownloadConfig
from productlens.generate.importer import ImportConfig, import_set
from productlens.generate.sampleset import DBQ_COLUMNS


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
