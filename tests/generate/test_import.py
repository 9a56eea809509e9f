"""`sample-gen import` end to end against a local HTTP server that misbehaves in every usual way."""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import DBQ_COLUMNS, load_sample_set, read_manifest, split_for
from productlens.generate.cli import main
from productlens.generate.download import DownloadConfig, ImageFetcher
from productlens.generate.importer import ImportConfig, import_set, read_failures

TIMEOUT = 0.3  # the slow route sleeps longer than this
FAST = ["--timeout", str(TIMEOUT), "--retries", "1", "--backoff", "0.01", "--max-bytes", "200000"]


def _jpeg(index: int, size: int = 24) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (index * 9 % 256, 80, 255 - index * 9 % 256)).save(buffer, "JPEG")
    return buffer.getvalue()


def _rgba_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (200, 30, 30, 0)).save(buffer, "PNG")
    return buffer.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 16 parallel connects must not wait for a SYN retransmit


class ImageServer:
    """Threaded HTTP server on 127.0.0.1: good images plus every failure the importer must survive."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str = "image/jpeg") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeout): expected
                    self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path
                with server.lock:
                    server.hits[path] += 1
                    hits = server.hits[path]
                if path.startswith("/img/"):
                    self._send(200, _jpeg(int(path.split("/")[2].split(".")[0])))
                elif path == "/rgba.png":
                    self._send(200, _rgba_png(), "image/png")
                elif path.startswith("/flaky/"):  # 500 on the first request, then the image
                    if hits == 1:
                        self._send(500, b"busy", "text/plain")
                    else:
                        self._send(200, _jpeg(99))
                elif path == "/always-500.jpg":
                    self._send(503, b"down", "text/plain")
                elif path == "/slow.jpg":
                    time.sleep(TIMEOUT * 3)
                    self._send(200, _jpeg(1))
                elif path == "/truncated.jpg":
                    body = _jpeg(3, size=64)
                    self._send(200, body[: len(body) // 2])
                elif path == "/huge-declared.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(50_000_000))
                    self.end_headers()
                elif path == "/huge-stream.jpg":  # no Content-Length: the client must stop reading
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    try:
                        self.wfile.write(_jpeg(4))
                        for _ in range(200):
                            self.wfile.write(b"\0" * 65536)
                    except OSError:
                        pass
                    self.close_connection = True
                elif path == "/trickle.jpg":  # a byte every 50 ms: each read is on time, the whole is not
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        for byte in _jpeg(2):
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.05)
                    self.close_connection = True
                elif path == "/page.html":
                    self._send(200, b"<html><body>Product page</body></html>", "text/html")
                elif path == "/redirect-ftp.jpg":
                    self.send_response(302)
                    self.send_header("Location", "ftp://127.0.0.1/image.jpg")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif path == "/moved.jpg":
                    self.send_response(301)
                    self.send_header("Location", "/img/7.jpg")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._send(404, b"not found", "text/plain")

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ImageServer]:
    image_server = ImageServer()
    yield image_server
    image_server.close()


GOOD_PRICES = ["$1,290.00", "1.290,50 €", "890", "USD 450.00", "2 450", "349.99"]
# (image path, expected failure reason); None = the row must be imported.
BAD_IMAGES = {
    "N.A.": "no_image",
    "/missing.jpg": "http_error",
    "/always-500.jpg": "server_error",
    "/slow.jpg": "timeout",
    "/truncated.jpg": "broken_image",
    "/huge-declared.jpg": "too_large",
    "/huge-stream.jpg": "too_large",
    "/page.html": "not_an_image",
    "/redirect-ftp.jpg": "redirect_scheme",
    "ftp://127.0.0.1/direct.jpg": "unsupported_scheme",
}


def _row(code: str, url: str, index: int, category3: str = "TRENCH COATS") -> dict[str, str]:
    price = GOOD_PRICES[index % len(GOOD_PRICES)]
    return {
        "website_name": "BURBERRY",
        "competence_date": "2023-11-10",
        "country_code": "USA",
        "currency_code": "USD",
        "brand": "BURBERRY",
        "category1_code": "WOMEN",
        "category2_code": "CLOTHING",
        "category3_code": category3,
        "product_code": code,
        "title": f"Product {index} Check Cotton Trench",
        "itemurl": f"https://example.test/p/{code}",
        "imageurl": url,
        "full_price": price,
        "price": price,
        "full_price_eur": "N.A.",
        "price_eur": "N.A.",
        "flg_discount": "0",
    }


def write_catalogue(path: Path, base: str) -> dict[str, str | None]:
    """A DBQ-schema CSV of 38 rows; returns product_code -> expected failure reason (None = good)."""
    rows: list[dict[str, str]] = []
    expected: dict[str, str | None] = {}
    for index in range(24):
        url = f"{base}/img/{index}.jpg"
        if index == 5:
            url = f"{base}/flaky/5.jpg"
        elif index == 6:
            url = f"{base}/rgba.png"
        elif index == 7:
            url = f"{base}/moved.jpg"
        category3 = "N.A." if index in (3, 4) else ("TOTE BAGS" if index % 2 else "TRENCH COATS")
        code = f"8{index:07d}"
        rows.append(_row(code, url, index, category3))
        expected[code] = None
    for offset, (path_or_url, reason) in enumerate(BAD_IMAGES.items()):
        index = 100 + offset
        url = path_or_url if "://" in path_or_url or path_or_url == "N.A." else base + path_or_url
        code = f"9{index:07d}"
        rows.append(_row(code, url, index))
        expected[code] = reason
    bad_price = _row("95000000", f"{base}/img/50.jpg", 50)
    bad_price["full_price"] = "N.A."
    rows.append(bad_price)
    expected["95000000"] = "bad_price"
    duplicate = _row("80000002", f"{base}/img/51.jpg", 51)  # same code as row 3
    rows.append(duplicate)
    no_title = _row("95000001", f"{base}/img/52.jpg", 52)
    no_title["title"] = "N.A."
    rows.append(no_title)
    expected["95000001"] = "no_title"
    rows.append(_row("95000002", f"{base}/img/53.jpg", 53))  # a good row after all the bad ones
    expected["95000002"] = None
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(DBQ_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return expected


def _import(source: Path, out: Path, cache: Path, *extra: str) -> object:
    args = ["import", str(source), "--out", str(out), "--cache-dir", str(cache), *FAST, *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_import_keeps_every_good_row_and_reports_every_bad_one(server: ImageServer, tmp_path: Path) -> None:
    source = tmp_path / "catalogue.csv"
    expected = write_catalogue(source, server.url)
    result = _import(source, tmp_path / "set", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    good = sorted(code for code, reason in expected.items() if reason is None)

    dataset = load_sample_set(tmp_path / "set")
    imported = {row["product_code"]: (split, row) for split in dataset for row in dataset[split]}
    assert sorted(imported) == good
    for code, (split, row) in imported.items():
        assert split == split_for(code)
        assert row["source"] == "imported" and row["oracle_price"] is None and row["attr_colour"] is None
        assert row["image"].mode == "RGB"
    assert imported["80000006"][1]["image"].getpixel((5, 5)) == (255, 255, 255)  # alpha on white
    assert imported["80000001"][1]["full_price"] == 1290.5
    assert imported["80000003"][1]["category3_code"] == "N.A."

    failures = read_failures(tmp_path / "set" / "import-failures.csv")
    reasons = {f["product_code"]: f["reason"] for f in failures}
    wanted = {code: reason for code, reason in expected.items() if reason is not None}
    assert {code: reasons[code] for code in wanted} == wanted
    duplicates = [f for f in failures if f["reason"] == "duplicate_product_code"]
    assert [(d["product_code"], d["detail"]) for d in duplicates] == [
        ("80000002", "same product_code as row 3")
    ]
    assert len(failures) == len(wanted) + 1
    assert all(f["row"].isdigit() and f["url"] for f in failures if f["reason"] != "no_image")
    assert len(imported) + len(failures) == 38

    assert server.hits["/flaky/5.jpg"] == 2  # 500, then a retry that succeeds
    assert server.hits["/always-500.jpg"] == 2  # first attempt + 1 retry
    assert "imported 25 of 38 rows" in result.output
    assert "13 rows failed" in result.output and "timeout" in result.output
    manifest = read_manifest(tmp_path / "set")
    assert manifest["config"]["result"]["failures"]["too_large"] == 2


def test_second_import_reuses_the_cache_and_retries_only_failures(
    server: ImageServer, tmp_path: Path
) -> None:
    source = tmp_path / "catalogue.csv"
    write_catalogue(source, server.url)
    cache = tmp_path / "cache"
    assert _import(source, tmp_path / "first", cache).exit_code == 0
    first = Counter(server.hits)
    server.hits.clear()
    result = _import(source, tmp_path / "second", cache)
    assert result.exit_code == 0, result.output
    assert not any(path.startswith(("/img/", "/flaky/", "/rgba")) for path in server.hits)
    assert server.hits["/missing.jpg"] == 1  # failures are not cached: tried again
    assert sum(server.hits.values()) < sum(first.values())
    first_rows = pd.read_parquet(tmp_path / "first" / "data")
    second_rows = pd.read_parquet(tmp_path / "second" / "data")
    assert first_rows["image"].tolist() == second_rows["image"].tolist()


def test_other_schemas_through_map_with_local_image_paths(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    rows = []
    for index in range(6):
        (tmp_path / "photos" / f"{index}.jpg").write_bytes(_jpeg(index))
        rows.append(
            {
                "sku": f"S{index}",
                "name": f"Scarf {index}",
                "cat": "" if index == 0 else "SCARVES",
                "cost": f"€{100 + index},00",
                "photo": f"photos/{index}.jpg",
            }
        )
    rows[5]["photo"] = "photos/absent.jpg"
    pd.DataFrame(rows).to_csv(tmp_path / "shop.csv", index=False)
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(tmp_path / "shop.csv"),
            "--out",
            str(tmp_path / "set"),
            "--no-cache",
            "--map",
            "product_code=sku,title=name,category3_code=cat,full_price=cost,image=photo",
            "--na-category",
            "OTHER",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(tmp_path / "set" / "data").sort_values("product_code")
    assert table["product_code"].tolist() == ["S0", "S1", "S2", "S3", "S4"]
    assert table["category3_code"].tolist() == ["OTHER", "SCARVES", "SCARVES", "SCARVES", "SCARVES"]
    assert table["full_price"].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]
    failures = read_failures(tmp_path / "set" / "import-failures.csv")
    assert [(f["row"], f["reason"]) for f in failures] == [("6", "missing_file")]


def test_parquet_with_embedded_images_and_clear_errors(tmp_path: Path) -> None:
    rows = [{**_row(f"P{i}", "N.A.", i), "image": {"bytes": _jpeg(i), "path": None}} for i in range(4)]
    rows[3]["image"] = {"bytes": b"<html>not an image</html>", "path": None}
    pd.DataFrame(rows).to_parquet(tmp_path / "dbq.parquet")
    report = import_set(ImportConfig(source=str(tmp_path / "dbq.parquet"), out=tmp_path / "set"))
    assert report.rows_imported == 3
    assert [(f.row, f.reason) for f in report.failures] == [(4, "not_an_image")]

    runner = CliRunner()
    missing = runner.invoke(
        main, ["import", str(tmp_path / "dbq.parquet"), "--out", str(tmp_path / "o"), "--map", "title=name"]
    )
    assert missing.exit_code != 0 and "do not exist: name" in missing.output
    absent = runner.invoke(main, ["import", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")])
    assert absent.exit_code != 0 and "nope.csv does not exist" in absent.output
    taken = runner.invoke(main, ["import", str(tmp_path / "dbq.parquet"), "--out", str(tmp_path / "set")])
    assert taken.exit_code != 0 and "--overwrite" in taken.output


def test_an_import_with_no_usable_image_fails_and_keeps_the_failure_file(tmp_path: Path) -> None:
    pd.DataFrame([_row(f"N{i}", "N.A.", i) for i in range(3)]).to_csv(tmp_path / "c.csv", index=False)
    result = CliRunner().invoke(main, ["import", str(tmp_path / "c.csv"), "--out", str(tmp_path / "set")])
    assert result.exit_code != 0
    assert "no row of" in result.output and "no_image 3" in result.output
    assert not (tmp_path / "set").exists()
    assert len(read_failures(tmp_path / "set.import-failures.csv")) == 3


def test_fetcher_stops_a_stream_past_the_cap_without_reading_it_all(server: ImageServer) -> None:
    fetcher = ImageFetcher(DownloadConfig(max_bytes=100_000, timeout_s=2, retries=0))
    result = fetcher.fetch(f"{server.url}/huge-stream.jpg")
    assert result.reason == "too_large" and "stopped reading" in result.detail
    assert 100_000 < fetcher.stats.bytes_received <= 100_000 + 65_536  # the server offered 13 MB


def test_a_trickling_server_hits_the_deadline(server: ImageServer) -> None:
    fetcher = ImageFetcher(DownloadConfig(timeout_s=0.3, deadline_s=0.4, retries=0))
    started = time.monotonic()
    result = fetcher.fetch(f"{server.url}/trickle.jpg")
    assert result.reason == "timeout" and "over the 0.4 s deadline" in result.detail
    assert time.monotonic() - started < 1.5


def test_hub_dataset_ids_go_through_datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No hub in tests: `datasets.load_dataset` is replaced by a local in-memory dataset."""
    import datasets

    rows = [{**_row(f"H{i}", "N.A.", i), "image": {"bytes": _jpeg(i), "path": None}} for i in range(3)]
    features = datasets.Features({**{k: datasets.Value("string") for k in rows[0] if k != "image"},
                                  "image": datasets.Image()})  # fmt: skip
    local = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows, features=features)})
    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda name, split=None: calls.append(name) or local)
    report = import_set(
        ImportConfig(source="DBQ/Burberry.Product.prices.United.States", out=tmp_path / "hub")
    )
    assert calls == ["DBQ/Burberry.Product.prices.United.States"]
    assert report.rows_imported == 3 and not report.failures


def test_an_unreachable_hub_gives_an_actionable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    def offline(name: str, split: str | None = None) -> None:
        raise ConnectionError("offline mode is enabled")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    result = CliRunner().invoke(main, ["import", "owner/catalogue", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "cannot load hub dataset 'owner/catalogue'" in result.output and "HF_HUB_OFFLINE" in result.output
