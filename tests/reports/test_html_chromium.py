"""The HTML report in headless Chromium over the DevTools protocol: no console errors, no network
requests, the gallery filter works, and a screenshot is taken. Skips where Chromium is absent.

Set PRODUCTLENS_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from productlens.reports.html import write_compare_report, write_report

from .conftest import answered

websocket = pytest.importorskip("websocket", reason="websocket-client (dev extra) drives Chromium")

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and Path(p).exists()), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install chromium)"),
]


class Page:
    """One Chromium page over CDP: send commands, collect console errors and network requests."""

    def __init__(self, profile: Path):
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.socket = websocket.create_connection(self._page_socket_url(profile), timeout=30)
        self.next_id = 0
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def _page_socket_url(self, profile: Path) -> str:
        deadline = time.monotonic() + 30
        port_file = profile / "DevToolsActivePort"
        while time.monotonic() < deadline:
            if port_file.exists() and len(port_file.read_text().splitlines()) >= 2:
                port = port_file.read_text().splitlines()[0]
                import urllib.request

                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as reply:
                    targets = json.load(reply)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port")

    def _record(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(json.dumps(params.get("args")))
        elif method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params.get("exceptionDetails")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        self.events.append(message)

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        if any(event.get("method") == method for event in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            self._record(message)
            if message.get("method") == method:
                return
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def open(self, path: Path, fragment: str = "") -> None:
        if fragment:  # a new document, not a jump inside the one already open
            self.open_blank()
        self.events.clear()
        self.send("Page.navigate", url=path.as_uri() + fragment)
        self.wait_for("Page.loadEventFired")
        self.evaluate(
            "new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))"
        )  # let the script settle

    def open_blank(self) -> None:
        self.events.clear()
        self.send("Page.navigate", url="about:blank")
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        options = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            options |= {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", **options)["data"]))
        return path

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def page(tmp_path):
    browser = Page(tmp_path / "profile")
    yield browser
    browser.close()


def _outside_requests(page: Page, report: Path) -> list[str]:
    return [url for url in page.requests if not url.startswith("data:") and url != report.as_uri()]


def _keep(screenshot: Path) -> None:
    keep = os.environ.get("PRODUCTLENS_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)


def test_report_in_chromium_has_no_errors_no_requests_and_a_working_filter(
    page, tmp_path, fake_results, fake_predictions, fake_thumbnails
):
    report = write_report(tmp_path / "report.html", fake_results, fake_predictions, fake_thumbnails)
    page.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    page.open(report)

    assert page.errors == []
    assert _outside_requests(page, report) == []
    visible = "[...document.querySelectorAll('article.sample')].filter(c => !c.hidden).map(c => c.dataset.id)"
    assert len(page.evaluate(visible)) == len(fake_predictions)

    page.evaluate(
        "const q = document.getElementById('q'); q.value = 'trench'; q.dispatchEvent(new Event('input'))"
    )
    assert page.evaluate(visible) == ["P002"]
    assert (
        page.evaluate("document.getElementById('count').textContent")
        == f"1 of {len(fake_predictions)} samples"
    )

    page.evaluate(
        "q.value = ''; q.dispatchEvent(new Event('input'));"
        "const v = document.getElementById('verdict'); v.value = 'unparsed'; v.dispatchEvent(new Event('change'))"
    )
    assert sorted(page.evaluate(visible)) == ["P007", "P008", "P009"]

    page.evaluate(
        "v.value = ''; v.dispatchEvent(new Event('change'));"
        "const c = document.getElementById('category'); c.value = 'COATS'; c.dispatchEvent(new Event('change'))"
    )
    assert sorted(page.evaluate(visible)) == ["P002", "P004", "P008"]
    page.evaluate("q.value = 'scarf'; q.dispatchEvent(new Event('input'))")
    assert page.evaluate(visible) == []
    assert page.evaluate("document.getElementById('no-match').hidden") is False
    page.evaluate(
        "q.value = ''; q.dispatchEvent(new Event('input')); c.value = ''; c.dispatchEvent(new Event('change'))"
    )

    page.evaluate(
        "v.value = ''; v.dispatchEvent(new Event('change'));"
        "const s = document.getElementById('sort'); s.value = 'error-desc'; s.dispatchEvent(new Event('change'))"
    )
    order = page.evaluate("[...document.querySelectorAll('article.sample')].map(c => c.dataset.id)")
    assert order[:2] == ["P004", "P005"]  # +101.6 % then -64.3 %
    assert set(order[-3:]) == {"P007", "P008", "P009"}  # no price error: last
    assert page.errors == []

    page.evaluate(
        "v.value = ''; v.dispatchEvent(new Event('change')); s.value = 'id'; s.dispatchEvent(new Event('change'))"
    )
    shot = page.screenshot(tmp_path / "report-top.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _keep(shot)
    _keep(page.screenshot(tmp_path / "report-full.png", full_page=True))


VISIBLE = "[...document.querySelectorAll('article.sample')].filter(c => !c.hidden).map(c => c.dataset.id)"


def test_gallery_pages_keeps_filters_in_the_url_and_confusion_cells_link_to_samples(
    page, tmp_path, fake_results, fake_predictions
):
    shirts = [
        answered(f"Q{i:03d}", "Oxford Shirt", "SHIRTS", 490.0, "Oxford Shirt", "SHIRTS", 495.0)
        for i in range(100)
    ]
    report = write_report(tmp_path / "report.html", fake_results, fake_predictions + shirts, None)
    page.open(report)
    assert page.errors == []
    first = page.evaluate(VISIBLE)
    assert len(first) == 48  # one page, not 109 cards at once
    assert (
        page.evaluate("document.getElementById('count').textContent")
        == "109 of 109 samples, 1-48 on this page"
    )
    assert page.evaluate("document.getElementById('page-text').textContent") == "page 1 of 3"
    page.evaluate("document.getElementById('next').click()")
    second = page.evaluate(VISIBLE)
    assert len(second) == 48 and not set(first) & set(second)
    assert page.evaluate("location.hash") == "#samples?page=2"
    page.evaluate(
        "const v = document.getElementById('verdict'); v.value = 'unparsed'; v.dispatchEvent(new Event('change'))"
    )
    assert sorted(page.evaluate(VISIBLE)) == ["P007", "P008", "P009"]
    assert page.evaluate("location.hash") == "#samples?verdict=unparsed"  # back to page 1 on a new filter
    assert page.evaluate("document.getElementById('pager').hidden") is True

    # The address alone restores the view: a bookmark or a link someone sent.
    page.open(report, "#samples?category=COATS&verdict=wrong")
    assert page.evaluate(VISIBLE) == ["P004"]
    assert page.evaluate(
        "[document.getElementById('category').value, document.getElementById('verdict').value]"
    ) == ["COATS", "wrong"]

    # A confusion-matrix cell is a link to its samples: true SCARVES answered SHIRTS is P005.
    page.open(report)
    page.evaluate(
        "document.querySelector('table.confusion a[href*=\"category=SCARVES&predicted=SHIRTS\"]').click()"
    )
    page.evaluate("new Promise(r => setTimeout(r, 100))")
    assert page.evaluate(VISIBLE) == ["P005"]
    assert page.evaluate("document.getElementById('predicted').value") == "SHIRTS"
    assert page.errors == []
    assert _outside_requests(page, report) == []


def test_report_reads_at_phone_width(page, tmp_path, fake_results, fake_predictions, fake_thumbnails):
    """At 420 px: the phone-width plots are shown (larger type), the wide ones hidden, nothing wider than the screen."""
    report = write_report(tmp_path / "report.html", fake_results, fake_predictions, fake_thumbnails)
    page.send("Emulation.setDeviceMetricsOverride", width=420, height=900, deviceScaleFactor=1, mobile=True)
    page.open(report)
    assert page.errors == []
    shown = page.evaluate(
        "[...document.querySelectorAll('.plot-narrow, .plot-wide')].map(d => [d.className, d.offsetWidth > 0])"
    )
    assert all(visible == (name == "plot-narrow") for name, visible in shown)
    assert page.evaluate("document.documentElement.scrollWidth") <= 420  # wide tables scroll inside their box
    _keep(page.screenshot(tmp_path / "report-420.png", full_page=True))


def test_injected_script_does_not_run_in_chromium(page, tmp_path, fake_results, fake_predictions):
    fake_predictions[0]["reference"]["title"] = "<img src=x onerror=console.error('pwned')>"
    fake_predictions[1]["generated"] = "</pre><script>console.error('pwned')</script>"
    fake_results["name"] = "<script>console.error('pwned')</script>"
    report = write_report(tmp_path / "report.html", fake_results, fake_predictions, None)
    page.open(report)
    assert page.errors == []
    assert _outside_requests(page, report) == []
    assert page.evaluate("document.scripts.length") == 2  # the JSON data block and ours
    assert "console.error('pwned')" in page.evaluate("document.querySelector('h1').textContent")


def test_compare_report_in_chromium(page, tmp_path, fake_compare):
    report = write_compare_report(tmp_path / "compare.html", fake_compare)
    page.open(report)
    assert page.errors == []
    assert _outside_requests(page, report) == []
    assert page.evaluate("document.querySelectorAll('article.disagreement').length") == 2
    _keep(page.screenshot(tmp_path / "compare-full.png", full_page=True))
    page.send("Emulation.setDeviceMetricsOverride", width=420, height=900, deviceScaleFactor=1, mobile=True)
    page.open(report)
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    _keep(page.screenshot(tmp_path / "compare-420.png", full_page=True))


def test_the_harness_sees_console_errors_and_requests(page, tmp_path):
    """Control: a page that logs an error and asks for a remote image is caught (so the checks above can fail)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body><img src='http://127.0.0.1:9/x.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    page.open(bad)
    assert any("boom" in error for error in page.errors)
    assert "http://127.0.0.1:9/x.png" in _outside_requests(page, bad)
