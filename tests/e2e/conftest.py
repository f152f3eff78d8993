"""Browser tests of the explorer: Playwright driving Debian's Chromium headless against `bmdsim serve`.

The smoke test runs in every `make test`; the whole flow only with BMDSIM_E2E=1 (`make e2e`). Playwright
downloads no browser here: it starts /usr/bin/chromium (the Makefile installs Debian's package).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BMDSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
FULL = os.environ.get("BMDSIM_E2E") == "1"
STATIC = ROOT / "src" / "bmdsim" / "web" / "static" / "index.html"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="the whole browser flow runs with BMDSIM_E2E=1 (make e2e)")
    for item in items:
        if "full" in item.keywords and not FULL:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line("markers", "full: part of the whole browser flow (make e2e)")


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`bmdsim serve` in a subprocess on a free loopback port; yields its base URL."""
    if not STATIC.is_file():
        pytest.fail("the explorer's page is not built: run `make web`")
    port = _free_port()
    out = tmp_path_factory.mktemp("explorer-out")
    log = open(out / "server.log", "w")  # noqa: SIM115 - closed below
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "bmdsim.cli", "serve", "--port", str(port), "--out", str(out),
                             "--no-warm"], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.close()
            pytest.fail(f"bmdsim serve did not start:\n{(out / 'server.log').read_text()[-3000:]}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


DIAGNOSIS = """JSON.stringify({
  msg: document.querySelector('#message').textContent, hash: location.hash,
  hooks: window.__explorer && {...window.__explorer, globe: undefined, state: undefined, lastResult: undefined},
  threat: window.__explorer && window.__explorer.state && [window.__explorer.state.scenario,
    window.__explorer.state.missile, window.__explorer.state.from, window.__explorer.state.to]})"""


class Page:
    """A page of the explorer with the record of every request it made and every error it raised."""

    def __init__(self, browser, base: str):
        self.base = base
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        self.page = self.ctx.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, url: str | None = None, engaged: int = 1):
        self.page.goto(url or self.base + "/")
        self.wait("window.__explorer && window.__explorer.ready && window.__explorer.restored", 90)
        self.wait(f"window.__explorer.engageCount >= {engaged}", 90)
        return self

    def wait(self, js: str, timeout_s: float = 60):
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(js, timeout=timeout_s * 1000, polling=100)
        except PlaywrightTimeout:
            state = self.page.evaluate(DIAGNOSIS)
            raise AssertionError(f"waited {timeout_s} s for {js}; page: {state[:1500]}; errors: {self.errors}; "
                                 f"api requests: {[u for u in self.requests if '/api/' in u]}") from None

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def engaged_after(self, n: int, timeout_s: float = 60):
        self.wait(f"window.__explorer.engageCount > {n}", timeout_s)
        self.page.wait_for_timeout(100)
        return self.js("window.__explorer.lastResult")

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not (u.startswith(self.base + "/") or u.startswith("data:")
                                                 or u.startswith("blob:"))]

    def globe_png(self) -> bytes:
        self.wait("window.__explorer.globe.scene.globe.tilesLoaded", 60)
        self.js("window.__explorer.globe.render()")
        self.page.wait_for_timeout(300)
        return self.page.locator("#globe").screenshot()

    def close(self):
        self.ctx.close()


@pytest.fixture
def new_page(browser, server):
    pages = []

    def make():
        p = Page(browser, server)
        pages.append(p)
        return p

    yield make
    for p in pages:
        p.close()


def pixel_stats(png: bytes) -> tuple[float, float]:
    """(standard deviation of the luminance, share of non-black pixels) over the central 60 % of an image."""
    import numpy as np
    from PIL import Image

    im = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    h, w = im.shape
    c = im[int(0.2 * h):int(0.8 * h), int(0.2 * w):int(0.8 * w)]
    return float(c.std()), float((c > 20).mean())
