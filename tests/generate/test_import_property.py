"""Property: whatever the cells, bytes and URLs, an import ends with imported rows and failure lines only,
and rows imported + failures = rows read.

Random cells (text, numbers, NaN, nested objects and lists, lone surrogates), random embedded bytes,
random URLs on a 127.0.0.1 server that answers with random bytes or statuses, and random text that is
read as a local path or an odd scheme. Text holding `//` is left out of the random paths so that no
example can name a host other than the local server.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from productlens.core.sample_set import load_sample_set
from productlens.generate.download import DownloadConfig
from productlens.generate.fetch_errors import FailureReason
from productlens.generate.importer import FAILURE_FILE, ImportConfig, import_set, read_failures

ROW_REASONS = {
    "no_product_code",
    "no_title",
    "bad_price",
    "duplicate_product_code",
    "too_long",
    *get_args(FailureReason),
}


def _jpeg(index: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (index * 11 % 256, 90, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """/img/N.jpg: a JPEG; /b/<hex>: those bytes; /s/<status>: that status; anything else 404."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = self.path.split("/")
            status, body = 404, b"no"
            with contextlib.suppress(ValueError, IndexError):
                if parts[1] == "img":
                    status, body = 200, _jpeg(int(parts[2].split(".")[0]))
                elif parts[1] == "b":
                    status, body = 200, bytes.fromhex(parts[2])
                elif parts[1] == "s":
                    status = int(parts[2])
            with contextlib.suppress(OSError, ValueError):
                self.send_response(status if 200 <= status < 600 else 404)
                self.send_header("Content-Length", str(len(body)))
                if 300 <= status < 400:
                    self.send_header("Location", "/img/1.jpg")
                self.end_headers()
                self.wfile.write(body)

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


scalars = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
)
cells = st.one_of(
    scalars,
    st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=2),
    st.lists(st.integers(0, 9), max_size=3),
    st.sampled_from(["$1,290.00", "USD890", "N.A.", "1.290,50 €", "\ud800", "[/women]", "x" * 400]),
)
local_text = st.text(max_size=40).filter(lambda t: "//" not in t and "\\\\" not in t)


def image_cells(base: str) -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(0, 30).map(lambda i: f"{base}/img/{i}.jpg"),
        st.binary(max_size=64).map(lambda b: f"{base}/b/{b.hex()}"),
        st.integers(100, 599).map(lambda s: f"{base}/s/{s}"),
        st.text(max_size=20).map(lambda t: f"{base}/{t}"),
        local_text,
        st.binary(max_size=64).map(lambda b: {"bytes": base64.b64encode(b).decode()}),
        st.just({"bytes": base64.b64encode(_jpeg(3)).decode()}),
        cells,
    )


def records(base: str) -> st.SearchStrategy[list[dict[str, object]]]:
    record = st.fixed_dictionaries(
        {
            "product_code": st.one_of(st.sampled_from(["A", "B", "C", "D"]), cells),
            "title": st.one_of(st.just("Leather Tote Bag"), cells),
            "category3_code": cells,
            "full_price": st.one_of(st.just("$990.00"), cells),
            "image": image_cells(base),
        }
    )
    return st.lists(record, min_size=1, max_size=8)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_row_is_imported_or_one_failure_line(base_url: str, data: st.DataObject) -> None:
    rows = data.draw(records(base_url))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "catalogue.jsonl"
        source.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n[1, 2]\n", encoding="utf-8")
        config = ImportConfig(
            source=str(source),
            out=root / "set",
            download=DownloadConfig(concurrency=4, timeout_s=2, deadline_s=5, retries=0, max_bytes=50_000),
        )
        read = len(rows) + 1  # the last line is a JSON list, not an object: one more failure line
        try:
            report = import_set(config)
        except ValueError as error:  # only when no row can be imported, with every row in the file
            assert "no row of" in str(error)
            failures = read_failures(root / f"set.{FAILURE_FILE}")
            assert len(failures) == read
            assert {f["reason"] for f in failures} <= ROW_REASONS
            return
        assert report.rows_read == read
        assert report.rows_imported + len(report.failures) == read
        assert sorted({f.row for f in report.failures}) == sorted(f.row for f in report.failures)
        assert {f.reason for f in report.failures} <= ROW_REASONS
        assert "unexpected_error" not in {f.reason for f in report.failures}, report.failures
        dataset = load_sample_set(root / "set")
        assert sum(len(dataset[split]) for split in dataset) == report.rows_imported
        assert len(read_failures(root / "set" / FAILURE_FILE)) == len(report.failures)
