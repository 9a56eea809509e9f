"""`sample-gen import` against hostile catalogues and servers: one bad row is one failure line, never a lost import.

One test per point of issue 12's "Where it stands"; each builds its hostile input here (servers on
127.0.0.1 only, every wait bounded) and checks the failure line, its reason and that every other row
was imported.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import DBQ_COLUMNS, load_sample_set
from productlens.generate.cli import main
from productlens.generate.download import DownloadConfig, ImageCache, ImageFetcher
from productlens.generate.importer import ImportConfig, import_set, read_failures

FAST = ["--timeout", "0.5", "--retries", "0", "--backoff", "0.01", "--no-cache"]


def jpeg(index: int, size: tuple[int, int] = (24, 24), exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (index * 9 % 256, 80, 255 - index * 9 % 256))
    image.save(buffer, "JPEG", **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def row(code: str, image: str, index: int = 0, **changes: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(DBQ_COLUMNS, "N.A.")
    values.update(
        currency_code="USD",
        category1_code="WOMEN",
        category3_code="TOTE BAGS",
        product_code=code,
        title=f"Check Leather Tote {index}",
        imageurl=image,
        full_price=f"${990 + index}.00",
    )
    values.update(changes)
    return values


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows, columns=list(DBQ_COLUMNS)).to_csv(path, index=False)
    return path


def run_import(source: Path, out: Path, *extra: str) -> object:
    return CliRunner().invoke(main, ["import", str(source), "--out", str(out), *FAST, *extra])


def failures_by_code(out: Path) -> dict[str, tuple[str, str]]:
    return {f["product_code"]: (f["reason"], f["detail"]) for f in read_failures(out / "import-failures.csv")}


def imported_codes(out: Path) -> list[str]:
    dataset = load_sample_set(out)
    return sorted(code for split in dataset for code in dataset[split]["product_code"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class HostileServer:
    """127.0.0.1 server: `routes[path](handler)` answers; anything else under /img/N.jpg is a good JPEG."""

    def __init__(self, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> None:
        self.hits: Counter[str] = Counter()
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = routes.get(self.path)
                with contextlib.suppress(OSError):  # the client hung up: what these tests want
                    if route is not None:
                        route(self)
                    elif self.path.startswith("/img/"):
                        send(self, 200, jpeg(int(self.path.split("/")[2].split(".")[0])))
                    else:
                        send(self, 404, b"not found")

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "image/jpeg") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def hostile_server(routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> Iterator[HostileServer]:
    server = HostileServer(routes)
    try:
        yield server
    finally:
        server.close()


def bad_location(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(302)
    handler.send_header("Location", "http://[::1/broken.jpg")  # unbalanced IPv6 bracket
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def trickle_headers(
    server_stop: threading.Event, seconds: float = 20.0
) -> Callable[[BaseHTTPRequestHandler], None]:
    """Headers one byte every 50 ms, for up to `seconds`: every read is on time, the answer never is."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        handler.wfile.flush()
        ends = time.monotonic() + seconds
        while time.monotonic() < ends and not server_stop.is_set():
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(0.05)
        handler.close_connection = True

    return route


# -- 1. one malformed value ended the whole import ----------------------------------------------------
def test_1_malformed_urls_locations_paths_and_base64_bytes_are_rows_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    with hostile_server({"/bad-location.jpg": bad_location}) as server:
        rows = [
            row("G1", f"{server.url}/img/1.jpg", 1),
            row("URL", "http://[::1/x.jpg", 2),  # unbalanced IPv6 bracket
            row("LOC", f"{server.url}/bad-location.jpg", 3),
            row("LONG", "x" * 300 + ".jpg", 4),  # one name over NAME_MAX
            row("LOOP", "loop-a", 5),
            row("NUL", "photo\0.jpg", 6),
            row("G2", f"{server.url}/img/2.jpg", 7),
        ]
        source = tmp_path / "catalogue.jsonl"
        lines = [json.dumps(r) for r in rows]
        good_bytes = base64.b64encode(jpeg(8)).decode()
        lines.append(json.dumps({**row("B64", "N.A.", 8), "image": {"bytes": good_bytes, "path": None}}))
        lines.append(
            json.dumps({**row("NOTB64", "N.A.", 9), "image": {"bytes": "%%% not base64", "path": None}})
        )
        source.write_text("\n".join(lines) + "\n")
        result = run_import(source, tmp_path / "set")
    assert result.exit_code == 0, result.output
    assert imported_codes(tmp_path / "set") == ["B64", "G1", "G2"]
    failures = failures_by_code(tmp_path / "set")
    assert {code: reason for code, (reason, _) in failures.items()} == {
        "URL": "bad_url",
        "LOC": "bad_url",
        "LONG": "bad_path",
        "LOOP": "bad_path",
        "NUL": "bad_path",
        "NOTB64": "bad_value",
    }
    assert "Location" in failures["LOC"][1] and "[::1/broken.jpg" in failures["LOC"][1]
    assert "symbolic links" in failures["LOOP"][1] and "NUL" in failures["NUL"][1]
    assert "imported 3 of 9 rows" in result.output


# -- 2. local reads were unbounded and could read any file --------------------------------------------
def test_2_local_paths_stay_in_the_source_folder_and_only_regular_files_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "1.jpg").write_bytes(jpeg(1))
    (tmp_path / "outside.jpg").write_bytes(jpeg(2))
    (folder / "escape.jpg").symlink_to(tmp_path / "outside.jpg")
    os.mkfifo(folder / "pipe.jpg")
    (folder / "big.jpg").write_bytes(jpeg(3) + b"\0" * 300_000)
    rows = [
        row("REL", "photos/1.jpg", 1),
        row("ZERO", "/dev/zero", 2),
        row("PASSWD", "/etc/passwd", 3),
        row("UP", "../outside.jpg", 4),
        row("LINK", "escape.jpg", 5),
        row("FIFO", "pipe.jpg", 6),
        row("DIR", "photos", 7),
        row("BIG", "big.jpg", 8),
    ]
    source = write_csv(folder / "catalogue.csv", rows)
    started = time.monotonic()
    default = run_import(source, tmp_path / "default", "--max-bytes", "200000")
    assert time.monotonic() - started < 20  # the FIFO and /dev/zero are never waited on
    assert default.exit_code == 0, default.output
    assert imported_codes(tmp_path / "default") == ["REL"]
    reasons = {code: reason for code, (reason, _) in failures_by_code(tmp_path / "default").items()}
    assert reasons == {
        "ZERO": "outside_root",
        "PASSWD": "outside_root",
        "UP": "outside_root",
        "LINK": "outside_root",
        "FIFO": "not_a_file",
        "DIR": "not_a_file",
        "BIG": "too_large",
    }
    assert "--local-root" in failures_by_code(tmp_path / "default")["PASSWD"][1]

    # An explicit root lets paths out of the folder in, and still reads regular files only.
    allowed = run_import(source, tmp_path / "allowed", "--max-bytes", "200000", "--local-root", str(tmp_path))
    assert allowed.exit_code == 0, allowed.output
    assert imported_codes(tmp_path / "allowed") == ["LINK", "REL", "UP"]
    devices = run_import(source, tmp_path / "devices", "--max-bytes", "200000", "--local-root", "/dev")
    assert devices.exit_code == 0, devices.output
    assert failures_by_code(tmp_path / "devices")["ZERO"][0] == "not_a_file"
    assert "a device" in failures_by_code(tmp_path / "devices")["ZERO"][1]


# -- 3. the deadline skipped the headers; Ctrl-C took minutes ----------------------------------------
def test_3_one_deadline_covers_headers(tmp_path: Path) -> None:
    stop = threading.Event()
    with hostile_server({"/trickle-headers.jpg": trickle_headers(stop)}) as server:
        fetcher = ImageFetcher(DownloadConfig(timeout_s=0.5, deadline_s=1.0, retries=0))
        started = time.monotonic()
        result = fetcher.fetch(f"{server.url}/trickle-headers.jpg")
        held = time.monotonic() - started
        stop.set()
    assert result.reason == "timeout"
    assert "over the 1 s deadline, stopped after 1." in result.detail
    assert held < 2.0


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys
    from productlens.generate.cli import main
    sys.argv = ["sample-gen", "import", *sys.argv[1:]]
    main()
    """
)


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.slow
def test_3_ctrl_c_stops_an_import_with_16_slow_downloads_within_seconds(tmp_path: Path) -> None:
    stop = threading.Event()

    def slow_body(handler: BaseHTTPRequestHandler) -> None:  # a byte every 100 ms, for a minute
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.end_headers()
        ends = time.monotonic() + 60
        while time.monotonic() < ends and not stop.is_set():
            handler.wfile.write(b"\xff")
            handler.wfile.flush()
            time.sleep(0.1)

    routes = {f"/slow/{i}.jpg": slow_body for i in range(40)}
    with hostile_server(routes) as server:
        source = write_csv(
            tmp_path / "c.csv", [row(f"S{i}", f"{server.url}/slow/{i}.jpg", i) for i in range(40)]
        )
        cache = tmp_path / "cache"
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CTRL_C_SCRIPT,
                str(source),
                "--out",
                str(tmp_path / "set"),
                "--cache-dir",
                str(cache),
                "--deadline",
                "120",
                "--retries",
                "3",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        lines: list[tuple[float, bytes]] = []

        def read() -> None:  # each output line with the moment it came
            assert process.stdout is not None
            lines.extend((time.monotonic(), line) for line in process.stdout)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert _wait_for(lambda: sum(server.hits.values()) >= 16, 30), "16 downloads never started"
            time.sleep(0.3)
            process.send_signal(signal.SIGINT)
            started = time.monotonic()
            process.wait(timeout=30)  # the interpreter's own teardown comes after the import stopped
            reader.join(timeout=5)
        finally:
            stop.set()
            if process.poll() is None:
                process.kill()
    output = b"".join(line for _, line in lines)
    assert process.returncode == 130, output.decode()
    said = [moment for moment, line in lines if b"import interrupted" in line]
    assert said and said[0] - started < 3, output.decode()  # 16 downloads cut off, the half set removed
    assert b"Traceback" not in output
    assert not (tmp_path / "set").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]  # no half set
    assert not [p for p in cache.rglob("*") if p.name.startswith(".tmp-")] if cache.exists() else True


SECOND_CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from productlens.generate.cli_import import interruptible
    with interruptible():
        try:
            print("ready", flush=True)
            time.sleep(60)
        except KeyboardInterrupt:
            print("cleaning up", flush=True)
            time.sleep(60)  # a slow clean-up: only a second Ctrl-C ends it
    """
)


def test_3_a_second_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SECOND_CTRL_C_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    lines: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.strip())

    threading.Thread(target=read, daemon=True).start()
    try:
        assert lines.get(timeout=60) == b"ready"
        process.send_signal(signal.SIGINT)
        assert lines.get(timeout=10) == b"cleaning up"
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        assert time.monotonic() - started < 2  # the 60 s clean-up was not waited for
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130


# -- 4. images were wrong in the set -------------------------------------------------------------------
def _encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def test_4_exif_turn_high_bit_greys_and_corrupt_cache_entries(tmp_path: Path) -> None:
    sideways = Image.new("RGB", (40, 20), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 20, 20))  # left half red: it is the top once turned upright
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display", as phones write it
    phone = io.BytesIO()
    sideways.save(phone, "JPEG", exif=exif, quality=95)
    images = {
        "/phone.jpg": phone.getvalue(),
        "/grey16.png": _encoded(Image.fromarray(np.full((8, 8), 30000, dtype=np.uint16)), "PNG"),
        "/grey32.tif": _encoded(Image.fromarray(np.full((8, 8), 2**30, dtype=np.int32)), "TIFF"),
        "/float.tif": _encoded(Image.fromarray(np.full((8, 8), 0.5, dtype=np.float32)), "TIFF"),
    }
    routes = {path: (lambda content: lambda h: send(h, 200, content))(body) for path, body in images.items()}
    with hostile_server(routes) as server:
        cache = tmp_path / "cache"
        ImageCache(cache).put(f"{server.url}/img/5.jpg", b"\xff\xd8\xff garbage, not a JPEG")
        rows = [
            row(path.strip("/").split(".")[0].upper(), server.url + path, i) for i, path in enumerate(images)
        ]
        rows.append(row("CACHED", f"{server.url}/img/5.jpg", 9))
        source = write_csv(tmp_path / "c.csv", rows)
        result = CliRunner().invoke(
            main, ["import", str(source), "--out", str(tmp_path / "set"), "--cache-dir", str(cache)]
        )
    assert result.exit_code == 0, result.output
    assert "1 cache entries did not decode; fetched again" in result.output
    dataset = load_sample_set(tmp_path / "set")
    by_code = {r["product_code"]: r["image"] for split in dataset for r in dataset[split]}
    assert sorted(by_code) == ["CACHED", "FLOAT", "GREY16", "GREY32", "PHONE"]
    upright = by_code["PHONE"]
    assert upright.size == (20, 40) and upright.format == "PNG"
    assert upright.getexif().get(0x0112) is None  # the stored bytes carry no turn for a reader to redo
    red, blue = upright.getpixel((10, 8)), upright.getpixel((10, 32))
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]
    assert by_code["GREY16"].getpixel((2, 2)) == (117, 117, 117)  # 30000 / 65535, not clipped to 255
    assert by_code["GREY32"].getpixel((2, 2)) == (128, 128, 128)
    assert by_code["FLOAT"].getpixel((2, 2)) == (128, 128, 128)
    assert by_code["CACHED"].getpixel((2, 2))[1] == pytest.approx(80, abs=3)
    Image.open(ImageCache(cache).path_for(f"{server.url}/img/5.jpg")).load()  # replaced by a good one


def test_4_the_processor_and_the_importer_share_one_to_rgb() -> None:
    from productlens.core import image_modes
    from productlens.finetune.phi3v import image_processing

    assert image_processing.to_rgb is image_modes.to_rgb
    grey = Image.fromarray(np.full((4, 4), 65535 // 4, dtype=np.uint16))
    assert image_processing.to_rgb(grey).getpixel((0, 0)) == (64, 64, 64)


# -- 5. rows lost or misreported -----------------------------------------------------------------------
def test_5_duplicates_by_outcome_own_details_nested_values_prices_schemes_and_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "folder").mkdir()
    with hostile_server({}) as server:
        good = f"{server.url}/img/1.jpg"
        records = [
            row("D1", f"{server.url}/missing.jpg", 1),  # row 1: the first D1 fails its image...
            row("D1", good, 2),  # row 2: ...so this one keeps the code
            row("D1", f"{server.url}/img/3.jpg", 3),  # row 3: duplicate of row 2
            row("D1", good, 4, full_price="N.A."),  # row 4: its own problem, not a duplicate
            row("NEST", good, 5, title={"en": "Nested title"}),
            row("CAT", good, 6, category3_code=["TOTE", "BAGS"]),
            row("USD", f"{server.url}/img/7.jpg", 7, full_price="USD890"),
            row("SREL", "//cdn.example.test/x.jpg", 8),
            row("JS", "javascript:alert(1)", 9),
            row("DIR", "folder", 10),
            row("LONG", good, 11, title="Coat " * 200),
            {**row("BIG", "N.A.", 12), "image": {"bytes": jpeg(12) + b"\0" * 5000, "path": None}},
        ]
        records[-1]["image"] = {"bytes": base64.b64encode(records[-1]["image"]["bytes"]).decode()}
        (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
        report = import_set(
            ImportConfig(
                source=str(tmp_path / "c.jsonl"),
                out=tmp_path / "set",
                download=DownloadConfig(timeout_s=2, retries=0, max_bytes=4000),
            )
        )
    assert imported_codes(tmp_path / "set") == ["D1", "USD"]
    dataset = load_sample_set(tmp_path / "set")
    kept = {r["product_code"]: r for split in dataset for r in dataset[split]}
    assert kept["D1"]["title"] == "Check Leather Tote 2" and kept["USD"]["full_price"] == 890.0
    failures = [(f.row, f.product_code, f.reason, f.detail) for f in report.failures]
    assert failures[:4] == [
        (1, "D1", "http_error", "HTTP 404 Not Found"),
        (3, "D1", "duplicate_product_code", "same product_code as row 2"),
        (4, "D1", "bad_price", "full_price 'N.A.' is not a positive price"),
        (
            5,
            "NEST",
            "bad_value",
            "title is a nested value ({'en': 'Nested title'}); only text and numbers are read",
        ),
    ]
    reasons = {(f.product_code, f.reason) for f in report.failures[4:]}
    assert reasons == {
        ("CAT", "bad_value"),
        ("SREL", "unsupported_scheme"),
        ("JS", "unsupported_scheme"),
        ("DIR", "not_a_file"),
        ("LONG", "too_long"),
        ("BIG", "too_large"),
    }
    assert report.rows_imported + len(report.failures) == report.rows_read == 12


def test_5_a_mistyped_local_path_is_not_looked_up_on_the_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    def no_hub(*args: object, **kwargs: object) -> None:
        raise AssertionError("a local path was sent to the hub")

    monkeypatch.setattr(datasets, "load_dataset", no_hub)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    for source in ("exports/catalogue.csv", "exports/catalogue", "data/shop.parquet"):
        result = CliRunner().invoke(main, ["import", source, "--out", str(tmp_path / "x")])
        assert result.exit_code != 0
        assert f"{source} does not exist" in result.output, result.output


def test_5_csv_sep_encoding_and_a_wrong_field_count_named_by_line(tmp_path: Path) -> None:
    header = "product_code;title;category3_code;full_price;local_image_path"
    (tmp_path / "1.jpg").write_bytes(jpeg(1))
    (tmp_path / "semi.csv").write_bytes(
        (header + "\nA1;Écharpe cachemire;SCARVES;1.290,50 €;1.jpg\n").encode("cp1252")
    )
    plain = run_import(tmp_path / "semi.csv", tmp_path / "s0")
    assert plain.exit_code != 0 and "line 2" in plain.output and "--encoding" in plain.output
    no_sep = run_import(tmp_path / "semi.csv", tmp_path / "s1", "--encoding", "cp1252")
    assert no_sep.exit_code != 0 and "--sep" in no_sep.output
    ok = run_import(tmp_path / "semi.csv", tmp_path / "s2", "--encoding", "cp1252", "--sep", ";")
    assert ok.exit_code == 0, ok.output
    table = pd.read_parquet(tmp_path / "s2" / "data")
    assert table["title"].tolist() == ["Écharpe cachemire"] and table["full_price"].tolist() == [1290.5]
    (tmp_path / "shifted.csv").write_text(
        "product_code,title,category3_code,full_price,local_image_path\n"
        "A1,Scarf,SCARVES,100,1.jpg\n"
        "A2,Scarf, with a comma,SCARVES,100,1.jpg\n"
    )
    shifted = run_import(tmp_path / "shifted.csv", tmp_path / "s3")
    assert shifted.exit_code != 0
    assert "shifted.csv, line 3: 6 fields, but the header has 5" in " ".join(shifted.output.split())


# -- 6. data text reached Rich as markup ---------------------------------------------------------------
def test_6_categories_with_rich_markup_print_as_written(tmp_path: Path) -> None:
    (tmp_path / "1.jpg").write_bytes(jpeg(1))
    rows = [
        row("M1", "1.jpg", 1, category1_code="[b]MEN", category3_code="[/women]"),
        row("M2", "1.jpg", 2, category3_code="[red]SCARVES[/red]"),
    ]
    source = write_csv(tmp_path / "c.csv", rows)
    result = run_import(source, tmp_path / "set[/x]")
    assert result.exit_code == 0, result.output
    assert "[/WOMEN]" in result.output and "[B]MEN" in result.output and "[RED]SCARVES[/RED]" in result.output
    assert "set[/x]" in result.output
    shown = CliRunner().invoke(main, ["show", str(tmp_path / "set[/x]")])
    assert shown.exit_code == 0, shown.output
    assert "[/WOMEN]" in shown.output and "[B]MEN 1" in shown.output
